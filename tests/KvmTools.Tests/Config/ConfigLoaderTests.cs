using KvmTools.Core;
using KvmTools.Core.Config;

namespace KvmTools.Tests.Config;

public class ConfigLoaderTests
{
    private static ConfigException Fails(string yaml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml"));

    [Fact]
    public void LoadsARelay()
    {
        var config = ConfigLoader.Parse(
            "relays:\n  hdmi-button:\n    usb-port: 1-1.4\n    channel: 1\n    channels: 2\n    pulse-ms: 300\n", "k.yaml");
        var relay = config.Model.Relays["hdmi-button"];
        Assert.Equal("1-1.4", relay.UsbPort);
        Assert.Equal(1, relay.Channel);
        Assert.Equal(2, relay.Channels);
        Assert.Equal(300, relay.PulseMs);
    }

    [Fact]
    public void SectionsWithNothingUnderThemMeanNone()
    {
        var config = ConfigLoader.Parse("relays:\nswitches:\nusb:\n", "k.yaml").Model;
        Assert.Empty(config.Relays);
        Assert.Empty(config.Switches);
        Assert.Empty(config.Usb.Devices);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("relays: {}\n")]
    public void AnEmptyFileMeansNothingConfigured(string yaml) =>
        Assert.Empty(ConfigLoader.Parse(yaml, "k.yaml").Model.Relays);

    [Fact]
    public void AnUnknownKeyIsLocated()
    {
        var e = Fails("relays:\n  hdmi-button:\n    channel: 1\n    chanel: 2\n");
        Assert.Equal((4, 5), (e.Line, e.Column));
        Assert.Contains("unknown key 'chanel'", e.Message);
        Assert.StartsWith("test.yaml:4:5: ", e.Message);
        Assert.Equal(FailureKind.Config, e.Kind);
    }

    [Fact]
    public void AnUnknownSectionIsLocated()
    {
        var e = Fails("relay:\n  x: 1\n");
        Assert.Equal(1, e.Line);
        Assert.Contains("unknown key 'relay'", e.Message);
    }

    [Fact]
    public void AWrongTypeIsLocated()
    {
        var e = Fails("relays:\n  hdmi-button:\n    channel: one\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("wrong type", e.Message);
    }

    [Fact]
    public void BadSyntaxIsLocated()
    {
        var e = Fails("relays:\n  a: [1, 2\n  b: 3\n");
        Assert.Contains("not valid YAML", e.Message);
        Assert.Contains("test.yaml", e.Message);
    }

    [Fact]
    public void ADuplicateKeyIsLocated()
    {
        var e = Fails("relays:\n  a:\n    channel: 1\n  a:\n    channel: 2\n");
        Assert.Equal((4, 3), (e.Line, e.Column));
        Assert.Contains("Duplicate key", e.Message);
    }

    [Fact]
    public void AFileThatIsNotAMappingIsRefused() =>
        Assert.Contains("mapping", Fails("- relays\n").Message);

    [Fact]
    public void TwoDocumentsAreRefused() =>
        Assert.Contains("more than one", Fails("relays: {}\n---\nrelays: {}\n").Message);

    [Theory]
    [InlineData("relays:\n  a:\n    usb-port: 1-1\n", 2, "no 'channel'")]
    [InlineData("relays:\n  a:\n    channel: 0\n", 3, "out of range")]
    [InlineData("relays:\n  a:\n    channel: 3\n    channels: 2\n", 3, "more than the board's 2")]
    [InlineData("relays:\n  a:\n    channel: 1\n    pulse-ms: 20000\n", 4, "pulse-ms")]
    [InlineData("relays:\n  a:\n    channel: 1\n    usb-port: usb1\n", 4, "not a USB port path")]
    [InlineData("relays:\n  a:\n    channel: 1\n    port: /dev/ttyUSB0\n    serial: X\n", 4, "cannot be combined")]
    [InlineData("relays:\n  a:\n    channel: 1\n    port: ttyUSB0\n", 4, "absolute")]
    [InlineData("relays:\n  a:\n    channel: 1\n    family: songle\n", 4, "unknown relay family")]
    [InlineData("relays:\n  list:\n    channel: 1\n", 2, "command word")]
    [InlineData("relays:\n  9lives:\n    channel: 1\n", 2, "not a valid relay name")]
    [InlineData("relays:\n  a.b:\n    channel: 1\n", 2, "not a valid relay name")]
    public void BadValuesAreLocatedAndExplained(string yaml, int line, string text)
    {
        var e = Fails(yaml);
        Assert.Equal(line, e.Line);
        Assert.Contains(text, e.Message);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public void EveryProblemIsReportedAtOnce()
    {
        var e = Fails("relays:\n  a:\n    channel: 0\n  b:\n    channel: 1\n    family: x\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("test.yaml:6:", e.Message);
    }

    [Fact]
    public void AMissingDefaultFileIsEmptyButAMissingNamedFileIsAnError()
    {
        string path = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "kvmtool.yaml");
        Assert.Empty(ConfigLoader.Load(path, explicitPath: false).Model.Relays);
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, explicitPath: true));
        Assert.Contains("does not exist", e.Message);
    }
}
