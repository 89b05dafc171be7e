using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Tests.Config;

namespace KvmTools.Tests.Usb;

public class UsbConfigTests
{
    private static ConfigException Fails(string yaml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "k.yaml"));

    [Fact]
    public void LoadsNamedDevices()
    {
        var config = ConfigLoader.Parse(
            "usb:\n  devices:\n    capture:\n      id: \"534d:2109\"\n      usb-port: \"1-1.2\"\n      reset-method: auto\n" +
            "    relay:\n      device: /dev/kvmd-hid\n      serial: ABC\n      product: USB Relay\n", "k.yaml");
        var capture = config.Model.Usb.Devices["capture"];
        Assert.Equal("534d:2109", capture.Id);
        Assert.Equal("1-1.2", capture.UsbPort);
        Assert.Equal("auto", capture.ResetMethod);
        var relay = config.Model.Usb.Devices["relay"];
        Assert.Equal("/dev/kvmd-hid", relay.Device);
        Assert.Equal("ABC", relay.Serial);
        Assert.Equal("USB Relay", relay.Product);
    }

    [Fact]
    public void NoUsbSectionMeansNoNames() =>
        Assert.Empty(ConfigLoader.Parse("relays: {}\n", "k.yaml").Model.Usb.Devices);

    [Theory]
    [InlineData("      id: \"534d:21090\"\n", "is not a USB id", 4)]
    [InlineData("      usb-port: \"1.1-2\"\n", "is not a USB port path", 4)]
    [InlineData("      device: video0\n", "is not an absolute path", 4)]
    [InlineData("      id: \"534d:2109\"\n      reset-method: reboot\n", "unknown reset method 'reboot'", 5)]
    [InlineData("      id: \"534d:2109\"\n      resetmethod: power\n", "unknown key 'resetmethod'", 5)]
    public void BadValuesAreLocated(string body, string message, int line)
    {
        var e = Fails("usb:\n  devices:\n    capture:\n" + body);
        Assert.Contains(message, e.Message);
        Assert.Equal(line, e.Line);
    }

    [Fact]
    public void ADeviceThatSaysNothingIsAnError()
    {
        var e = Fails("usb:\n  devices:\n    capture: {}\n");
        Assert.Contains("says nothing about which device it is", e.Message);
        Assert.Equal(3, e.Line);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("1capture")]
    public void NamesFollowTheCommonRules(string name)
    {
        var e = Fails($"usb:\n  devices:\n    {name}:\n      id: \"534d:2109\"\n");
        Assert.Contains($"'{name}'", e.Message);
    }

    [Fact]
    public void TheShippedExampleNamesTheCaptureDongle()
    {
        var config = ConfigLoader.Load(ShippedExampleTests.RepoFile("kvmtool.yaml.example"), explicitPath: true);
        var capture = config.Model.Usb.Devices["capture"];
        Assert.Equal("534d:2109", capture.Id);
        Assert.NotNull(capture.UsbPort);
    }
}
