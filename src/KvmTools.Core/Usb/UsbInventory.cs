using System.Globalization;
using System.Text.RegularExpressions;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Usb;

/// <summary>
/// Reads the USB devices from sysfs (/sys/bus/usb/devices) without opening any device, so listing works for
/// every user and with no USB bus at all.
/// </summary>
public sealed partial class UsbInventory(SystemPaths paths)
{
    /// <summary>Deep enough for hidraw (interface/0003:V:P.N/hidraw/hidrawN) and input (…/input/inputN/eventM).</summary>
    private const int MaxNodeDepth = 8;

    /// <summary>Classes whose directory name is the /dev name, for trees whose uevent lacks DEVNAME.</summary>
    private static readonly HashSet<string> NamedByDirectory = new(StringComparer.Ordinal) { "video4linux", "hidraw", "tty" };

    public SystemPaths Paths => paths;

    public string DevicesDir => paths.Sys("bus", "usb", "devices");

    /// <summary>Every USB device, ordered by bus and port path; empty when the machine has no USB bus.</summary>
    public IReadOnlyList<UsbDevice> List()
    {
        if (!Directory.Exists(DevicesDir))
        {
            return [];
        }
        var aliases = ReadAliases();
        var result = new List<UsbDevice>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(DevicesDir))
        {
            string name = Path.GetFileName(entry);
            if (!name.Contains(':', StringComparison.Ordinal) && Read(name, aliases) is { } device)
            {
                result.Add(device);
            }
        }
        result.Sort(Compare);
        return result;
    }

    /// <summary>Whether the device may bind drivers (sysfs authorized is not 0).</summary>
    public static bool IsAuthorized(string deviceDir) => SysfsFile.ReadTrimmed(Path.Combine(deviceDir, "authorized")) != "0";

    /// <summary>The device at a port path (1-1.4), or null when nothing is attached there.</summary>
    public UsbDevice? Read(string portPath) => Read(portPath, ReadAliases());

    /// <summary>The resolved sysfs directory of a device or hub by its name (1-1.4, usb1); null when absent.</summary>
    public string? DeviceDirectory(string name) => SysfsFile.ResolveDirectory(Path.Combine(DevicesDir, name));

    private UsbDevice? Read(string name, Dictionary<string, List<string>> aliases)
    {
        string? dir = DeviceDirectory(name);
        if (dir is null || UsbDeviceInfo.TryRead(dir) is not { } info)
        {
            return null;
        }
        var interfaces = new List<UsbInterface>();
        // Interfaces are named PORT:CONFIG.INTERFACE; a root hub usb1's is 1-0:1.0.
        foreach (string intf in Directory.EnumerateDirectories(dir, "*:*").Order(StringComparer.Ordinal))
        {
            interfaces.Add(new UsbInterface(
                Path.GetFileName(intf),
                ReadHexByte(Path.Combine(intf, "bInterfaceClass")),
                LinkName(Path.Combine(intf, "driver"))));
        }
        var nodes = new List<UsbNode>();
        CollectNodes(dir, 0, aliases, nodes);
        return new UsbDevice(
            dir, info.PortPath, info.BusNumber, info.DeviceNumber, info.VendorId, info.ProductId,
            info.Manufacturer, info.Product, info.Serial,
            SysfsFile.ReadTrimmed(Path.Combine(dir, "speed")),
            IsAuthorized(dir),
            ReadHexByte(Path.Combine(dir, "bDeviceClass")),
            interfaces,
            nodes);
    }

    /// <summary>
    /// Walks the device's own subtree for class devices with a /dev name. Symlinks are not followed (sysfs is
    /// full of loops through them) and child USB devices of a hub are left to their own entries.
    /// </summary>
    private void CollectNodes(string dir, int depth, Dictionary<string, List<string>> aliases, List<UsbNode> nodes)
    {
        if (depth > MaxNodeDepth)
        {
            return;
        }
        IEnumerable<string> children;
        try
        {
            children = Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }
        foreach (string child in children)
        {
            string name = Path.GetFileName(child);
            if (IsLink(child) || PortPathPattern().IsMatch(name))
            {
                continue;
            }
            if (NodeOf(child, name, Path.GetFileName(dir)) is { } node)
            {
                string path = paths.Dev(node.DevName);
                nodes.Add(new UsbNode(path, node.Subsystem, File.Exists(path),
                    aliases.TryGetValue(path, out var names) ? names : []));
            }
            CollectNodes(child, depth + 1, aliases, nodes);
        }
    }

    private static (string DevName, string Subsystem)? NodeOf(string dir, string name, string parentName)
    {
        var uevent = SysfsFile.ReadKeyValues(Path.Combine(dir, "uevent"));
        string subsystem = LinkName(Path.Combine(dir, "subsystem")) ?? parentName;
        if (uevent.TryGetValue("DEVNAME", out string? devName) && devName.Length > 0)
        {
            // The device's own usbdevfs node is not one of "its" nodes, and interfaces have none.
            return devName.StartsWith("bus/usb/", StringComparison.Ordinal) ? null : (devName, subsystem);
        }
        return NamedByDirectory.Contains(parentName) ? (name, subsystem) : null;
    }

    /// <summary>
    /// Top-level /dev symlinks by the node they point at: udev's names such as /dev/kvmd-video -> video0.
    /// Only the top level is scanned, which is cheap and is where PiKVM's rules put them.
    /// </summary>
    private Dictionary<string, List<string>> ReadAliases()
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        IEnumerable<FileSystemInfo> entries;
        try
        {
            entries = new DirectoryInfo(paths.DevRoot).EnumerateFileSystemInfos().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result;
        }
        foreach (var entry in entries.OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            if (entry.LinkTarget is null)
            {
                continue;
            }
            string? target = FinalTarget(entry.FullName);
            if (target is not null)
            {
                if (!result.TryGetValue(target, out var list))
                {
                    result[target] = list = [];
                }
                list.Add(entry.FullName);
            }
        }
        return result;
    }

    /// <summary>Where a /dev path finally points (itself when it is no symlink); null when it does not exist.</summary>
    public static string? FinalTarget(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is null)
            {
                return info.Exists || Directory.Exists(path) ? Path.GetFullPath(path) : null;
            }
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            return target is not null && target.Exists ? Path.GetFullPath(target.FullName) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static bool IsLink(string path)
    {
        try
        {
            return new DirectoryInfo(path).LinkTarget is not null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static string? LinkName(string path)
    {
        try
        {
            string? target = new FileInfo(path).LinkTarget;
            return target is null ? null : Path.GetFileName(target.TrimEnd('/'));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static byte? ReadHexByte(string path) =>
        byte.TryParse(SysfsFile.ReadTrimmed(path), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte value) ? value : null;

    private static int Compare(UsbDevice a, UsbDevice b)
    {
        int c = a.BusNumber.CompareTo(b.BusNumber);
        if (c != 0)
        {
            return c;
        }
        // Root hubs (usbN) first, then port paths by their numbers: 1-1.2 before 1-1.10.
        if (a.IsRootHub != b.IsRootHub)
        {
            return a.IsRootHub ? -1 : 1;
        }
        int[] x = PortNumbers(a.PortPath), y = PortNumbers(b.PortPath);
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (x[i] != y[i])
            {
                return x[i].CompareTo(y[i]);
            }
        }
        return x.Length.CompareTo(y.Length);
    }

    private static int[] PortNumbers(string portPath) =>
        portPath.Split('-', '.').Select(p => int.TryParse(p, out int n) ? n : 0).ToArray();

    [GeneratedRegex(@"^[0-9]+-[0-9]+(\.[0-9]+)*$")]
    internal static partial Regex PortPathPattern();
}
