using KvmTools.Core;
using KvmTools.Core.Ch9329;
using KvmTools.Core.Config;
using KvmTools.Tests.Config;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Ch9329;

/// <summary>Which port is the CH9329's: fixture sysfs trees shaped like the kernel's, with real symlinks.</summary>
public sealed class Ch9329PortFinderTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private int _devices;

    private Ch9329PortFinder Finder => new(_fx.Paths);

    private string AddSerial(string tty, string usbPort, ushort vid, ushort pid, string? product = null)
    {
        _fx.AddUsbDevice(usbPort, 1, 10 + ++_devices, vid, pid, product);
        _fx.AddTty(tty, usbPort);
        string node = Path.Combine(_fx.DevRoot, tty);
        File.WriteAllText(node, "");
        return node;
    }

    [Fact]
    public void ThePortOnTheCommandLineWins()
    {
        string node = AddSerial("ttyUSB3", "1-1.3", 0x0403, 0x6001);
        File.CreateSymbolicLink(Path.Combine(_fx.DevRoot, "kvmd-hid"), node);
        var port = Finder.Find("/dev/ttyUSB3", "/dev/kvmd-hid", []);
        Assert.Equal(node, port.Path);
        Assert.Equal("--port", port.ChosenBy);
        Assert.Equal("1-1.3", port.Usb?.PortPath);
    }

    [Fact]
    public void KvmdHidIsUsedAndResolvedToItsTty()
    {
        string node = AddSerial("ttyUSB0", "1-1.2", 0x1a86, 0x7523, "USB Serial");
        File.CreateSymbolicLink(Path.Combine(_fx.DevRoot, "kvmd-hid"), "ttyUSB0");
        var port = Finder.Find(null, null, []);
        Assert.Equal(Path.Combine(_fx.DevRoot, "kvmd-hid"), port.Path);
        Assert.Equal(node, port.Node);
        Assert.Equal("1a86:7523", port.Usb?.Id);
        Assert.Contains("(→ " + node + ")", port.Describe());
        Assert.Equal("serial-" + node.TrimStart('/').Replace('/', '-'), port.LockName);
    }

    [Fact]
    public void WithoutKvmdHidTheOnlyCh340IsTaken()
    {
        AddSerial("ttyUSB0", "1-1.1", 0x0403, 0x6001, "FT232R");
        string ch340 = AddSerial("ttyUSB1", "1-1.2", 0x1a86, 0x7523);
        var port = Finder.Find(null, null, []);
        Assert.Equal(ch340, port.Path);
        Assert.Equal("the only CH340 serial port", port.ChosenBy);
    }

    [Fact]
    public void ARelayBoardsCh340IsNotTakenForTheCh9329()
    {
        string relay = AddSerial("ttyUSB0", "1-1.1", 0x1a86, 0x7523);
        string ch340 = AddSerial("ttyUSB1", "1-1.2", 0x1a86, 0x7523);
        var port = Finder.Find(null, null, [relay]);
        Assert.Equal(ch340, port.Path);
    }

    [Fact]
    public void TwoCh340sAreAUsageErrorListingBoth()
    {
        AddSerial("ttyUSB0", "1-1.1", 0x1a86, 0x7523);
        AddSerial("ttyUSB1", "1-1.2", 0x1a86, 0x7523);
        var e = Assert.Throws<UsageException>(() => Finder.Find(null, null, []));
        Assert.Contains("ttyUSB0", e.Message);
        Assert.Contains("ttyUSB1", e.Message);
        Assert.Contains("1-1.2", e.Message);
        Assert.Contains("--port", e.Hint);
    }

    [Fact]
    public void NoCandidateIsNotFoundAndListsWhatIsAttached()
    {
        AddSerial("ttyUSB0", "1-1.1", 0x0403, 0x6001, "FT232R");
        var e = Assert.Throws<NotFoundException>(() => Finder.Find(null, null, []));
        Assert.Contains("kvmd-hid", e.Message);
        Assert.Contains("ttyUSB0 (0403:6001 \"FT232R\"", e.Message);
        Assert.Contains("--port", e.Hint);
    }

    [Fact]
    public void AMissingPortIsNotFound()
    {
        var e = Assert.Throws<NotFoundException>(() => Finder.Find(null, "/dev/ttyUSB7", []));
        Assert.Contains("/dev/ttyUSB7 (from kvmtool.yaml)", e.Message);
    }

    [Fact]
    public void TheSectionLoadsFromYamlWithHexAddresses()
    {
        var config = ConfigLoader.Parse("ch9329:\n  port: /dev/ttyUSB1\n  baud: 115200\n  address: 0x05\n", "k.yaml");
        Assert.Equal("/dev/ttyUSB1", config.Model.Ch9329!.Port);
        Assert.Equal(115200, config.Model.Ch9329.Baud);
        Assert.Equal(5, config.Model.Ch9329.Address);
        var target = Ch9329Target.Resolve(null, null, null, config);
        Assert.Equal((115200, (byte)5, "/dev/ttyUSB1"), (target.Baud!.Value, target.Address, target.ConfiguredPort));
        var overridden = Ch9329Target.Resolve("/dev/ttyUSB0", "auto", "7", config);
        Assert.Equal(("/dev/ttyUSB0", (int?)null, 115200, (byte)7), (overridden.Port, overridden.Baud, overridden.PreferredBaud!.Value, overridden.Address));
    }

    [Fact]
    public void BadValuesAreReportedWithTheirLines()
    {
        var e = Assert.Throws<ConfigException>(() =>
            ConfigLoader.Parse("ch9329:\n  port: ttyUSB0\n  baud: 14400\n  address: 255\n", "k.yaml"));
        Assert.Equal(2, e.Line);
        Assert.Contains("not an absolute path", e.Message);
        Assert.Contains("k.yaml:3:9: baud 14400", e.Message);
        Assert.Contains("k.yaml:4:12: address 255", e.Message);
    }

    [Fact]
    public void TheShippedExampleKeepsPortDiscoveryAndTheFactoryRate()
    {
        var config = ConfigLoader.Load(ShippedExampleTests.RepoFile("kvmtool.yaml.example"), explicitPath: true);
        Assert.Null(config.Model.Ch9329?.Port);
        Assert.Equal(9600, config.Model.Ch9329?.Baud);
    }
}
