namespace KvmTools.Core.Linux;

/// <summary>A USB device as sysfs describes it (a directory such as /sys/bus/usb/devices/1-1.4).</summary>
public sealed record UsbDeviceInfo(
    string SysPath,
    string PortPath,
    int BusNumber,
    int DeviceNumber,
    ushort VendorId,
    ushort ProductId,
    string? Manufacturer,
    string? Product,
    string? Serial)
{
    /// <summary>The usbdevfs node, /dev/bus/usb/BBB/DDD, relative to the /dev root.</summary>
    public string DevfsName => $"bus/usb/{BusNumber:D3}/{DeviceNumber:D3}";

    public string Id => $"{VendorId:x4}:{ProductId:x4}";

    /// <summary>Reads a USB device directory; null when it is not one (no busnum/devnum/idVendor).</summary>
    public static UsbDeviceInfo? TryRead(string dir)
    {
        int? bus = SysfsFile.ReadInt(Path.Combine(dir, "busnum"));
        int? dev = SysfsFile.ReadInt(Path.Combine(dir, "devnum"));
        ushort? vid = SysfsFile.ReadHex16(Path.Combine(dir, "idVendor"));
        ushort? pid = SysfsFile.ReadHex16(Path.Combine(dir, "idProduct"));
        if (bus is null || dev is null || vid is null || pid is null)
        {
            return null;
        }
        return new UsbDeviceInfo(
            dir,
            Path.GetFileName(dir.TrimEnd('/')),
            bus.Value,
            dev.Value,
            vid.Value,
            pid.Value,
            SysfsFile.ReadTrimmed(Path.Combine(dir, "manufacturer")),
            SysfsFile.ReadTrimmed(Path.Combine(dir, "product")),
            SysfsFile.ReadTrimmed(Path.Combine(dir, "serial")));
    }

    /// <summary>Walks up from a sysfs device directory to the USB device that owns it.</summary>
    public static UsbDeviceInfo? FindAncestor(string sysPath, string sysRoot)
    {
        string root = Path.GetFullPath(sysRoot).TrimEnd('/');
        for (string? dir = sysPath; dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir))
        {
            // Interface directories (1-1.4:1.0) have no busnum; the device above them does.
            if (File.Exists(Path.Combine(dir, "busnum")) && UsbDeviceInfo.TryRead(dir) is { } usb)
            {
                return usb;
            }
        }
        return null;
    }
}
