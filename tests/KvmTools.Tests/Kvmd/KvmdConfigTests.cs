using KvmTools.Core;
using KvmTools.Core.Config;

namespace KvmTools.Tests.Kvmd;

public class KvmdConfigTests
{
    private const string Relays = "relays:\n  hdmi-button: { channel: 1 }\n";

    private static ConfigException Fails(string yaml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "k.yaml"));

    [Fact]
    public void LoadsEveryKeyInKebabCase()
    {
        var config = ConfigLoader.Parse(Relays + """
            switches:
              main: { backend: relay-button, ports: 3, relay: hdmi-button }
            usb:
              devices:
                capture: { id: "534d:2109" }
            kvmd:
              kvmtool-path: /usr/bin/kvmtool
              override-dir: /etc/kvmd/override.d
              backup-dir: /var/lib/kvmtool/backups
              title: "T"
              buttons:
                a: { relay: hdmi-button, action: "off", label: "A", confirm: true, indicator: i }
                b: { switch: main, port: 2 }
                c: { usb-reset: capture }
                d: { ch9329-reset: true }
                e: { argv: ["/bin/x", "y"] }
              indicators:
                i: { relay: hdmi-button, colour: red, label: "I" }
                j: { capture-healthy: capture }
              layout:
                - ["#L", a, b, c, d, e, i, j]
            """, "k.yaml");
        var kvmd = config.Model.Kvmd!;
        Assert.Equal("/var/lib/kvmtool/backups", kvmd.BackupDir);
        Assert.Equal("off", kvmd.Buttons["a"]!.Action);
        Assert.True(kvmd.Buttons["a"]!.Confirm);
        Assert.Equal("2", kvmd.Buttons["b"]!.Port);
        Assert.Equal("capture", kvmd.Buttons["c"]!.UsbReset);
        Assert.True(kvmd.Buttons["d"]!.Ch9329Reset);
        Assert.Equal(["/bin/x", "y"], kvmd.Buttons["e"]!.Argv);
        Assert.Equal("capture", kvmd.Indicators["j"]!.CaptureHealthy);
        Assert.Equal("red", kvmd.Indicators["i"]!.Colour);
        Assert.Equal(8, kvmd.Layout![0]!.Count);
    }

    [Theory]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: nope }\n", 3, "no relay is named 'nope'")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button, action: toggle }\n", 3, "unknown relay action 'toggle'")]
    [InlineData("kvmd:\n  buttons:\n    a: { argv: [\"/bin/x\"], action: pulse }\n", 3, "'action' only goes with 'relay'")]
    [InlineData("kvmd:\n  buttons:\n    a: { label: x }\n", 3, "does nothing")]
    [InlineData("kvmd:\n  buttons:\n    a:\n", 3, "is empty")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button, argv: [\"/bin/x\"] }\n", 3, "several kinds")]
    [InlineData("kvmd:\n  buttons:\n    a: { switch: main }\n", 3, "needs 'port'")]
    [InlineData("kvmd:\n  buttons:\n    a: { switch: main, port: \"0x1\" }\n", 3, "neither a port number")]
    [InlineData("kvmd:\n  buttons:\n    a: { port: 1 }\n", 3, "'port' only goes with 'switch'")]
    [InlineData("kvmd:\n  buttons:\n    a: { ch9329-reset: false }\n", 3, "does nothing")]
    [InlineData("kvmd:\n  buttons:\n    a: { argv: [] }\n", 3, "argv is empty")]
    [InlineData("kvmd:\n  buttons:\n    a: { argv: [\"kvmtool\", \"x\"] }\n", 3, "not an absolute path")]
    [InlineData("kvmd:\n  buttons:\n    a: { argv: [\"/bin/x\", \" y\"] }\n", 3, "kvmd strips them")]
    [InlineData("kvmd:\n  buttons:\n    a: { argv: [\"/bin/x\", \"a\\0b\"] }\n", 3, "NUL")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button, label: \"two\\nlines\" }\n", 3, "line break")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button, label: \"bell\\a\" }\n", 3, "control character")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button, label: \"  \" }\n", 3, "label is empty")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button, indicator: nope }\n", 3, "no indicator is named 'nope'")]
    [InlineData("kvmd:\n  buttons:\n    \"a b\": { relay: hdmi-button }\n", 3, "not a valid button name")]
    [InlineData("kvmd:\n  buttons:\n    all: { relay: hdmi-button }\n", 3, "command word")]
    [InlineData("kvmd:\n  indicators:\n    i: { relay: hdmi-button, colour: purple }\n", 3, "no colour 'purple'")]
    [InlineData("kvmd:\n  indicators:\n    i: { colour: red }\n", 3, "shows nothing")]
    [InlineData("kvmd:\n  buttons:\n    x: { relay: hdmi-button }\n  indicators:\n    x: { relay: hdmi-button }\n", 5, "both a button and an indicator")]
    [InlineData("kvmd:\n  kvmtool-path: kvmtool\n", 2, "not an absolute path")]
    [InlineData("kvmd:\n  override-dir: etc/kvmd\n", 2, "not an absolute path")]
    [InlineData("kvmd:\n  override-dir: /etc/kvmd/override.d\n  backup-dir: /etc/kvmd/override.d/old\n", 3, "inside override-dir")]
    [InlineData("kvmd:\n  title: \"a\\nb\"\n", 2, "line break")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button }\n  layout:\n    - [\"#x\", b]\n", 5, "neither a label")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button }\n    b: { relay: hdmi-button }\n  layout:\n    - [a]\n", 4, "in no row of 'layout'")]
    [InlineData("kvmd:\n  buttons:\n    a: { relay: hdmi-button, colour: red }\n", 3, "unknown key 'colour'")]
    [InlineData("kvmd:\n  buton:\n    a: { relay: hdmi-button }\n", 2, "unknown key 'buton'")]
    public void MistakesAreLocated(string yaml, int line, string fragment)
    {
        var e = Fails(Relays + yaml);
        Assert.Contains(fragment, e.Message);
        Assert.Equal(line + 2, e.Line);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public void EveryProblemIsListedAtOnce()
    {
        var e = Fails(Relays + "kvmd:\n  buttons:\n    a: { relay: nope }\n    b: { argv: [\"x\"] }\n");
        Assert.Contains("nope", e.Message);
        Assert.Contains("'x' is not an absolute path", e.Message);
    }

    [Fact]
    public void AButtonTextKvmdsPageWouldGarbleIsRefusedWhileALabelMayHoldIt()
    {
        // tests/kvmd/test_page.py saw kvmd's page show an emoji on a button as two broken halves.
        var e = Fails(Relays + "kvmd:\n  buttons:\n    a: { relay: hdmi-button, label: \"PC \U0001F5A5\" }\n");
        Assert.Contains("beyond U+FFFF", e.Message);
        ConfigLoader.Parse(Relays + "kvmd:\n  buttons:\n    a: { relay: hdmi-button, label: \"PC \u2328\" }\n  layout: [[\"#\U0001F5A5\", a]]\n", "k.yaml");
    }

    [Fact]
    public void ACommandTooLongForKvmdIsRefused()
    {
        string yaml = Relays + "kvmd:\n  buttons:\n    a: { argv: [\"/bin/x\", \"" + new string('y', 4090) + "\"] }\n";
        Assert.Contains("too long for kvmd", Fails(yaml).Message);
    }

    [Fact]
    public void SwitchAndUsbReferencesMustNameTheirSections()
    {
        var e = Fails("kvmd:\n  buttons:\n    a: { switch: any, port: kvm-2 }\n    b: { usb-reset: whatever }\n    c: { ch9329-reset: true }\n");
        Assert.Contains("no switch is named 'any'", e.Message);
        Assert.Contains("no USB device is named 'whatever'", e.Message);
        Assert.DoesNotContain("ch9329", e.Message);
    }

    [Fact]
    public void TheShippedExampleHasAKvmdSection()
    {
        var config = ConfigLoader.Load(KvmTools.Tests.Config.ShippedExampleTests.RepoFile("kvmtool.yaml.example"), explicitPath: true);
        var kvmd = config.Model.Kvmd!;
        Assert.Equal("/usr/bin/kvmtool", kvmd.KvmtoolPath);
        Assert.Equal("/etc/kvmd/override.d", kvmd.OverrideDir);
        Assert.NotEmpty(kvmd.Buttons);
        Assert.NotEmpty(kvmd.Indicators);
    }
}
