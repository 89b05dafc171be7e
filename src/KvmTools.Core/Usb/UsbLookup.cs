using KvmTools.Core.Linux;

namespace KvmTools.Core.Usb;

/// <summary>
/// Finds the USB devices a selector designates (VID:PID, port path, BBB/DDD, SN:serial, a node, a kvmtool.yaml
/// name), from sysfs only: what 'usb status' needs, without the reset machinery of <see cref="UsbService"/>.
/// </summary>
public sealed class UsbLookup(SystemPaths paths, UsbConfig config)
{
    private readonly SystemPaths _paths = paths;
    private readonly UsbConfig _config = config;

    public UsbInventory Inventory { get; } = new(paths);

    public IReadOnlyList<UsbDevice> List() => Inventory.List();

    public UsbSelector Parse(string selector) => UsbSelector.Parse(selector, _config);

    /// <summary>The kvmtool.yaml names that designate <paramref name="device"/>.</summary>
    public IReadOnlyList<string> NamesOf(UsbDevice device) =>
        _config.Devices.Where(kv => kv.Value is not null && MatchesNamed(UsbSelector.FromConfig(kv.Key, kv.Value), device))
            .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>The devices a selector designates: exactly one, or every match with <paramref name="all"/>.</summary>
    public IReadOnlyList<UsbDevice> Resolve(string selector, bool all = false) => Resolve(Parse(selector), all, List());

    public IReadOnlyList<UsbDevice> Resolve(UsbSelector selector, bool all, IReadOnlyList<UsbDevice> devices)
    {
        var (mapped, target) = NodeTarget(selector);
        var matches = devices.Where(d => selector.Matches(d, mapped, target)).ToList();
        if (matches.Count == 0)
        {
            throw new NotFoundException(NoMatch(selector, devices, mapped, target),
                "Run 'kvmtool usb list' to see what is attached. " + UsbSelector.SelectorHint);
        }
        if (matches.Count > 1 && !all)
        {
            throw new UsageException(
                $"{matches.Count} USB devices match {selector.Describe()}: " + string.Join("; ", matches.Select(d => d.Describe())) + ".",
                "Pick one by its port path (e.g. 'kvmtool usb reset " + matches[0].PortPath + "'), by SN:serial or BBB/DDD, " +
                "or add --all to reset every one of them.");
        }
        return matches;
    }

    private bool MatchesNamed(UsbSelector selector, UsbDevice device)
    {
        var (mapped, target) = selector.Node is null ? (null, null) : (_paths.MapDevPath(selector.Node), UsbInventory.FinalTarget(_paths.MapDevPath(selector.Node)));
        return selector.Matches(device, mapped, target);
    }

    private (string? Mapped, string? Target) NodeTarget(UsbSelector selector)
    {
        if (selector.Node is null)
        {
            return (null, null);
        }
        string mapped = _paths.MapDevPath(selector.Node);
        string? target = UsbInventory.FinalTarget(mapped);
        if (target is null && selector.Kind == UsbSelectorKind.Node)
        {
            throw new NotFoundException($"The device node {selector.Node} does not exist.",
                "Check the cable; 'kvmtool usb list' shows each USB device's nodes.");
        }
        return (mapped, target);
    }

    private string NoMatch(UsbSelector selector, IReadOnlyList<UsbDevice> devices, string? mapped, string? target)
    {
        var attached = devices.Where(d => !d.IsRootHub).ToList();
        string found = devices.Count == 0
            ? $"No USB devices are attached (nothing under {Inventory.DevicesDir})."
            : attached.Count == 0
                ? "Only root hubs are present; no USB device is attached."
                : "Attached: " + string.Join("; ", attached.Select(d => d.Describe())) + ".";
        if (selector.Kind == UsbSelectorKind.Node && target is not null)
        {
            string points = target == mapped ? "" : $" (it points at {target})";
            return $"{selector.Node}{points} is not a node of any USB device. {found}";
        }
        return $"No USB device matches {selector.Describe()}. {found}";
    }
}
