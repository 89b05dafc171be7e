using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Switching;

namespace KvmTools.Tests.Switching;

public class SwitchConfigTests
{
    private const string Relay = "relays:\n  hdmi-button:\n    usb-port: 1-1.4\n    channel: 1\n";

    private static ConfigException Fails(string yaml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "k.yaml"));

    [Fact]
    public void LoadsEveryBackend()
    {
        var config = ConfigLoader.Parse(Relay +
            "switches:\n" +
            "  main:\n    backend: relay-button\n    ports: 3\n    port-names: [pc1, pc2, nas]\n    relay: hdmi-button\n    press-ms: 200\n    gap-ms: 400\n" +
            "  pin:\n    backend: gpio-button\n    ports: 4\n    chip: gpiochip0\n    line: 17\n    active-low: true\n" +
            "  sel:\n    backend: gpio-select\n    ports: 3\n    chip: pinctrl-bcm2711\n    lines: [22, 23]\n    codes: {1: [0, 0], 2: [1, 0], 3: [0, 1]}\n" +
            "  tes:\n    backend: tesmart\n    ports: 8\n    host: 192.168.1.10\n    tcp-port: 5000\n" +
            "  tes-serial:\n    backend: tesmart\n    ports: 16\n    port: /dev/ttyUSB0\n" +
            "  ez:\n    backend: ezcoo\n    ports: 4\n    port: /dev/ttyUSB1\n    baud: 115200\n", "k.yaml");
        var s = config.Model.Switches;
        Assert.Equal(6, s.Count);
        Assert.Equal(["pc1", "pc2", "nas"], s["main"].PortNames!);
        Assert.Equal(new SwitchTimings(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)), SwitchTimings.From(s["main"]));
        Assert.True(s["pin"].ActiveLow);
        Assert.Equal(17, s["pin"].Line);
        Assert.Equal([1, 0], s["sel"].Codes![2]);
        Assert.Equal([22, 23], s["sel"].Lines!);
        Assert.Equal(5000, s["tes"].TcpPort);
        Assert.Equal(115200, s["ez"].Baud);

        var main = SwitchDefinition.Resolve(config, "main");
        Assert.Equal((SwitchBackend.RelayButton, 3), (main.Backend, main.Ports));
        Assert.Equal(3, main.ParsePort("nas"));
        Assert.Equal(2, main.ParsePort("2"));
        Assert.Equal("3 (nas)", main.Describe(3));
    }

    [Fact]
    public void DefaultTimingsApply()
    {
        var config = ConfigLoader.Parse(Relay + "switches:\n  main:\n    backend: relay-button\n    ports: 3\n    relay: hdmi-button\n", "k.yaml");
        Assert.Equal(new SwitchTimings(SwitchTimings.DefaultPress, SwitchTimings.DefaultGap), SwitchTimings.From(config.Model.Switches["main"]));
    }

    [Fact]
    public void TheRelayMustBeDefined()
    {
        var e = Fails("switches:\n  main:\n    backend: relay-button\n    ports: 3\n    relay: hdmi-buton\n");
        Assert.Contains("relay 'hdmi-buton' is not defined", e.Message);
        Assert.Equal((5, 12), (e.Line, e.Column));
    }

    [Theory]
    [InlineData("    backend: relay-button\n    ports: 3\n", "has no 'relay'")]
    [InlineData("    backend: hdmi\n    ports: 3\n", "unknown switch backend 'hdmi'")]
    [InlineData("    ports: 3\n", "has no 'backend'")]
    [InlineData("    backend: relay-button\n    relay: hdmi-button\n", "has no 'ports'")]
    [InlineData("    backend: relay-button\n    ports: 1\n    relay: hdmi-button\n", "ports 1 is out of range")]
    [InlineData("    backend: ezcoo\n    ports: 8\n    port: /dev/ttyUSB0\n", "ports 8 is out of range")]
    [InlineData("    backend: relay-button\n    ports: 3\n    relay: hdmi-button\n    line: 4\n", "'line' does not apply to a relay-button switch")]
    [InlineData("    backend: relay-button\n    ports: 3\n    relay: hdmi-button\n    press-ms: 5\n", "press-ms 5 is out of range")]
    [InlineData("    backend: relay-button\n    ports: 16\n    relay: hdmi-button\n    press-ms: 1000\n    gap-ms: 1000\n", "longest press sequence")]
    [InlineData("    backend: relay-button\n    ports: 3\n    relay: hdmi-button\n    port-names: [a, b]\n", "2 port names for 3 ports")]
    [InlineData("    backend: relay-button\n    ports: 2\n    relay: hdmi-button\n    port-names: [pc, pc]\n", "'pc' is used twice")]
    [InlineData("    backend: relay-button\n    ports: 2\n    relay: hdmi-button\n    port-names: [pc, next]\n", "kvmtool command word")]
    [InlineData("    backend: gpio-button\n    ports: 3\n    line: 17\n", "has no 'chip'")]
    [InlineData("    backend: gpio-button\n    ports: 3\n    chip: gpiochip0\n", "has no 'line'")]
    [InlineData("    backend: gpio-select\n    ports: 3\n    chip: gpiochip0\n", "has no 'lines'")]
    [InlineData("    backend: gpio-select\n    ports: 5\n    chip: gpiochip0\n    lines: [1, 2]\n", "2 lines cannot select among 5 ports")]
    [InlineData("    backend: gpio-select\n    ports: 2\n    chip: gpiochip0\n    lines: [1, 1]\n", "listed twice")]
    [InlineData("    backend: gpio-select\n    ports: 2\n    chip: gpiochip0\n    lines: [1]\n    codes: {1: [0]}\n", "no entry for port 2")]
    [InlineData("    backend: gpio-select\n    ports: 2\n    chip: gpiochip0\n    lines: [1]\n    codes: {1: [0], 2: [0]}\n", "the same code")]
    [InlineData("    backend: gpio-select\n    ports: 2\n    chip: gpiochip0\n    lines: [1]\n    codes: {1: [0], 2: [2]}\n", "each 0 or 1")]
    [InlineData("    backend: gpio-select\n    ports: 2\n    chip: gpiochip0\n    lines: [1]\n    codes: {1: [0], 2: [1], 3: [1]}\n", "port 3, which does not exist")]
    [InlineData("    backend: tesmart\n    ports: 8\n", "exactly one of 'port'")]
    [InlineData("    backend: tesmart\n    ports: 8\n    port: /dev/ttyUSB0\n    host: 10.0.0.2\n", "exactly one of 'port'")]
    [InlineData("    backend: tesmart\n    ports: 8\n    port: ttyUSB0\n", "not an absolute path")]
    [InlineData("    backend: ezcoo\n    ports: 4\n", "has no 'port'")]
    [InlineData("    backend: ezcoo\n    ports: 4\n    port: /dev/ttyUSB0\n    baud: 12345\n", "not a standard rate")]
    public void BadSwitchesAreLocatedAndExplained(string body, string expected)
    {
        var e = Fails(Relay + "switches:\n  main:\n" + body);
        Assert.Contains(expected, e.Message);
        Assert.True(e.Line > 0, e.Message);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public void CodesThatAreNotNumbersAreAWrongType()
    {
        var e = Fails("switches:\n  main:\n    backend: gpio-select\n    ports: 2\n    chip: gpiochip0\n    lines: [1]\n    codes: {1: [low]}\n");
        Assert.Contains("wrong type", e.Message);
    }

    private static LoadedConfig Two() => ConfigLoader.Parse(Relay +
        "switches:\n  desk:\n    backend: relay-button\n    ports: 3\n    relay: hdmi-button\n" +
        "  rack:\n    backend: tesmart\n    ports: 8\n    host: 10.0.0.2\n", "k.yaml");

    [Fact]
    public void WithSeveralSwitchesOneMustBeNamed()
    {
        var e = Assert.Throws<UsageException>(() => SwitchDefinition.Resolve(Two(), null));
        Assert.Contains("desk, rack", e.Message);
        Assert.Contains("--switch", e.Hint);
        Assert.Equal("rack", SwitchDefinition.Resolve(Two(), "rack").Name);
        Assert.Contains("configured: desk, rack", Assert.Throws<UsageException>(() => SwitchDefinition.Resolve(Two(), "tv")).Message);
    }

    [Fact]
    public void WithNoSwitchesTheMessageSaysWhereToAddOne()
    {
        var e = Assert.Throws<UsageException>(() => SwitchDefinition.Resolve(ConfigLoader.Parse(Relay, "k.yaml"), null));
        Assert.Contains("No switch is configured in k.yaml", e.Message);
        Assert.Contains("switches:", e.Hint);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("4")]
    [InlineData("tv")]
    [InlineData("-1")]
    public void InputsOutsideTheSwitchAreUsageErrors(string input)
    {
        var sw = SwitchDefinition.Resolve(Two(), "desk");
        var e = Assert.Throws<UsageException>(() => sw.ParsePort(input));
        Assert.Contains("1 to 3", e.Message + e.Hint);
    }
}
