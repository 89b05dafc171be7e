using KvmTools.Core;
using KvmTools.Core.Usb;

namespace KvmTools.Tests.Usb;

public sealed class UsbSelectorTests : IDisposable
{
    private readonly UsbTree _tree = UsbTestKit.KvmBox();
    private readonly UsbConfig _config = new()
    {
        Devices =
        {
            ["capture"] = new UsbDeviceConfig { Id = "534d:2109", UsbPort = "1-1.4", ResetMethod = "power" },
            ["elsewhere"] = new UsbDeviceConfig { Id = "534d:2109", UsbPort = "1-1.3" },
            ["by-node"] = new UsbDeviceConfig { Device = "/dev/kvmd-hid" },
        },
    };

    public UsbSelectorTests()
    {
        _tree.Plug(UsbTree.Ftdi());
        _tree.Plug(UsbTree.Keyboard(port: "1-1.1", bus: 1, dev: 7));
    }

    public void Dispose() => _tree.Dispose();

    private UsbService Service => UsbTestKit.Service(_tree, new FakeUsbControl(), new ScriptedClock(), _config);

    private string Resolve(string selector) => Assert.Single(Service.Resolve(selector)).PortPath;

    [Theory]
    [InlineData("534d:2109", UsbSelectorKind.Id)]
    [InlineData("0x534d:0x2109", UsbSelectorKind.Id)]
    [InlineData("534D:2109", UsbSelectorKind.Id)]
    [InlineData("001/005", UsbSelectorKind.BusDevice)]
    [InlineData("1/5", UsbSelectorKind.BusDevice)]
    [InlineData("/dev/bus/usb/001/005", UsbSelectorKind.BusDevice)]
    [InlineData("1-1.4", UsbSelectorKind.PortPath)]
    [InlineData("USB Video", UsbSelectorKind.Product)]
    [InlineData("usb video", UsbSelectorKind.Product)]
    [InlineData("/dev/video0", UsbSelectorKind.Node)]
    [InlineData("/dev/kvmd-video", UsbSelectorKind.Node)]
    [InlineData("capture", UsbSelectorKind.Name)]
    public void EveryFormFindsTheDongle(string selector, UsbSelectorKind kind)
    {
        Assert.Equal(kind, Service.Parse(selector).Kind);
        Assert.Equal("1-1.4", Resolve(selector));
    }

    [Theory]
    [InlineData("SN:A50285BI", "1-1.3")]
    [InlineData("/dev/ttyUSB0", "1-1.3")]
    [InlineData("FT232R USB UART", "1-1.3")]
    [InlineData("/dev/hidraw0", "1-1.2")]
    [InlineData("/dev/kvmd-hid", "1-1.2")]
    [InlineData("by-node", "1-1.2")]
    [InlineData("/dev/input/event3", "1-1.1")]
    [InlineData("/dev/hidraw1", "1-1.1")]
    [InlineData("5131:2007", "1-1.2")]
    [InlineData("1-1", "1-1")]
    public void NodesSerialsAndProductsFindTheirDevice(string selector, string port) => Assert.Equal(port, Resolve(selector));

    [Fact]
    public void ANameCarriesItsResetMethod()
    {
        var selector = Service.Parse("capture");
        Assert.Equal(UsbResetMethod.Power, selector.ResetMethod);
        Assert.Equal("'capture' (id 534d:2109, usb-port 1-1.4)", selector.Describe());
    }

    [Fact]
    public void EveryCriterionOfANameMustMatch()
    {
        var e = Assert.Throws<NotFoundException>(() => Service.Resolve("elsewhere"));
        Assert.Contains("'elsewhere' (id 534d:2109, usb-port 1-1.3)", e.Message);
        Assert.Contains("Attached:", e.Message);
        Assert.Contains("534d:2109 \"MACROSILICON USB Video\" at 1-1.4", e.Message);
    }

    [Fact]
    public void TwoIdenticalDonglesAreAnErrorListingBoth()
    {
        _tree.Plug(UsbTree.Capture(port: "1-1.3.1", dev: 9, video: 2, card: 2, alias: null));
        var e = Assert.Throws<UsageException>(() => Service.Resolve("534d:2109"));
        Assert.Contains("2 USB devices match 534d:2109", e.Message);
        Assert.Contains("at 1-1.4", e.Message);
        Assert.Contains("at 1-1.3.1", e.Message);
        Assert.Contains("--all", e.Hint);
        Assert.Contains("kvmtool usb reset 1-1.3.1", e.Hint);

        Assert.Equal(["1-1.4", "1-1.3.1"], Service.Resolve("534d:2109", all: true).Select(d => d.PortPath).Order(StringComparer.Ordinal).Reverse());
        Assert.Equal("1-1.3.1", Resolve("/dev/video2"));
        Assert.Equal("1-1.3.1", Resolve("001/009"));
    }

    [Fact]
    public void TwoDevicesWithOneProductStringAreAmbiguousToo()
    {
        _tree.Plug(UsbTree.Capture(port: "1-1.3.1", dev: 9, video: 2, card: 2, alias: null));
        Assert.Throws<UsageException>(() => Service.Resolve("USB Video"));
    }

    [Theory]
    [InlineData("1d6b:0003", "No USB device matches 1d6b:0003")]
    [InlineData("002/005", "No USB device matches 002/005")]
    [InlineData("1-1.3.4", "No USB device matches 1-1.3.4")]
    [InlineData("SN:nope", "No USB device matches SN:nope")]
    [InlineData("Some Camera", "No USB device matches product \"Some Camera\"")]
    public void NoMatchIsNotFoundAndSaysWhatIsThere(string selector, string message)
    {
        var e = Assert.Throws<NotFoundException>(() => Service.Resolve(selector));
        Assert.Contains(message, e.Message);
        Assert.Contains("0403:6001 \"FTDI FT232R USB UART\" at 1-1.3", e.Message);
        Assert.Contains("kvmtool usb list", e.Hint);
    }

    [Fact]
    public void AMissingNodeIsNotFound()
    {
        var e = Assert.Throws<NotFoundException>(() => Service.Resolve("/dev/video7"));
        Assert.Contains("/dev/video7 does not exist", e.Message);
    }

    [Fact]
    public void ANodeOfNoUsbDeviceIsNotFoundAndSaysWhereItPoints()
    {
        File.WriteAllText(Path.Combine(_tree.Fx.DevRoot, "video10"), "");
        File.CreateSymbolicLink(Path.Combine(_tree.Fx.DevRoot, "codec"), "video10");
        var e = Assert.Throws<NotFoundException>(() => Service.Resolve("/dev/codec"));
        Assert.Contains("/dev/codec (it points at " + Path.Combine(_tree.Fx.DevRoot, "video10") + ") is not a node of any USB device", e.Message);
    }

    [Fact]
    public void WithNoUsbAtAllTheMessageSaysSo()
    {
        using var empty = new UsbTree();
        var service = UsbTestKit.Service(empty, new FakeUsbControl(), new ScriptedClock());
        var e = Assert.Throws<NotFoundException>(() => service.Resolve("534d:2109"));
        Assert.Contains("No USB devices are attached", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("SN:")]
    public void EmptySelectorsAreUsageErrors(string selector) =>
        Assert.Throws<UsageException>(() => Service.Parse(selector));

    [Theory]
    [InlineData("534d:2109", true, 0x534d, 0x2109)]
    [InlineData("0x1D6B:0x0002", true, 0x1d6b, 0x0002)]
    [InlineData("5131:2007", true, 0x5131, 0x2007)]
    [InlineData("534d:21090", false, 0, 0)]
    [InlineData("534d-2109", false, 0, 0)]
    [InlineData("xyz:2109", false, 0, 0)]
    public void ParsesUsbIds(string text, bool ok, int vid, int pid)
    {
        Assert.Equal(ok, UsbSelector.TryParseId(text, out ushort v, out ushort p));
        Assert.Equal((vid, pid), (v, p));
    }

    [Fact]
    public void ConfiguredNamesAreReportedForTheirDevices()
    {
        var service = Service;
        var byPort = service.List().ToDictionary(d => d.PortPath);
        Assert.Equal(["capture"], service.NamesOf(byPort["1-1.4"]));
        Assert.Equal(["by-node"], service.NamesOf(byPort["1-1.2"]));
        Assert.Empty(service.NamesOf(byPort["1-1.3"]));
    }
}
