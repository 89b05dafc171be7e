extern alias launcher;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;
using KvmTools.Tests.Fakes;
using launcher::KvmTools.Launcher;

namespace KvmTools.Tests.Polling;

/// <summary>
/// The kvmtool executable's quick path against the full command line, on fixture sysfs trees and real state
/// files: wherever the quick path answers, it must print and exit exactly as kvmtool-cli does; where it cannot
/// be sure (an error, device I/O, an unusual argument, a stale index), it must leave the command to kvmtool-cli.
/// </summary>
public sealed class QuickPathTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>Runs the full command line first (it writes the config index), then the quick path, and compares.</summary>
    private static QuickAnswer? Compare(Dictionary<string, string> env, params string[] args)
    {
        var full = CliRunner.Run(env, args);
        var quick = QuickCommands.TryAnswer(args, name => env.TryGetValue(name, out var v) ? v : null);
        if (quick is not null)
        {
            Assert.Equal(full.Out, quick.Output);
            Assert.Equal(full.ExitCode, quick.ExitCode);
            if (args is not ["--version"])
            {
                // The form kvmd runs (KvmdCommandLines): the same answer by exit status alone, and nothing printed.
                string[] quiet = [.. args, KvmdCommandLines.QuietOption];
                var fullQuiet = CliRunner.Run(env, quiet);
                var quickQuiet = QuickCommands.TryAnswer(quiet, name => env.TryGetValue(name, out var v) ? v : null);
                Assert.NotNull(quickQuiet);
                Assert.Equal("", fullQuiet.Out);
                Assert.Equal("", quickQuiet.Output);
                Assert.Equal(full.ExitCode, fullQuiet.ExitCode);
                Assert.Equal(full.ExitCode, quickQuiet.ExitCode);
            }
        }
        return quick;
    }

    private static QuickAnswer Answered(Dictionary<string, string> env, params string[] args) =>
        Compare(env, args) ?? throw new Xunit.Sdk.XunitException($"the quick path left '{string.Join(' ', args)}' to kvmtool-cli");

    private static void LeftToCli(Dictionary<string, string> env, params string[] args) =>
        Assert.Null(Compare(env, args));

    /// <summary>Records channel states the way 'relay N on|off' does, through RelayStateStore.</summary>
    private void Remember(BoardSelector selector, Dictionary<int, bool> states, string? identity = null)
    {
        var info = new RelayDiscovery(_fx.Paths, _ => throw new InvalidOperationException("no device I/O")).Select(selector);
        new RelayStateStore(_fx.Paths).Save(identity is null ? info : info with { UsbIdentity = identity }, states);
    }

    [Fact]
    public void VersionIsTheFullCommandLinesVersion()
    {
        var env = CliRunner.EnvFor(_fx);
        Assert.Equal(KvmTools.Cli.CliApp.Version + "\n", Answered(env, "--version").Output);
    }

    [Fact]
    public void RelayStatusOfAnLcusBoardComesFromItsStateFile()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        var env = CliRunner.EnvFor(_fx);

        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "relay", "1", "status"));
        Remember(new BoardSelector(), new() { [1] = true, [2] = false });
        Assert.Equal(new QuickAnswer("on\n", 0), Answered(env, "relay", "1", "status"));
        Assert.Equal(new QuickAnswer("off\n", 1), Answered(env, "relay", "2", "status"));
        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "relay", "3", "status"));
        Answered(env, "relay", "1", "status", "--usb-port", "1-1.4");
        Answered(env, "relay", "1", "status", "--device", "/dev/hidraw0");
    }

    [Fact]
    public void AReplugAfterTheLastCommandMakesTheStateUnknown()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        var env = CliRunner.EnvFor(_fx);
        Remember(new BoardSelector(), new() { [1] = true }, identity: "1/4");
        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "relay", "1", "status"));
    }

    [Fact]
    public void SeveralBoardsAreToldApartAsTheFullCommandLineDoes()
    {
        _fx.AddUsbDevice("1-1.3", 1, 4, 0x5131, 0x2007, serial: "USBSER");
        _fx.AddHidraw(0, "1-1.3", 0x5131, 0x2007);
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(1, "1-1.4", 0x5131, 0x2007, uniq: "UNIQ4");
        _fx.AddUsbDevice("1-1.5", 1, 6, 0x046d, 0xc31c, product: "Keyboard");
        _fx.AddHidraw(2, "1-1.5", 0x046d, 0xc31c, hidName: "Logitech Keyboard");
        var env = CliRunner.EnvFor(_fx);
        Remember(new BoardSelector(UsbPort: "1-1.4"), new() { [1] = true });

        LeftToCli(env, "relay", "1", "status"); // two boards: the full command line lists them (exit 2)
        Assert.Equal(new QuickAnswer("on\n", 0), Answered(env, "relay", "1", "status", "--usb-port", "1-1.4"));
        Assert.Equal(new QuickAnswer("on\n", 0), Answered(env, "relay", "1", "status", "--serial", "UNIQ4"));
        Assert.Equal(new QuickAnswer("on\n", 0), Answered(env, "relay", "1", "status", "--device", "/dev/hidraw1"));
        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "relay", "1", "status", "--serial", "USBSER"));
        LeftToCli(env, "relay", "1", "status", "--serial", "nope");
        LeftToCli(env, "relay", "1", "status", "--device", "/dev/hidraw2"); // the keyboard
    }

    [Fact]
    public void ABoardWithoutAUsbParentIsKeptByItsNode()
    {
        _fx.AddHidraw(3, null, 0x5131, 0x2007);
        var env = CliRunner.EnvFor(_fx);
        Remember(new BoardSelector(), new() { [4] = true });
        Assert.Equal(new QuickAnswer("on\n", 0), Answered(env, "relay", "4", "status"));
    }

    [Fact]
    public void ChannelsAreCheckedAgainstTheBoard()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        var env = CliRunner.EnvFor(_fx);
        LeftToCli(env, "relay", "9", "status");
        LeftToCli(env, "relay", "0", "status");
        LeftToCli(env, "relay", "2", "status", "--channels", "1");
        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "relay", "9", "status", "--channels", "16"));
    }

    [Fact]
    public void BoardsThatNeedDeviceIoAreLeftToTheCli()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        _fx.AddUsbDevice("1-1.6", 1, 7, 0x16c0, 0x05df, product: "USBRelay2");
        _fx.AddHidraw(1, "1-1.6", 0x16c0, 0x05df, hidName: "www.dcttech.com USBRelay2");
        var env = CliRunner.EnvFor(_fx);
        LeftToCli(env, "relay", "1", "status", "--usb-port", "1-1.4");
        LeftToCli(env, "relay", "1", "status", "--port", "/dev/ttyUSB0");
        LeftToCli(env, "relay", "1", "status", "--family", "lcus");
    }

    [Fact]
    public void ArgumentsTheQuickPathDoesNotReadAreLeftToTheCli()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        var env = CliRunner.EnvFor(_fx);
        Answered(env, "relay", "1", "status");
        LeftToCli(env, "relay", "1", "status", "--json");
        LeftToCli(env, "relay", "1", "status", "--usb-port=1-1.4");
        LeftToCli(env, "relay", "1", "status", "--usb-port");
        LeftToCli(env, "relay", "1", "status", "--usb-port", "1-1.4", "--usb-port", "1-1.4");
        LeftToCli(env, "relay", "1", "status", "extra");
        LeftToCli(env, "relay", "1", "on");
        LeftToCli(env, "relay", "all", "status");
        LeftToCli(env, "relay", "1", "status", "--ms", "100");
        LeftToCli(env, "--config", env["KVMTOOL_CONFIG"], "relay", "1", "status");
        LeftToCli(env, "relay", "list");
        LeftToCli(env, "--help");
        LeftToCli(env);
    }

    [Fact]
    public void NamedRelaysComeFromTheIndexWhichFollowsEveryEdit()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        string config = Path.Combine(_fx.Root, "kvmtool.yaml");
        File.WriteAllText(config, "relays:\n  hdmi:\n    usb-port: 1-1.4\n    channel: 2\n");
        var env = CliRunner.EnvFor(_fx, config);
        Remember(new BoardSelector(UsbPort: "1-1.4"), new() { [2] = true, [3] = false });

        var quick = (string[] args) => QuickCommands.TryAnswer(args, name => env.TryGetValue(name, out var v) ? v : null);
        Assert.Null(quick(["relay", "hdmi", "status"])); // no index until kvmtool-cli has read the file
        Assert.Equal(new QuickAnswer("on\n", 0), Answered(env, "relay", "hdmi", "status"));
        Assert.Equal(new QuickAnswer("on\n", 0), Answered(env, "relay", "hdmi", "status", "--config", config));
        LeftToCli(env, "relay", "hdmi", "status", "--usb-port", "1-1.4");
        LeftToCli(env, "relay", "other", "status");

        File.WriteAllText(config, "relays:\n  hdmi:\n    usb-port: 1-1.4\n    channel: 3\n");
        Assert.Null(quick(["relay", "hdmi", "status"])); // the index no longer matches the file
        Assert.Equal(new QuickAnswer("off\n", 1), Answered(env, "relay", "hdmi", "status"));

        File.WriteAllText(config, "relays:\n  hdmi:\n    usb-port: 1-1.4\n    chanel: 3\n");
        LeftToCli(env, "relay", "hdmi", "status"); // an invalid file: kvmtool-cli reports it (exit 6)
        Assert.Equal(6, CliRunner.Run(env, "relay", "hdmi", "status").ExitCode);
    }

    [Fact]
    public void WithNoConfigurationFileAtTheDefaultPathNothingIsNamed()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        var env = CliRunner.EnvFor(_fx);
        env.Remove("KVMTOOL_CONFIG");
        // The default file lives under /etc, here a fixture's.
        env["KVMTOOL_ETC_ROOT"] = Path.Combine(_fx.Root, "etc");
        Assert.False(File.Exists(Path.Combine(_fx.Root, "etc", "kvmtool", "kvmtool.yaml")));
        Assert.Equal(new QuickAnswer("unknown\n", 1), QuickCommands.TryAnswer(["relay", "1", "status"], name => env.GetValueOrDefault(name)));
        env["KVMTOOL_CONFIG"] = Path.Combine(_fx.Root, "missing.yaml");
        LeftToCli(env, "relay", "1", "status"); // a file named but absent is an error

        // Once the default file exists, both read it: the full command line first, then the quick path from its index.
        env.Remove("KVMTOOL_CONFIG");
        Directory.CreateDirectory(Path.Combine(_fx.Root, "etc", "kvmtool"));
        File.WriteAllText(Path.Combine(_fx.Root, "etc", "kvmtool", "kvmtool.yaml"), "relays:\n  hdmi:\n    usb-port: \"1-1.4\"\n    channel: 1\n");
        Assert.Equal(new CliRun(1, "unknown\n", ""), CliRunner.Run(env, "relay", "hdmi", "status"));
        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "relay", "hdmi", "status"));
    }

    private Dictionary<string, string> SwitchEnv(string extra = "")
    {
        string config = Path.Combine(_fx.Root, "kvmtool.yaml");
        File.WriteAllText(config,
            "relays:\n  button:\n    port: /dev/ttyUSB7\n    channel: 1\n" +
            "switches:\n  main:\n    backend: relay-button\n    ports: 3\n    port-names: [pc1, pc2, nas]\n    relay: button\n" + extra);
        return CliRunner.EnvFor(_fx, config);
    }

    [Fact]
    public void SwitchIsReadsTheStateFileAsTheCliDoes()
    {
        var env = SwitchEnv();
        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "switch", "is", "2"));
        Assert.Equal(0, CliRunner.Run(env, "switch", "sync", "2").ExitCode);
        Assert.Equal(new QuickAnswer("active\n", 0), Answered(env, "switch", "is", "2"));
        Assert.Equal(new QuickAnswer("active\n", 0), Answered(env, "switch", "is", "pc2"));
        Assert.Equal(new QuickAnswer("not active\n", 1), Answered(env, "switch", "is", "nas"));
        Assert.Equal(new QuickAnswer("active\n", 0), Answered(env, "switch", "is", "2", "--switch", "main"));
        LeftToCli(env, "switch", "is", "4");
        LeftToCli(env, "switch", "is", "tv");
        LeftToCli(env, "switch", "is", "2", "--switch", "other");

        string state = Path.Combine(_fx.RuntimeDir, "switches", "main.state");
        foreach (string text in new[]
        {
            "backend=relay-button\nports=3\nport=2\nsource=counted\n",
            "backend=relay-button\nports=3\nport=2\nsource=read-back\n",
            "backend=relay-button\nports=3\nport=2\nsource=unknown\n",
            "backend=relay-button\nports=3\ninterrupted-from=1\nport=2\nsource=synced\n",
            "backend=relay-button\nports=4\nport=2\nsource=synced\n",
            "backend=gpio-button\nports=3\nport=2\nsource=synced\n",
            "ports=3\nport=2\nsource=synced\n",
            "backend=relay-button\nports=3\nport=7\nsource=synced\n",
            "backend=relay-button\r\nports=3\r\nport=3\r\nsource=synced\r\n",
            "",
        })
        {
            File.WriteAllText(state, text);
            foreach (string port in new[] { "1", "2", "3" })
            {
                Answered(env, "switch", "is", port);
            }
        }
    }

    [Fact]
    public void WithSeveralSwitchesTheSwitchMustBeNamed()
    {
        var env = SwitchEnv("  desk:\n    backend: relay-button\n    ports: 2\n    relay: button\n");
        LeftToCli(env, "switch", "is", "1");
        Assert.Equal(0, CliRunner.Run(env, "switch", "sync", "1", "--switch", "desk").ExitCode);
        Assert.Equal(new QuickAnswer("active\n", 0), Answered(env, "switch", "is", "1", "--switch", "desk"));
        Assert.Equal(new QuickAnswer("unknown\n", 1), Answered(env, "switch", "is", "1", "--switch", "main"));
    }

    private Dictionary<string, string> UsbEnv(string devices)
    {
        string config = Path.Combine(_fx.Root, "kvmtool.yaml");
        File.WriteAllText(config, "usb:\n  devices:\n" + devices);
        return CliRunner.EnvFor(_fx, config);
    }

    [Fact]
    public void UsbStatusOfANamedDeviceMatchesTheCli()
    {
        string dongle = _fx.AddUsbDevice("1-1.2", 1, 3, 0x534d, 0x2109, product: "USB3. 0 capture", serial: "CAP1");
        _fx.AddUsbDevice("1-1.3", 1, 4, 0x1a86, 0x7523, product: "USB Serial");
        var env = UsbEnv(
            "    capture:\n      id: 534d:2109\n" +
            "    by-port:\n      usb-port: 1-1.2\n" +
            "    by-product:\n      product: usb3. 0 CAPTURE\n" +
            "    by-serial:\n      serial: CAP1\n      id: 0x534d:0x2109\n" +
            "    absent:\n      id: 0bda:5411\n" +
            "    either:\n      usb-port: 1-1.3\n      id: 534d:2109\n" +
            "    by-node:\n      device: /dev/video0\n");

        foreach (string name in new[] { "capture", "by-port", "by-product", "by-serial" })
        {
            Assert.Equal(new QuickAnswer("present\n", 0), Answered(env, "usb", "status", name));
        }
        Assert.Equal(new QuickAnswer("missing\n", 1), Answered(env, "usb", "status", "absent"));
        Assert.Equal(new QuickAnswer("missing\n", 1), Answered(env, "usb", "status", "either"));
        LeftToCli(env, "usb", "status", "by-node");
        LeftToCli(env, "usb", "status", "534d:2109");
        LeftToCli(env, "usb", "status", "1-1.2");
        LeftToCli(env, "usb", "status", "USB Serial");

        File.WriteAllText(Path.Combine(dongle, "authorized"), "0\n");
        Assert.Equal(new QuickAnswer("not authorized\n", 1), Answered(env, "usb", "status", "capture"));

        _fx.AddUsbDevice("2-1", 2, 2, 0x534d, 0x2109);
        LeftToCli(env, "usb", "status", "capture"); // two dongles: the full command line names both (exit 2)
        Assert.Equal(new QuickAnswer("not authorized\n", 1), Answered(env, "usb", "status", "by-port"));
    }
}
