using KvmTools.Core.Linux;
using KvmTools.Core.Usb;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Usb;

/// <summary>One interface of a fixture device: "1.0", its class and its driver.</summary>
public sealed record InterfaceSpec(string Number, byte Class, string? Driver);

/// <summary>A class device under an interface: where it sits (video4linux/video0), its /dev name and subsystem.</summary>
public sealed record NodeSpec(string Interface, string RelativePath, string DevName, string Subsystem);

/// <summary>Everything needed to plug (and re-plug) a fixture device.</summary>
public sealed record DeviceSpec(string Port, int Bus, int Dev, ushort Vid, ushort Pid)
{
    public string? Product { get; init; }
    public string? Manufacturer { get; init; }
    public string? Serial { get; init; }
    public string Speed { get; init; } = "480";
    public byte Class { get; init; }
    public IReadOnlyList<InterfaceSpec> Interfaces { get; init; } = [];
    public IReadOnlyList<NodeSpec> Nodes { get; init; } = [];

    /// <summary>Top-level /dev symlinks: alias name to /dev name (kvmd-video to video0).</summary>
    public IReadOnlyDictionary<string, string> Aliases { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Builds sysfs trees the way the kernel lays out USB: root hubs with their port directories (and the Linux 6.0
/// 'disable' files), hubs, devices with interfaces, drivers as symlinks, class devices with uevent DEVNAME,
/// /dev nodes, usbdevfs nodes and udev-style /dev symlinks. Devices can be unplugged and re-plugged, deconfigured,
/// and have drivers unbound, which is how tests play the kernel's side of a reset.
/// </summary>
public sealed class UsbTree : IDisposable
{
    private readonly Dictionary<string, (DeviceSpec Spec, string Dir)> _plugged = new(StringComparer.Ordinal);

    public UsbTree()
    {
        File.WriteAllText(Fx.Sys("bus", "usb", "drivers_probe"), "");
    }

    public SysfsFixture Fx { get; } = new();

    public SystemPaths Paths => Fx.Paths;

    public string Dir(string port) => _plugged[port].Dir;

    public DeviceSpec Spec(string port) => _plugged[port].Spec;

    public bool IsPlugged(string port) => _plugged.ContainsKey(port);

    /// <summary>A root hub usbB with <paramref name="ports"/> ports (SysfsFixture puts controllers under this PCI path).</summary>
    public void AddRootHub(int bus, int ports, string speed = "480", bool disableFiles = true)
    {
        string dir = Fx.Sys("devices", "pci0000:00", "0000:00:14.0", "usb" + bus);
        Directory.CreateDirectory(dir);
        WriteDeviceFiles(dir, bus, 1, 0x1d6b, speed == "5000" ? (ushort)0x0003 : (ushort)0x0002, "Linux Foundation", speed == "5000" ? "3.0 root hub" : "2.0 root hub", null, speed, UsbDevice.HubClass);
        string link = Fx.Sys("bus", "usb", "devices", "usb" + bus);
        File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, dir));
        string intf = Path.Combine(dir, $"{bus}-0:1.0");
        Directory.CreateDirectory(intf);
        File.WriteAllText(Path.Combine(intf, "bInterfaceClass"), "09\n");
        File.CreateSymbolicLink(Path.Combine(intf, "driver"), Path.GetRelativePath(intf, DriverDir("hub")));
        AddHubPorts(intf, "usb" + bus, ports, disableFiles);
    }

    /// <summary>An external (or onboard) hub at <paramref name="port"/>.</summary>
    public void AddHub(string port, int bus, int dev, int ports, ushort vid = 0x05e3, ushort pid = 0x0608, bool disableFiles = true)
    {
        Plug(new DeviceSpec(port, bus, dev, vid, pid)
        {
            Product = "USB2.0 Hub",
            Class = UsbDevice.HubClass,
            Interfaces = [new InterfaceSpec("1.0", UsbDevice.HubClass, "hub")],
        });
        AddHubPorts(Path.Combine(Dir(port), port + ":1.0"), port, ports, disableFiles);
    }

    /// <summary>Links two ports as the USB 2 and SuperSpeed halves of one connector (the kernel's 'peer' links).</summary>
    public void Peer(string childPortA, string childPortB)
    {
        string a = PortDir(childPortA), b = PortDir(childPortB);
        File.CreateSymbolicLink(Path.Combine(a, "peer"), Path.GetRelativePath(a, b));
        File.CreateSymbolicLink(Path.Combine(b, "peer"), Path.GetRelativePath(b, a));
    }

    public void SetBoardModel(string model)
    {
        string dir = Fx.Sys("firmware", "devicetree", "base");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "model"), model + "\0");
    }

    /// <summary>The sysfs directory of the hub port <paramref name="childPort"/> hangs off.</summary>
    public string PortDir(string childPort)
    {
        var (hub, port) = UsbHubPort.ParentOf(childPort)!.Value;
        string hubDir = SysfsFile.ResolveDirectory(Fx.Sys("bus", "usb", "devices", hub))!;
        return Directory.EnumerateDirectories(hubDir, "*:*").Select(i => Path.Combine(i, $"{hub}-port{port}")).First(Directory.Exists);
    }

    public string DisableFile(string childPort) => Path.Combine(PortDir(childPort), "disable");

    public string AuthorizedFile(string port) => Path.Combine(Dir(port), "authorized");

    public string DevfsNode(string port) => Path.Combine(Fx.DevRoot, "bus", "usb", $"{Spec(port).Bus:D3}", $"{Spec(port).Dev:D3}");

    public DeviceSpec Plug(DeviceSpec spec)
    {
        string dir = Fx.AddUsbDevice(spec.Port, spec.Bus, spec.Dev, spec.Vid, spec.Pid, spec.Product, spec.Manufacturer, spec.Serial);
        WriteDeviceFiles(dir, spec.Bus, spec.Dev, spec.Vid, spec.Pid, spec.Manufacturer, spec.Product, spec.Serial, spec.Speed, spec.Class);
        _plugged[spec.Port] = (spec, dir);
        string devfs = DevfsNode(spec.Port);
        Directory.CreateDirectory(Path.GetDirectoryName(devfs)!);
        File.WriteAllText(devfs, "");
        Configure(spec.Port);
        return spec;
    }

    /// <summary>What the kernel does on disconnect: the device's directory, link and nodes go away.</summary>
    public void Unplug(string port)
    {
        string dir = Dir(port);
        Deconfigure(port);
        Directory.Delete(dir, recursive: true);
        File.Delete(Fx.Sys("bus", "usb", "devices", port));
        File.Delete(DevfsNode(port));
        _plugged.Remove(port);
    }

    /// <summary>Re-plugs a device that was unplugged, with a new device number.</summary>
    public DeviceSpec Replug(DeviceSpec spec, int newDev) => Plug(spec with { Dev = newDev });

    /// <summary>What deauthorizing does: authorized reads 0, the interfaces (and so every node) are gone.</summary>
    public void Deconfigure(string port)
    {
        var (spec, dir) = _plugged[port];
        foreach (var intf in spec.Interfaces)
        {
            RemoveNodes(spec, intf.Number);
            string intfDir = Path.Combine(dir, $"{port}:{intf.Number}");
            if (Directory.Exists(intfDir))
            {
                Directory.Delete(intfDir, recursive: true);
            }
        }
        File.WriteAllText(Path.Combine(dir, "authorized"), "0\n");
    }

    /// <summary>What authorizing (or plugging) does: the interfaces appear and their drivers bind.</summary>
    public void Configure(string port)
    {
        var (spec, dir) = _plugged[port];
        File.WriteAllText(Path.Combine(dir, "authorized"), "1\n");
        foreach (var intf in spec.Interfaces)
        {
            string intfDir = Path.Combine(dir, $"{port}:{intf.Number}");
            Directory.CreateDirectory(intfDir);
            File.WriteAllText(Path.Combine(intfDir, "bInterfaceClass"), $"{intf.Class:x2}\n");
            if (intf.Driver is not null)
            {
                Bind(port, intf.Number);
            }
        }
    }

    /// <summary>Binds the interface's driver from the spec and creates the nodes that driver makes.</summary>
    public void Bind(string port, string number)
    {
        var (spec, dir) = _plugged[port];
        string driver = spec.Interfaces.Single(i => i.Number == number).Driver!;
        string intfDir = Path.Combine(dir, $"{port}:{number}");
        string link = Path.Combine(intfDir, "driver");
        if (new FileInfo(link).LinkTarget is null)
        {
            File.CreateSymbolicLink(link, Path.GetRelativePath(intfDir, DriverDir(driver)));
        }
        foreach (var node in spec.Nodes.Where(n => n.Interface == number))
        {
            string nodeDir = Path.Combine(intfDir, node.RelativePath);
            Directory.CreateDirectory(nodeDir);
            File.WriteAllText(Path.Combine(nodeDir, "uevent"), $"MAJOR=81\nMINOR=0\nDEVNAME={node.DevName}\n");
            string classDir = Fx.Sys("class", node.Subsystem);
            Directory.CreateDirectory(classDir);
            File.CreateSymbolicLink(Path.Combine(nodeDir, "subsystem"), Path.GetRelativePath(nodeDir, classDir));
            string devPath = Path.Combine(Fx.DevRoot, node.DevName);
            Directory.CreateDirectory(Path.GetDirectoryName(devPath)!);
            File.WriteAllText(devPath, "");
            foreach (var (alias, target) in spec.Aliases.Where(a => a.Value == node.DevName))
            {
                string aliasPath = Path.Combine(Fx.DevRoot, alias);
                if (new FileInfo(aliasPath).LinkTarget is null)
                {
                    File.CreateSymbolicLink(aliasPath, target);
                }
            }
        }
    }

    /// <summary>Unbinds the interface's driver: the driver link and the nodes it made go away.</summary>
    public void Unbind(string port, string number)
    {
        var (spec, dir) = _plugged[port];
        RemoveNodes(spec, number);
        string link = Path.Combine(dir, $"{port}:{number}", "driver");
        if (new FileInfo(link).LinkTarget is not null)
        {
            File.Delete(link);
        }
    }

    /// <summary>Makes only the /dev files of a device vanish (udev lagging behind the kernel).</summary>
    public void RemoveDevFiles(string port)
    {
        foreach (var node in Spec(port).Nodes)
        {
            File.Delete(Path.Combine(Fx.DevRoot, node.DevName));
        }
    }

    /// <summary>udev catching up: the /dev files of the device's nodes appear.</summary>
    public void RestoreDevFiles(string port)
    {
        foreach (var node in Spec(port).Nodes)
        {
            File.WriteAllText(Path.Combine(Fx.DevRoot, node.DevName), "");
        }
    }

    private void RemoveNodes(DeviceSpec spec, string number)
    {
        string dir = _plugged[spec.Port].Dir;
        foreach (var node in spec.Nodes.Where(n => n.Interface == number))
        {
            string nodeDir = Path.Combine(dir, $"{spec.Port}:{number}", node.RelativePath);
            if (Directory.Exists(nodeDir))
            {
                Directory.Delete(nodeDir, recursive: true);
            }
            File.Delete(Path.Combine(Fx.DevRoot, node.DevName));
            foreach (var alias in spec.Aliases.Where(a => a.Value == node.DevName))
            {
                File.Delete(Path.Combine(Fx.DevRoot, alias.Key));
            }
        }
    }

    public string DriverDir(string driver)
    {
        string dir = Fx.Sys("bus", "usb", "drivers", driver);
        if (!Directory.Exists(dir))
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "bind"), "");
            File.WriteAllText(Path.Combine(dir, "unbind"), "");
        }
        return dir;
    }

    private static void AddHubPorts(string intf, string hubName, int ports, bool disableFiles)
    {
        for (int p = 1; p <= ports; p++)
        {
            string portDir = Path.Combine(intf, $"{hubName}-port{p}");
            Directory.CreateDirectory(portDir);
            File.WriteAllText(Path.Combine(portDir, "connect_type"), "hotplug\n");
            if (disableFiles)
            {
                File.WriteAllText(Path.Combine(portDir, "disable"), "0\n");
            }
        }
    }

    private static void WriteDeviceFiles(string dir, int bus, int dev, ushort vid, ushort pid, string? manufacturer, string? product,
        string? serial, string speed, byte cls)
    {
        File.WriteAllText(Path.Combine(dir, "busnum"), bus + "\n");
        File.WriteAllText(Path.Combine(dir, "devnum"), dev + "\n");
        File.WriteAllText(Path.Combine(dir, "idVendor"), $"{vid:x4}\n");
        File.WriteAllText(Path.Combine(dir, "idProduct"), $"{pid:x4}\n");
        File.WriteAllText(Path.Combine(dir, "speed"), speed + "\n");
        File.WriteAllText(Path.Combine(dir, "bDeviceClass"), $"{cls:x2}\n");
        if (manufacturer is not null)
        {
            File.WriteAllText(Path.Combine(dir, "manufacturer"), manufacturer + "\n");
        }
        if (product is not null)
        {
            File.WriteAllText(Path.Combine(dir, "product"), product + "\n");
        }
        if (serial is not null)
        {
            File.WriteAllText(Path.Combine(dir, "serial"), serial + "\n");
        }
    }

    // Devices as the KVM boxes have them.

    /// <summary>An MS2109 HDMI capture dongle: two uvcvideo interfaces (video0, video1) and two snd-usb-audio ones.</summary>
    public static DeviceSpec Capture(string port = "1-1.4", int bus = 1, int dev = 5, int video = 0, int card = 1, string? alias = "kvmd-video") =>
        new(port, bus, dev, 0x534d, 0x2109)
        {
            Manufacturer = "MACROSILICON",
            Product = "USB Video",
            Interfaces =
            [
                new InterfaceSpec("1.0", 0x0e, "uvcvideo"), new InterfaceSpec("1.1", 0x0e, "uvcvideo"),
                new InterfaceSpec("1.2", 0x01, "snd-usb-audio"), new InterfaceSpec("1.3", 0x01, "snd-usb-audio"),
            ],
            Nodes =
            [
                new NodeSpec("1.0", $"video4linux/video{video}", $"video{video}", "video4linux"),
                new NodeSpec("1.0", $"video4linux/video{video + 1}", $"video{video + 1}", "video4linux"),
                new NodeSpec("1.2", $"sound/card{card}/controlC{card}", $"snd/controlC{card}", "sound"),
                new NodeSpec("1.2", $"sound/card{card}/pcmC{card}D0c", $"snd/pcmC{card}D0c", "sound"),
            ],
            Aliases = alias is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [alias] = $"video{video}" },
        };

    /// <summary>An LCUS HID relay board: hidraw under the HID device under the interface.</summary>
    public static DeviceSpec Relay(string port = "1-1.2", int bus = 1, int dev = 3, int hidraw = 0) =>
        new(port, bus, dev, 0x5131, 0x2007)
        {
            Speed = "12",
            Interfaces = [new InterfaceSpec("1.0", 0x03, "usbhid")],
            Nodes = [new NodeSpec("1.0", $"0003:5131:2007.0001/hidraw/hidraw{hidraw}", $"hidraw{hidraw}", "hidraw")],
            Aliases = new Dictionary<string, string> { ["kvmd-hid"] = $"hidraw{hidraw}" },
        };

    /// <summary>An FTDI serial adapter: ttyUSB0 appears as interface/ttyUSB0/tty/ttyUSB0.</summary>
    public static DeviceSpec Ftdi(string port = "1-1.3", int bus = 1, int dev = 4) =>
        new(port, bus, dev, 0x0403, 0x6001)
        {
            Manufacturer = "FTDI",
            Product = "FT232R USB UART",
            Serial = "A50285BI",
            Speed = "12",
            Interfaces = [new InterfaceSpec("1.0", 0xff, "ftdi_sio")],
            Nodes = [new NodeSpec("1.0", "ttyUSB0/tty/ttyUSB0", "ttyUSB0", "tty")],
        };

    /// <summary>A CDC ACM device: ttyACM0 sits directly under interface/tty.</summary>
    public static DeviceSpec Acm(string port = "1-1.1", int bus = 1, int dev = 6) =>
        new(port, bus, dev, 0x2e8a, 0x000a)
        {
            Product = "Pico",
            Serial = "E6614103E7",
            Speed = "12",
            Interfaces = [new InterfaceSpec("1.0", 0x02, "cdc_acm"), new InterfaceSpec("1.1", 0x0a, "cdc_acm")],
            Nodes = [new NodeSpec("1.0", "tty/ttyACM0", "ttyACM0", "tty")],
        };

    /// <summary>A keyboard: an input event node and a hidraw node under the HID device.</summary>
    public static DeviceSpec Keyboard(string port = "2-1", int bus = 2, int dev = 2) =>
        new(port, bus, dev, 0x0627, 0x0001)
        {
            Product = "QEMU USB Keyboard",
            Serial = "68284-0000:00:04.0-1",
            Speed = "12",
            Interfaces = [new InterfaceSpec("1.0", 0x03, "usbhid")],
            Nodes =
            [
                new NodeSpec("1.0", "0003:0627:0001.0002/input/input5/event3", "input/event3", "input"),
                new NodeSpec("1.0", "0003:0627:0001.0002/hidraw/hidraw1", "hidraw1", "hidraw"),
            ],
        };

    public void Dispose() => Fx.Dispose();
}
