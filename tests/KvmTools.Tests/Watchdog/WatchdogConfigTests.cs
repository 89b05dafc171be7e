using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Linux;
using KvmTools.Core.Watchdog;

namespace KvmTools.Tests.Watchdog;

public sealed class WatchdogConfigTests
{
    private const string Relays = "relays:\n  capture-power:\n    usb-port: \"1-1.4\"\n    channel: 2\n";

    private static ConfigException Invalid(string yaml) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "k.yaml"));

    [Fact]
    public void AFullSectionLoads()
    {
        var config = ConfigLoader.Parse(Relays +
            "watchdog:\n" +
            "  capture:\n" +
            "    id: \"534d:2109\"\n" +
            "    usb-port: \"1-1.2\"\n" +
            "    video: /dev/kvmd-video\n" +
            "    streamer: kvmd\n" +
            "    streamer-timeout-ms: 1500\n" +
            "    ladder: [relay-power]\n" +
            "    power-relay: capture-power\n" +
            "    power-off-seconds: 4\n" +
            "  pause-seconds: 7\n" +
            "  steps-per-run: 0\n" +
            "  cooldown-seconds: 600\n" +
            "  max-recoveries-per-hour: 2\n" +
            "  give-up-after-ladders: 5\n", "k.yaml");
        var w = config.Model.Watchdog!;
        Assert.Equal(["relay-power"], w.Capture!.Ladder);
        Assert.Equal("kvmd", w.Capture.Streamer);
        var policy = WatchdogPolicy.From(w);
        Assert.Equal(new WatchdogPolicy(TimeSpan.FromSeconds(7), 0, TimeSpan.FromMinutes(10), 2, 5), policy);

        var (devices, _) = WatchdogSetup.Build(config, SystemPaths.Default, WatchdogSteps.Available);
        var capture = Assert.Single(devices);
        Assert.Equal(["usb", "video", "streamer"], capture.Probes.Select(p => p.Name));
        var streamer = Assert.IsType<StreamerProbe>(capture.Probes[2]);
        Assert.Equal("/run/kvmd/kvmd.sock", streamer.SocketPath);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), streamer.Timeout);
        var step = Assert.IsType<RelayPowerStep>(Assert.Single(capture.Ladder));
        Assert.Equal("relay capture-power", step.Target);
    }

    [Fact]
    public void TheDefaultLadderHoldsWhatThisBuildCanDo()
    {
        var config = ConfigLoader.Parse(Relays + "watchdog:\n  capture:\n    id: \"534d:2109\"\n    power-relay: capture-power\n", "k.yaml");
        var (devices, policy) = WatchdogSetup.Build(config, SystemPaths.Default, WatchdogSteps.Available);
        Assert.Equal(["usb-reset", "authorize", "port-power", "relay-power"], devices[0].Ladder.Select(s => s.Name));
        Assert.Equal(WatchdogPolicy.Default, policy);

        var noRelay = ConfigLoader.Parse("watchdog:\n  capture:\n    id: \"534d:2109\"\n", "k.yaml");
        Assert.Equal(["usb-reset", "authorize", "port-power"],
            WatchdogSetup.Build(noRelay, SystemPaths.Default, WatchdogSteps.Available).Devices[0].Ladder.Select(s => s.Name));
    }

    [Fact]
    public void WithAUsbBackendTheDefaultLadderClimbsFromTheMildestStep()
    {
        var backends = WatchdogSteps.Available with { Usb = () => new NoUsb() };
        var config = ConfigLoader.Parse(Relays + "watchdog:\n  capture:\n    usb-port: \"1-1.2\"\n    power-relay: capture-power\n", "k.yaml");
        var (devices, _) = WatchdogSetup.Build(config, SystemPaths.Default, backends);
        Assert.Equal(["usb-reset", "authorize", "port-power", "relay-power"], devices[0].Ladder.Select(s => s.Name));
        Assert.Equal("1-1.2", devices[0].Ladder[0].Target);
    }

    private sealed class NoUsb : IUsbRecovery
    {
        public TimeSpan Timeout(UsbRecoveryMethod method) => TimeSpan.FromSeconds(10);

        public void Reset(CaptureSelector device, UsbRecoveryMethod method, Deadline deadline) =>
            throw new InvalidOperationException("not called by these tests");
    }

    [Fact]
    public void StepsWhoseBackendIsMissingAreRefused()
    {
        var withoutUsb = WatchdogSteps.Available with { Usb = null };
        Assert.Contains("'usb-reset' is not available in this build", WatchdogSteps.Unavailable(WatchdogSteps.UsbReset, withoutUsb));
        Assert.Throws<UsageException>(() => WatchdogSteps.CreateCaptureStep(WatchdogSteps.Authorize,
            new CaptureStepTarget(CaptureSelector.Parse("534d:2109", null), null, null, TimeSpan.FromSeconds(1)), withoutUsb));
        Assert.NotNull(ConfigLoader.Parse("watchdog:\n  capture:\n    id: \"534d:2109\"\n    ladder: [usb-reset, authorize]\n", "k.yaml").Model.Watchdog);
    }

    [Fact]
    public void UsbNamesAndTheCh9329AreAvailable()
    {
        var config = ConfigLoader.Parse("watchdog:\n  ch9329:\n    ladder: [ch9329-reset]\n", "k.yaml");
        Assert.NotNull(config.Model.Watchdog!.Ch9329);
        Assert.Equal(WatchdogSteps.Ch9329Reset, WatchdogSteps.CreateCh9329Step(WatchdogSteps.Ch9329Reset, WatchdogSteps.Available).Name);

        var named = ConfigLoader.Parse(
            "usb:\n  devices:\n    capture:\n      id: \"534d:2109\"\n      usb-port: \"1-1.2\"\n" +
            "watchdog:\n  capture:\n    usb: capture\n", "k.yaml").Model;
        var selector = UsbAdapter.ByName(named, "capture");
        Assert.Equal(((ushort?)0x534d, (ushort?)0x2109, "1-1.2"), (selector.VendorId, selector.ProductId, selector.UsbPort));
        Assert.Throws<UsageException>(() => UsbAdapter.ByName(named, "nope"));
        Assert.Null(WatchdogSteps.Unavailable(WatchdogSteps.UsbReset, WatchdogSteps.Available));
    }

    [Theory]
    [InlineData("    ladder: [usb-reboot]\n", "'usb-reboot' is not a step of this ladder")]
    [InlineData("    ladder: [relay-power, relay-power]\n    power-relay: capture-power\n", "'relay-power' is in the ladder twice")]
    [InlineData("    ladder: [relay-power]\n", "no 'power-relay:'")]
    [InlineData("    power-relay: lamp\n", "'lamp' is not a relay named under relays: (the relays are: capture-power)")]
    [InlineData("    streamer: janus\n", "unknown streamer 'janus'")]
    [InlineData("    streamer-socket: run/kvmd.sock\n", "not an absolute path")]
    [InlineData("    video: video0\n", "not an absolute path")]
    [InlineData("    usb-port: \"1.2\"\n", "not a USB port path")]
    [InlineData("    streamer-timeout-ms: 50\n", "streamer-timeout-ms 50 is out of range")]
    [InlineData("    power-off-seconds: 0\n", "power-off-seconds 0 is out of range")]
    [InlineData("    check-usb: false\n    check-video: false\n", "every check of the capture device is off")]
    public void CaptureMistakesAreLocated(string lines, string problem)
    {
        var e = Invalid(Relays + "watchdog:\n  capture:\n    id: \"534d:2109\"\n" + lines);
        Assert.Contains(problem, e.Problem);
        Assert.True(e.Line >= 6, $"line {e.Line}");
    }

    [Theory]
    [InlineData("  pause-seconds: 301\n", "pause-seconds 301 is out of range")]
    [InlineData("  steps-per-run: -1\n", "steps-per-run -1 is out of range")]
    [InlineData("  cooldown-seconds: 90000\n", "cooldown-seconds 90000 is out of range")]
    [InlineData("  max-recoveries-per-hour: 0\n", "max-recoveries-per-hour 0 is out of range")]
    [InlineData("  give-up-after-ladders: 0\n", "give-up-after-ladders 0 is out of range")]
    public void LimitsOutOfRangeAreLocated(string line, string problem)
    {
        var e = Invalid("watchdog:\n  capture:\n    id: \"534d:2109\"\n" + line);
        Assert.Contains(problem, e.Problem);
        Assert.Equal(4, e.Line);
    }

    [Fact]
    public void AnIdThatIsNoUsbIdIsLocated()
    {
        var e = Invalid("watchdog:\n  capture:\n    id: \"MS2109\"\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("'MS2109' is not a USB id", e.Problem);
    }

    [Fact]
    public void ASectionWithNothingToWatchIsAnError()
    {
        Assert.Contains("watches nothing", Invalid("watchdog:\n  pause-seconds: 5\n").Problem);
        Assert.Contains("no 'id:', 'usb-port:' or 'usb:'", Invalid("watchdog:\n  capture:\n    video: /dev/video0\n").Problem);
        Assert.Contains("unknown key 'retries'", Invalid("watchdog:\n  retries: 3\n").Problem);
    }

    [Fact]
    public void AVideoOnlyCaptureNeedsNoUsbId()
    {
        var config = ConfigLoader.Parse("watchdog:\n  capture:\n    check-usb: false\n    video: /dev/kvmd-video\n", "k.yaml");
        var (devices, _) = WatchdogSetup.Build(config, SystemPaths.Default, WatchdogSteps.Available);
        Assert.Equal(["video"], devices[0].Probes.Select(p => p.Name));
    }

    [Fact]
    public void NoSectionMeansNothingToWatch()
    {
        var e = Assert.Throws<UsageException>(() => WatchdogSetup.Build(LoadedConfig.Empty, SystemPaths.Default, WatchdogSteps.Available));
        Assert.Contains("Nothing to watch", e.Message);
    }
}

public sealed class ShippedWatchdogExampleTests
{
    /// <summary>The example's commented-out watchdog block, with the leading '# ' removed as the comment tells users to.</summary>
    private static string UncommentedBlock()
    {
        var lines = File.ReadAllLines(Config.ShippedExampleTests.RepoFile("kvmtool.yaml.example"));
        int start = Array.IndexOf(lines, "# watchdog:");
        Assert.True(start > 0, "no '# watchdog:' block in kvmtool.yaml.example");
        return string.Join('\n', lines.Skip(start).TakeWhile(l => l.StartsWith('#')).Select(l => l.Length > 2 ? l[2..] : "")) + "\n";
    }

    [Fact]
    public void TheExampleBlockIsValidOnceUncommented()
    {
        string example = File.ReadAllText(Config.ShippedExampleTests.RepoFile("kvmtool.yaml.example"));
        var config = ConfigLoader.Parse(example + "\n" + UncommentedBlock(), "kvmtool.yaml.example");
        var w = config.Model.Watchdog!;
        Assert.Equal("534d:2109", w.Capture!.Id);
        Assert.Equal("off", w.Capture.Streamer);
        Assert.Equal(WatchdogPolicy.Default, WatchdogPolicy.From(w));
    }

    [Fact]
    public void AsShippedTheWatchdogIsOff() =>
        Assert.Null(ConfigLoader.Load(Config.ShippedExampleTests.RepoFile("kvmtool.yaml.example"), explicitPath: true).Model.Watchdog);
}
