using System.Globalization;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Usb;

/// <summary>
/// The hub port a device hangs off, as sysfs shows it: /sys/bus/usb/devices/1-1/1-1:1.0/1-1-port4 for 1-1.4,
/// .../usb1/1-0:1.0/usb1-port1 for 1-1. The port exists whether or not a device is attached, so a power reset
/// can still find it after the device fell off the bus.
/// </summary>
public sealed record UsbHubPort(string ChildPortPath, string HubName, int Port, string HubSysPath, string PortSysPath)
{
    /// <summary>The same connector's twin on the other speed's hub (USB 3 hubs are a USB 2 and a SuperSpeed hub in one).</summary>
    public UsbHubPort? Peer { get; init; }

    /// <summary>The kernel's port power switch (Linux 6.0+): writing 1 disconnects the device and switches the port off.</summary>
    public string DisableFile => Path.Combine(PortSysPath, "disable");

    public bool HasDisableFile => File.Exists(DisableFile);

    public bool IsRootHubPort => HubName.StartsWith("usb", StringComparison.Ordinal);

    public string Describe() => $"port {Port} of hub {HubName}";

    /// <summary>The hub and port number a port path hangs off: 1-1.4 is port 4 of 1-1, 1-1 is port 1 of usb1.</summary>
    public static (string Hub, int Port)? ParentOf(string portPath)
    {
        if (!UsbInventory.PortPathPattern().IsMatch(portPath))
        {
            return null;
        }
        int dot = portPath.LastIndexOf('.');
        if (dot > 0)
        {
            return (portPath[..dot], int.Parse(portPath[(dot + 1)..], CultureInfo.InvariantCulture));
        }
        int dash = portPath.IndexOf('-', StringComparison.Ordinal);
        return ("usb" + portPath[..dash], int.Parse(portPath[(dash + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>The port path of whatever is attached to port <paramref name="port"/> of <paramref name="hub"/>.</summary>
    public static string ChildOf(string hub, int port) =>
        hub.StartsWith("usb", StringComparison.Ordinal) ? $"{hub[3..]}-{port}" : $"{hub}.{port}";

    /// <summary>Finds the port in sysfs; null when the hub or its port directory is not there.</summary>
    public static UsbHubPort? Locate(UsbInventory inventory, string portPath)
    {
        if (ParentOf(portPath) is not var (hub, port))
        {
            return null;
        }
        string? hubDir = inventory.DeviceDirectory(hub);
        if (hubDir is null || FindPortDir(hubDir, hub, port) is not { } portDir)
        {
            return null;
        }
        return new UsbHubPort(portPath, hub, port, hubDir, portDir) { Peer = PeerOf(portDir) };
    }

    /// <summary>The hub's interface directory holds its ports; a hub has one interface, usually :1.0.</summary>
    private static string? FindPortDir(string hubDir, string hub, int port)
    {
        string name = $"{hub}-port{port}";
        foreach (string intf in Directory.EnumerateDirectories(hubDir, "*:*").Order(StringComparer.Ordinal))
        {
            string candidate = Path.Combine(intf, name);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static UsbHubPort? PeerOf(string portDir)
    {
        string? peerDir = SysfsFile.ResolveDirectory(Path.Combine(portDir, "peer"));
        if (peerDir is null)
        {
            return null;
        }
        string name = Path.GetFileName(peerDir);
        int cut = name.LastIndexOf("-port", StringComparison.Ordinal);
        string? hubDir = Path.GetDirectoryName(Path.GetDirectoryName(peerDir));
        if (cut <= 0 || hubDir is null || !int.TryParse(name[(cut + "-port".Length)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            return null;
        }
        string hub = name[..cut];
        return new UsbHubPort(ChildOf(hub, port), hub, port, hubDir, peerDir);
    }
}

/// <summary>What switching one port's power does on this hub, and why kvmtool thinks so.</summary>
public sealed record PortPowerInfo(PortPowerSwitching Switching, string Reason)
{
    /// <summary>
    /// Raspberry Pi 4 and 5 boards report per-port switching on some of their onboard hubs, yet all onboard
    /// ports share one power switch (the VL805 on the Pi 4; the RP1 on the Pi 5): what the descriptor says
    /// cannot be trusted there, so the board model decides.
    /// </summary>
    public static PortPowerInfo Determine(UsbHubPort port, UsbDeviceInfo? hub, SystemPaths paths, IUsbControl control)
    {
        string? model = SysfsFile.ReadTrimmed(paths.Sys("firmware", "devicetree", "base", "model"))?.TrimEnd('\0').Trim();
        bool pi4 = model is not null && (model.StartsWith("Raspberry Pi 4", StringComparison.Ordinal) || model.StartsWith("Raspberry Pi 400", StringComparison.Ordinal));
        bool pi5 = model is not null && model.StartsWith("Raspberry Pi 5", StringComparison.Ordinal);
        bool vl805 = hub is { VendorId: 0x2109, ProductId: 0x3431 } && port.HubName == "1-1";
        if ((pi4 && (port.IsRootHubPort || vl805)) || (pi5 && port.IsRootHubPort))
        {
            return new PortPowerInfo(PortPowerSwitching.Ganged,
                $"on a {model} all onboard USB ports share one power switch");
        }
        if (hub is null)
        {
            return new PortPowerInfo(PortPowerSwitching.Unknown, $"hub {port.HubName} is not described in sysfs");
        }
        bool superSpeed = double.TryParse(SysfsFile.ReadTrimmed(Path.Combine(port.HubSysPath, "speed")), NumberStyles.Float,
            CultureInfo.InvariantCulture, out double mbps) && mbps >= 5000;
        byte[]? raw = control.ReadHubDescriptor(paths.Dev(hub.DevfsName), superSpeed);
        if (raw is null || HubDescriptor.Parse(raw) is not { } descriptor)
        {
            return new PortPowerInfo(PortPowerSwitching.Unknown,
                $"the hub descriptor of {port.HubName} could not be read through {paths.Dev(hub.DevfsName)} (that needs root) " +
                "to tell whether its ports switch separately");
        }
        return descriptor.Switching switch
        {
            PortPowerSwitching.PerPort => new PortPowerInfo(PortPowerSwitching.PerPort, $"hub {port.HubName} reports per-port power switching"),
            PortPowerSwitching.Ganged => new PortPowerInfo(PortPowerSwitching.Ganged, $"hub {port.HubName} reports ganged power switching (one switch for all ports)"),
            _ => new PortPowerInfo(PortPowerSwitching.None, $"hub {port.HubName} reports no port power switching"),
        };
    }
}
