namespace KvmTools.Core.Usb;

/// <summary>A USB device as sysfs describes it, with its interfaces and the device nodes its drivers made.</summary>
public sealed record UsbDevice(
    string SysPath,
    string PortPath,
    int BusNumber,
    int DeviceNumber,
    ushort VendorId,
    ushort ProductId,
    string? Manufacturer,
    string? Product,
    string? Serial,
    string? Speed,
    bool Authorized,
    byte? DeviceClass,
    IReadOnlyList<UsbInterface> Interfaces,
    IReadOnlyList<UsbNode> Nodes)
{
    public const byte HubClass = 0x09;

    public string Id => $"{VendorId:x4}:{ProductId:x4}";

    /// <summary>The usbdevfs node relative to the /dev root: bus/usb/BBB/DDD.</summary>
    public string DevfsName => $"bus/usb/{BusNumber:D3}/{DeviceNumber:D3}";

    /// <summary>usbreset's BBB/DDD form.</summary>
    public string BusDevice => $"{BusNumber:D3}/{DeviceNumber:D3}";

    /// <summary>The host controller itself (usb1, usb2, ...): the kernel refuses to reset it.</summary>
    public bool IsRootHub => PortPath.StartsWith("usb", StringComparison.Ordinal);

    public bool IsHub => DeviceClass == HubClass;

    /// <summary>Interface drivers, each once, in interface order.</summary>
    public IReadOnlyList<string> Drivers => Interfaces.Select(i => i.Driver).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    public string Describe()
    {
        string what = string.Join(' ', new[] { Manufacturer, Product }.Where(s => !string.IsNullOrEmpty(s)));
        return $"{Id}{(what.Length > 0 ? $" \"{what}\"" : "")} at {PortPath} (bus {BusNumber} device {DeviceNumber})";
    }
}

/// <summary>One interface (1-1.4:1.0) and the driver bound to it, if any.</summary>
public sealed record UsbInterface(string Name, byte? Class, string? Driver);

/// <summary>
/// A device node a driver of the device created (/dev/video0, /dev/hidraw3, /dev/ttyUSB0, /dev/input/event5, ...),
/// the kernel subsystem it belongs to, whether it exists under /dev yet (udev may lag the kernel), and the
/// top-level /dev symlinks that point at it (PiKVM's /dev/kvmd-video, /dev/kvmd-hid).
/// </summary>
public sealed record UsbNode(string Path, string Subsystem, bool Exists, IReadOnlyList<string> Aliases);
