using System.Globalization;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>How the watchdog names the capture dongle: VID:PID and/or a USB port path.</summary>
public sealed record CaptureSelector(ushort? VendorId, ushort? ProductId, string? UsbPort)
{
    public static CaptureSelector Parse(string? id, string? usbPort)
    {
        ushort? vid = null;
        ushort? pid = null;
        if (id is not null)
        {
            if (!TryParseId(id, out ushort v, out ushort p))
            {
                throw new UsageException($"'{id}' is not a USB id.", "Write it as VID:PID in hex, e.g. 534d:2109 ('kvmtool usb list' or 'lsusb' shows it).");
            }
            vid = v;
            pid = p;
        }
        return new CaptureSelector(vid, pid, usbPort);
    }

    public static bool TryParseId(string text, out ushort vendor, out ushort product)
    {
        vendor = product = 0;
        string[] parts = text.Split(':');
        return parts.Length == 2 && parts[0].Length == 4 && parts[1].Length == 4
            && ushort.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out vendor)
            && ushort.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out product);
    }

    public string Describe() =>
        string.Join(" at ", new[] { VendorId is { } v ? $"{v:x4}:{ProductId:x4}" : null, UsbPort }.OfType<string>());

    public bool Matches(UsbDeviceInfo device) =>
        (UsbPort is null || device.PortPath == UsbPort) && (VendorId is null || (device.VendorId == VendorId && device.ProductId == ProductId));
}

/// <summary>Finds the capture dongle and its video node in sysfs, opening nothing.</summary>
public sealed class CaptureDeviceLocator(SystemPaths paths, CaptureSelector selector)
{
    public CaptureSelector Selector => selector;

    /// <summary>The dongle; NotFound when it is not on the bus, Usage when the selector matches several.</summary>
    public UsbDeviceInfo Find()
    {
        string dir = paths.Sys("bus", "usb", "devices");
        var found = new List<UsbDeviceInfo>();
        if (Directory.Exists(dir))
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(dir))
            {
                string name = Path.GetFileName(entry);
                // Interfaces (1-1.2:1.0) and root hubs (usb1) are not the dongle.
                if (name.Contains(':', StringComparison.Ordinal) || name.StartsWith("usb", StringComparison.Ordinal))
                {
                    continue;
                }
                if (SysfsFile.ResolveDirectory(entry) is { } resolved && UsbDeviceInfo.TryRead(resolved) is { } usb && selector.Matches(usb))
                {
                    found.Add(usb);
                }
            }
        }
        if (found.Count == 0)
        {
            throw new NotFoundException($"The capture device {selector.Describe()} is not on the USB bus.",
                "Check its cable and power; 'kvmtool usb list' shows what is attached.");
        }
        if (found.Count > 1)
        {
            throw new UsageException(
                $"Several USB devices match {selector.Describe()}: {string.Join(", ", found.Select(f => f.Id + " at " + f.PortPath).Order(StringComparer.Ordinal))}.",
                "Add 'usb-port:' to the watchdog's capture section to say which one to watch.");
        }
        return found[0];
    }

    /// <summary>
    /// The capture node the dongle's driver made (/dev/videoN), found through /sys/class/video4linux. UVC devices
    /// make two nodes, frames and metadata; the frames node is the one whose sysfs 'index' is 0.
    /// </summary>
    public string? FindVideoNode(UsbDeviceInfo device)
    {
        string classDir = paths.Sys("class", "video4linux");
        if (!Directory.Exists(classDir))
        {
            return null;
        }
        string owner = Path.GetFullPath(device.SysPath).TrimEnd('/') + "/";
        var nodes = new List<(int Index, int Number, string Name)>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(classDir, "video*"))
        {
            string name = Path.GetFileName(entry);
            // The class entry links to the node's directory, which sits below the USB interface that made it.
            string? resolved = SysfsFile.ResolveDirectory(entry);
            if (resolved is null || !(resolved + "/").StartsWith(owner, StringComparison.Ordinal))
            {
                continue;
            }
            int index = SysfsFile.ReadInt(Path.Combine(entry, "index")) ?? 0;
            int number = int.TryParse(name.AsSpan("video".Length), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : int.MaxValue;
            nodes.Add((index, number, name));
        }
        return nodes.Count == 0 ? null : paths.Dev(nodes.Min().Name);
    }
}
