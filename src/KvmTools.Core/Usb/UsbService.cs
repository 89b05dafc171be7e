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
    private readonly UsbResetter _resetter;

    public UsbService(SystemPaths paths, UsbConfig config, IUsbControl control, IResetClock clock)
    {
        _paths = paths;
        Lookup = new UsbLookup(paths, config);
        _resetter = new UsbResetter(Lookup.Inventory, control, clock);
    }

    /// <summary>The service as the tool uses it, on the real kernel.</summary>
    public static UsbService ForSystem(SystemPaths paths, UsbConfig config) =>
        new(paths, config, new SystemUsbControl(), new SystemResetClock());

    public UsbLookup Lookup { get; }

    public UsbInventory Inventory => Lookup.Inventory;

    public IReadOnlyList<UsbDevice> List() => Lookup.List();

    public UsbSelector Parse(string selector) => Lookup.Parse(selector);

    /// <inheritdoc cref="UsbLookup.NamesOf"/>
    public IReadOnlyList<string> NamesOf(UsbDevice device) => Lookup.NamesOf(device);

    /// <inheritdoc cref="UsbLookup.Resolve(string, bool)"/>
    public IReadOnlyList<UsbDevice> Resolve(string selector, bool all = false) => Lookup.Resolve(selector, all);

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
            targets = Lookup.Resolve(selector, options.All, devices)
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
}
