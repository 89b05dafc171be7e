using System.Globalization;

namespace KvmTools.Core.Linux;

/// <summary>
/// Lists hidraw nodes from sysfs (/sys/class/hidraw/hidrawN/device/uevent) without opening any device,
/// so listing is cheap and works for users who may not open the nodes.
/// </summary>
public sealed class HidrawEnumerator(SystemPaths paths)
{
    public IReadOnlyList<HidrawInfo> List()
    {
        string classDir = paths.Sys("class", "hidraw");
        if (!Directory.Exists(classDir))
        {
            return [];
        }
        var result = new List<HidrawInfo>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(classDir, "hidraw*"))
        {
            if (TryRead(Path.GetFileName(entry)) is { } info)
            {
                result.Add(info);
            }
        }
        result.Sort((a, b) => NodeNumber(a.Name).CompareTo(NodeNumber(b.Name)));
        return result;
    }

    /// <summary>Reads one node by name (hidraw3); null when sysfs does not describe it usably.</summary>
    public HidrawInfo? TryRead(string name)
    {
        string node = paths.Sys("class", "hidraw", name);
        var uevent = SysfsFile.ReadKeyValues(Path.Combine(node, "device", "uevent"));
        if (!uevent.TryGetValue("HID_ID", out string? hidId) || !TryParseHidId(hidId, out ushort bus, out ushort vid, out ushort pid))
        {
            return null;
        }
        string? resolved = SysfsFile.ResolveDirectory(node);
        UsbDeviceInfo? usb = resolved is null ? null : UsbDeviceInfo.FindAncestor(resolved, paths.SysRoot);
        return new HidrawInfo(
            name,
            paths.Dev(name),
            bus,
            vid,
            pid,
            Blank(uevent.GetValueOrDefault("HID_NAME")),
            Blank(uevent.GetValueOrDefault("HID_UNIQ")),
            Blank(uevent.GetValueOrDefault("HID_PHYS")),
            usb);
    }

    /// <summary>HID_ID is BUS:VENDOR:PRODUCT in hex, e.g. 0003:00005131:00002007.</summary>
    public static bool TryParseHidId(string text, out ushort bus, out ushort vendor, out ushort product)
    {
        bus = vendor = product = 0;
        string[] parts = text.Split(':');
        return parts.Length == 3
            && uint.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint b)
            && uint.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint v)
            && uint.TryParse(parts[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out uint p)
            && b <= ushort.MaxValue && v <= ushort.MaxValue && p <= ushort.MaxValue
            && (bus = (ushort)b) == b && (vendor = (ushort)v) == v && (product = (ushort)p) == p;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static int NodeNumber(string name) =>
        int.TryParse(name.AsSpan("hidraw".Length), out int n) ? n : int.MaxValue;
}
