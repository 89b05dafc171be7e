using KvmTools.Core.Linux;

namespace KvmTools.Tests.Fakes;

/// <summary>
/// A throw-away sysfs + /dev tree shaped like the kernel's: USB devices under /sys/devices with interface
/// directories, HID devices below them, and /sys/class/hidraw and /sys/bus/usb/devices as symlinks.
/// </summary>
public sealed class SysfsFixture : IDisposable
{
    private const string Controller = "devices/pci0000:00/0000:00:14.0";

    public SysfsFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "kvmtool-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Sys("class", "hidraw"));
        Directory.CreateDirectory(Sys("class", "tty"));
        Directory.CreateDirectory(Sys("bus", "usb", "devices"));
        Directory.CreateDirectory(DevRoot);
        Directory.CreateDirectory(RuntimeDir);
    }

    public string Root { get; }

    public string SysRoot => Path.Combine(Root, "sys");

    public string DevRoot => Path.Combine(Root, "dev");

    public string RuntimeDir => Path.Combine(Root, "run", "kvmtool");

    public SystemPaths Paths => new(SysRoot, DevRoot, RuntimeDir, Path.Combine(Root, "var", "lib", "kvmtool"));

    public string Sys(params string[] parts) => Path.Combine([SysRoot, .. parts]);

    /// <summary>Adds a USB device at a port path such as 1-1.4 and returns its sysfs directory.</summary>
    public string AddUsbDevice(string port, int bus, int dev, ushort vid, ushort pid,
        string? product = null, string? manufacturer = null, string? serial = null)
    {
        string dir = UsbDir(port);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "busnum"), bus + "\n");
        File.WriteAllText(Path.Combine(dir, "devnum"), dev + "\n");
        File.WriteAllText(Path.Combine(dir, "idVendor"), $"{vid:x4}\n");
        File.WriteAllText(Path.Combine(dir, "idProduct"), $"{pid:x4}\n");
        if (product is not null)
        {
            File.WriteAllText(Path.Combine(dir, "product"), product + "\n");
        }
        if (manufacturer is not null)
        {
            File.WriteAllText(Path.Combine(dir, "manufacturer"), manufacturer + "\n");
        }
        if (serial is not null)
        {
            File.WriteAllText(Path.Combine(dir, "serial"), serial + "\n");
        }
        string link = Sys("bus", "usb", "devices", port);
        if (!Path.Exists(link))
        {
            File.CreateSymbolicLink(link, Path.GetRelativePath(Path.GetDirectoryName(link)!, dir));
        }
        return dir;
    }

    /// <summary>Adds /dev/hidrawN with a HID device under the USB device at <paramref name="port"/> (or none).</summary>
    public string AddHidraw(int number, string? port, ushort vid, ushort pid, string? hidName = null, string? uniq = null, int hidSeq = -1)
    {
        string name = "hidraw" + number;
        string parent = port is null
            ? Sys("devices", "virtual", "misc", "uhid")
            : Path.Combine(UsbDir(port), port + ":1.0");
        string hidDir = Path.Combine(parent, $"0003:{vid:X4}:{pid:X4}.{(hidSeq < 0 ? number + 1 : hidSeq):X4}");
        string nodeDir = Path.Combine(hidDir, "hidraw", name);
        Directory.CreateDirectory(nodeDir);
        File.WriteAllText(Path.Combine(hidDir, "uevent"),
            $"DRIVER=hid-generic\nHID_ID=0003:{vid:X8}:{pid:X8}\nHID_NAME={hidName}\nHID_PHYS=usb-0000:00:14.0-{port}/input0\nHID_UNIQ={uniq}\nMODALIAS=hid:b0003g0001v{vid:X8}p{pid:X8}\n");
        File.CreateSymbolicLink(Path.Combine(nodeDir, "device"), "../../../" + Path.GetFileName(hidDir));
        File.WriteAllText(Path.Combine(nodeDir, "dev"), $"244:{number}\n");
        File.CreateSymbolicLink(Sys("class", "hidraw", name), Path.GetRelativePath(Sys("class", "hidraw"), nodeDir));
        string devNode = Path.Combine(DevRoot, name);
        File.WriteAllText(devNode, "");
        return devNode;
    }

    /// <summary>
    /// Adds a tty (ttyUSB0) under the USB device at <paramref name="port"/>, linked as the kernel links it: the
    /// class entry /sys/class/tty/ttyUSB0 is a link to .../1-1:1.0/ttyUSB0/tty/ttyUSB0, and the "device" link in
    /// there is relative to that real directory (../../../ttyUSB0, the usb-serial port).
    /// </summary>
    public void AddTty(string name, string port)
    {
        string iface = Path.Combine(UsbDir(port), port + ":1.0");
        string ttyDir = Path.Combine(iface, name);
        string classNode = Path.Combine(ttyDir, "tty", name);
        Directory.CreateDirectory(classNode);
        File.CreateSymbolicLink(Path.Combine(classNode, "device"), "../../../" + name);
        File.CreateSymbolicLink(Sys("class", "tty", name), Path.GetRelativePath(Sys("class", "tty"), classNode));
    }

    private string UsbDir(string port)
    {
        // 1-1.4 lives below 1-1, which lives below usb1: the kernel's nesting, which the USB ancestor walk relies on.
        int dash = port.IndexOf('-');
        string bus = port[..dash];
        string path = Path.Combine(SysRoot, Controller, "usb" + bus);
        string[] hops = port[(dash + 1)..].Split('.');
        string current = bus + "-" + hops[0];
        path = Path.Combine(path, current);
        foreach (string hop in hops.Skip(1))
        {
            current += "." + hop;
            path = Path.Combine(path, current);
        }
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
