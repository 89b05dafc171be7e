using KvmTools.Core.Linux;

namespace KvmTools.Core.Usb;

/// <summary>
/// The USB capability as other parts of kvmtool (the CLI, the watchdog) use it: list the devices, resolve a
/// selector to devices, reset them and report whether they came back.
/// </summary>
public sealed class UsbService
{
    /// <summary>Enumeration after a reset takes well under a second; 10 s leaves room for a slow driver and udev.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Beyond this a reset would run into kvmtool's 60 s last-resort timer.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Another kvmtool resetting the same port (the watchdog, a web button) finishes or gives up within this.</summary>
    public static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(15);

    private readonly SystemPaths _paths;
    private readonly UsbConfig _config;
    private readonly UsbResetter _resetter;

    public UsbService(SystemPaths paths, UsbConfig config, IUsbControl control, IResetClock clock)
    {
        _paths = paths;
        _config = config;
        Inventory = new UsbInventory(paths);
        _resetter = new UsbResetter(Inventory, control, clock);
    }

    /// <summary>The service as the tool uses it, on the real kernel.</summary>
    public static UsbService ForSystem(SystemPaths paths, UsbConfig config) =>
        new(paths, config, new SystemUsbControl(), new SystemResetClock());

    public UsbInventory Inventory { get; }

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

    /// <summary>
    /// Resets the devices a selector designates, each under its port's lock, and reports for each whether it
    /// came back. A power reset may also target a configured or given port with nothing attached: the watchdog's
    /// case of a dongle that fell off the bus.
    /// </summary>
    public IReadOnlyList<UsbResetResult> Reset(string selectorText, UsbResetOptions options)
    {
        TimeSpan timeout = options.Timeout ?? DefaultTimeout;
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw new UsageException($"Timeout {timeout.TotalSeconds:0.###} s is out of range.",
                $"Give --timeout between 0.1 and {MaxTimeout.TotalSeconds:0} seconds.");
        }
        var selector = Parse(selectorText);
        var method = options.Method ?? selector.ResetMethod ?? UsbResetMethod.Ioctl;
        string command = "kvmtool usb reset " + UsbHints.Quote(selector.Text);
        var devices = List();

        List<UsbResetTarget> targets;
        try
        {
            targets = Resolve(selector, options.All, devices)
                .Select(d => new UsbResetTarget(selector.Text, command, d.PortPath, d, d.VendorId, d.ProductId)).ToList();
        }
        catch (NotFoundException) when (method is UsbResetMethod.Power or UsbResetMethod.Auto && selector.PortPath is { } port &&
                                        selector.Node is null && devices.All(d => d.PortPath != port) && UsbHubPort.Locate(Inventory, port) is not null)
        {
            targets = [new UsbResetTarget(selector.Text, command, port, null, selector.VendorId, selector.ProductId)];
        }

        var results = new List<UsbResetResult>();
        foreach (var target in targets)
        {
            using var portLock = FileLock.Acquire(Path.Combine(_paths.LockDir, $"usb-{target.PortPath}.lock"), LockTimeout);
            results.Add(_resetter.Reset(target, method, timeout, options.Yes));
        }
        return results;
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
