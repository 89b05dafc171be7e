using KvmTools.Core.Linux;

namespace KvmTools.Core.Ch9329;

/// <summary>The serial port the CH9329 is on, and how kvmtool chose it.</summary>
public sealed record Ch9329Port(string Path, string Node, string ChosenBy, UsbDeviceInfo? Usb)
{
    /// <summary>"/dev/kvmd-hid (→ /dev/ttyUSB0)" or just the path.</summary>
    public string Describe() => Path == Node ? Path : $"{Path} (→ {Node})";

    /// <summary>A file-name-safe key for the port's lock: the node it resolves to, so every name for it shares the lock.</summary>
    public string LockName =>
        "serial-" + (Node.StartsWith("/dev/", StringComparison.Ordinal) ? Node["/dev/".Length..] : Node.TrimStart('/')).Replace('/', '-');
}

/// <summary>A tty with a USB device behind it, as sysfs shows it.</summary>
public sealed record UsbSerialPort(string Name, string DevicePath, UsbDeviceInfo Usb, string? Bridge)
{
    public string Describe() =>
        $"{DevicePath} ({Usb.Id}{(Bridge is null ? "" : " " + Bridge)}{(Usb.Product is null ? "" : $" \"{Usb.Product}\"")}, USB port {Usb.PortPath})";
}

/// <summary>
/// Finds the CH9329's serial port: the one given, else the one in kvmtool.yaml, else kvmd's /dev/kvmd-hid, else
/// the only CH340 USB-serial adapter. The CH9329 itself is a USB device only towards the target computer
/// (1a86:e129 there); on the KVM box it sits behind a USB-serial bridge, and the boards sold for kvmd use a CH340.
/// </summary>
public sealed class Ch9329PortFinder(SystemPaths paths)
{
    /// <summary>The name kvmd's udev rules give the HID serial port.</summary>
    public const string KvmdHidName = "kvmd-hid";

    public static readonly IReadOnlyList<(ushort VendorId, ushort ProductId, string Name)> Bridges =
    [
        (0x1a86, 0x7523, "CH340"),
    ];

    /// <param name="commandLine">--port, if given.</param>
    /// <param name="configured">ch9329.port from kvmtool.yaml, if set.</param>
    /// <param name="otherDevices">Ports kvmtool.yaml gives to other devices (LCUS relay boards also use a CH340).</param>
    public Ch9329Port Find(string? commandLine, string? configured, IEnumerable<string> otherDevices)
    {
        if (commandLine is not null)
        {
            return Describe(commandLine, "--port");
        }
        if (configured is not null)
        {
            return Describe(configured, "kvmtool.yaml");
        }
        string kvmdHid = paths.Dev(KvmdHidName);
        if (File.Exists(SerialPortAccess.ResolveNode(kvmdHid)))
        {
            return Describe(kvmdHid, "/dev/" + KvmdHidName);
        }

        var taken = otherDevices.Select(d => SerialPortAccess.ResolveNode(paths.MapDevPath(d))).ToHashSet(StringComparer.Ordinal);
        var all = ListUsbSerialPorts();
        var bridges = all.Where(p => p.Bridge is not null && !taken.Contains(SerialPortAccess.ResolveNode(p.DevicePath))).ToList();
        if (bridges.Count == 1)
        {
            return Describe(bridges[0].DevicePath, $"the only {bridges[0].Bridge} serial port");
        }
        string bridgeNames = string.Join(" or ", Bridges.Select(b => $"{b.Name} ({b.VendorId:x4}:{b.ProductId:x4})"));
        if (bridges.Count == 0)
        {
            string present = all.Count == 0
                ? "No USB serial ports are attached."
                : "USB serial ports attached: " + string.Join("; ", all.Select(p => p.Describe())) + ".";
            throw new NotFoundException(
                $"No CH9329 serial port found: {kvmdHid} does not exist and no {bridgeNames} adapter is attached" +
                (taken.Count > 0 ? " apart from the relay boards in kvmtool.yaml" : "") + $". {present}",
                "Give the port with --port /dev/ttyUSBn, or set 'port:' under 'ch9329:' in kvmtool.yaml.");
        }
        throw new UsageException(
            $"{bridges.Count} {bridgeNames} serial ports are attached and none is named as the CH9329's: " +
            string.Join("; ", bridges.Select(p => p.Describe())) + ".",
            "Pick one with --port, or set 'port:' under 'ch9329:' in kvmtool.yaml (a /dev/serial/by-path/ name stays " +
            "the same across reboots).");
    }

    /// <summary>Every tty with a USB device behind it (ttyUSB, ttyACM), marked when its adapter is a known CH9329 bridge.</summary>
    public IReadOnlyList<UsbSerialPort> ListUsbSerialPorts()
    {
        string classDir = paths.Sys("class", "tty");
        if (!Directory.Exists(classDir))
        {
            return [];
        }
        var result = new List<UsbSerialPort>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(classDir).Order(StringComparer.Ordinal))
        {
            string name = System.IO.Path.GetFileName(entry);
            string? device = SysfsFile.ResolveDirectory(System.IO.Path.Combine(entry, "device"));
            if (device is null || UsbDeviceInfo.FindAncestor(device, paths.SysRoot) is not { } usb)
            {
                continue;
            }
            string? bridge = Bridges.Where(b => b.VendorId == usb.VendorId && b.ProductId == usb.ProductId)
                .Select(b => b.Name).FirstOrDefault();
            result.Add(new UsbSerialPort(name, paths.Dev(name), usb, bridge));
        }
        return result;
    }

    private Ch9329Port Describe(string path, string chosenBy)
    {
        string mapped = paths.MapDevPath(path);
        string node = SerialPortAccess.ResolveNode(mapped);
        if (!File.Exists(node))
        {
            throw new NotFoundException($"The serial port {path} (from {chosenBy}) does not exist.",
                "Check the cable; 'ls -l /dev/kvmd-hid /dev/ttyUSB* /dev/ttyACM*' lists the serial ports that are attached.");
        }
        string? sysDir = SysfsFile.ResolveDirectory(paths.Sys("class", "tty", System.IO.Path.GetFileName(node), "device"));
        var usb = sysDir is null ? null : UsbDeviceInfo.FindAncestor(sysDir, paths.SysRoot);
        return new Ch9329Port(mapped, node, chosenBy, usb);
    }
}
