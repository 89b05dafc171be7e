using KvmTools.Cli;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void VersionPrintsTheVersionFromTheBuild()
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), "--version");
        Assert.Equal(0, run.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", run.Out.Trim());
        Assert.Equal(CliApp.Version, run.Out.Trim());
    }

    [Fact]
    public void EveryCommandsHelpHasAnExample()
    {
        var root = CliApp.Build(new CliContext(TextWriter.Null, TextWriter.Null, _ => null));
        var commands = new List<System.CommandLine.Command>();
        void Walk(System.CommandLine.Command c)
        {
            commands.Add(c);
            foreach (var sub in c.Subcommands)
            {
                Walk(sub);
            }
        }
        Walk(root);
        Assert.True(commands.Count > 2);
        Assert.All(commands, c => Assert.Contains("kvmtool ", c.Description ?? ""));
    }

    [Theory]
    [InlineData(new[] { "relay", "1", "onn" }, "onn")]
    [InlineData(new[] { "relay", "1" }, "action")]
    [InlineData(new[] { "relay", "1", "on", "--bogus" }, "--bogus")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    [InlineData(new[] { "relay", "1", "on", "--family", "songle" }, "songle")]
    public void UsageErrorsExitTwoAndSayWhatIsWrong(string[] args, string named)
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), args);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(named, run.Err);
        Assert.Contains("--help", run.Err);
    }

    private sealed class BrokenWriter : StringWriter
    {
        public override void Write(char value) => throw new InvalidOperationException("boom");

        public override void Write(string? value) => throw new InvalidOperationException("boom");

        public override void WriteLine(string? value) => throw new InvalidOperationException("boom");
    }

    /// <summary>A bug (here: standard output that throws) is reported as one and exits 70; it never crashes the process.</summary>
    [Fact]
    public void AnUnexpectedExceptionIsAnInternalErrorWithExit70()
    {
        var error = new StringWriter();
        var env = CliRunner.EnvFor(_fx);
        int code = CliApp.Run(["relay", "list", "--all"], new CliContext(new BrokenWriter(), error, name => env.TryGetValue(name, out var v) ? v : null));
        Assert.Equal(ExitCodes.Internal, code);
        Assert.Equal(
            "kvmtool: internal error: InvalidOperationException: boom\n" +
            "  command: kvmtool relay list --all\n" +
            $"  fix: this is a bug in kvmtool {CliApp.Version}; please report it with these lines (nothing was retried).\n",
            error.ToString());

        // Arguments are quoted as a shell needs them, so the line can be run again; a broken stderr still gives 70.
        error = new StringWriter();
        Assert.Equal(ExitCodes.Internal, CliApp.Run(["--config", "/home/pi/my kvm's.yaml", "relay", "list"],
            new CliContext(new BrokenWriter(), error, name => env.TryGetValue(name, out var v) ? v : null)));
        Assert.Contains("  command: kvmtool --config '/home/pi/my kvm'\\''s.yaml' relay list\n", error.ToString());
        Assert.Equal(ExitCodes.Internal, CliApp.Run(["--version"], new CliContext(new BrokenWriter(), new BrokenWriter(), _ => null)));
    }

    /// <summary>The longer backstop belongs to the gpio command itself, not to any argument spelled "gpio".</summary>
    [Fact]
    public void ALongerBackstopIsTheCommandsOwnDeclaration()
    {
        var env = CliRunner.EnvFor(_fx);
        TimeSpan? Extended(params string[] args)
        {
            TimeSpan? got = null;
            CliApp.Run(args, new CliContext(new StringWriter(), new StringWriter(), name => env.TryGetValue(name, out var v) ? v : null)
            {
                ExtendBackstop = limit => got = limit,
            });
            return got;
        }
        Assert.Equal(TimeSpan.FromSeconds(600), Extended("gpio", "check", Path.Combine(_fx.Root, "none.yaml")));
        Assert.Equal(TimeSpan.FromSeconds(600), Extended("gpio", "generate"));
        Assert.Null(Extended("relay", "gpio", "status"));
        Assert.Null(Extended("usb", "status", "gpio"));
        Assert.Null(Extended("--version"));
    }

    [Fact]
    public void NoCommandIsAUsageError() =>
        Assert.Equal(ExitCodes.Usage, CliRunner.Run(CliRunner.EnvFor(_fx)).ExitCode);

    [Fact]
    public void RelayListWithNothingAttachedSucceeds()
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), "relay", "list");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("No relay boards found", run.Out);
    }

    [Fact]
    public void RelayListPrintsATableAndJson()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        _fx.AddUsbDevice("1-1.2", 1, 3, 0x046d, 0xc31c);
        _fx.AddHidraw(1, "1-1.2", 0x046d, 0xc31c, hidName: "Keyboard");
        var env = CliRunner.EnvFor(_fx);

        var text = CliRunner.Run(env, "relay", "list");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("lcus", text.Out);
        Assert.Contains("1-1.4", text.Out);
        Assert.DoesNotContain("Keyboard", text.Out);

        var json = CliRunner.Run(env, "relay", "list", "--all", "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(json.Out);
        var boards = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(2, boards.Count);
        Assert.Equal("lcus", boards[0].GetProperty("family").GetString());
        Assert.Equal("5131", boards[0].GetProperty("vendorId").GetString());
        Assert.Equal(Path.Combine(_fx.DevRoot, "hidraw0"), boards[0].GetProperty("device").GetString());
        Assert.Equal("1-1.4", boards[0].GetProperty("usbPort").GetString());
        Assert.Equal("not-a-relay", boards[1].GetProperty("family").GetString());
        Assert.False(boards[1].GetProperty("isRelay").GetBoolean());
    }

    [Fact]
    public void AMissingBoardExitsThreeWithAFix()
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), "relay", "1", "on");
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains("No relay board", run.Err);
        Assert.Contains("fix:", run.Err);
    }

    [Fact]
    public void AnUnknownRelayNameIsAUsageErrorListingTheNames()
    {
        string config = Path.Combine(_fx.Root, "c.yaml");
        File.WriteAllText(config, "relays:\n  hdmi-button:\n    channel: 1\n");
        var run = CliRunner.Run(CliRunner.EnvFor(_fx, config), "relay", "hdmi", "on");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("hdmi-button", run.Err);
    }

    [Fact]
    public void ANamedRelayRefusesBoardOptions()
    {
        string config = Path.Combine(_fx.Root, "c.yaml");
        File.WriteAllText(config, "relays:\n  hdmi-button:\n    channel: 1\n");
        var run = CliRunner.Run(CliRunner.EnvFor(_fx, config), "relay", "hdmi-button", "on", "--usb-port", "1-1");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--usb-port 1-1", run.Err);
    }

    [Fact]
    public void ABadConfigExitsSixWithFileLineAndColumn()
    {
        string config = Path.Combine(_fx.Root, "bad.yaml");
        File.WriteAllText(config, "relays:\n  hdmi-button:\n    chanel: 1\n");
        var run = CliRunner.Run(CliRunner.EnvFor(_fx, config), "relay", "hdmi-button", "on");
        Assert.Equal(ExitCodes.Config, run.ExitCode);
        Assert.Contains($"{config}:3:5: unknown key 'chanel'", run.Err);
        Assert.Contains("fix:", run.Err);
    }

    [Fact]
    public void TheConfigOptionWinsOverTheEnvironment()
    {
        string good = Path.Combine(_fx.Root, "good.yaml");
        File.WriteAllText(good, "relays:\n  lamp:\n    channel: 1\n");
        string bad = Path.Combine(_fx.Root, "bad.yaml");
        File.WriteAllText(bad, "nonsense: 1\n");
        var run = CliRunner.Run(CliRunner.EnvFor(_fx, bad), "relay", "lamp", "status", "--config", good);
        // The config is fine; the board is missing.
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
    }

    [Fact]
    public void AnExplicitConfigThatDoesNotExistIsAConfigError()
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), "relay", "lamp", "on", "--config", "/nonexistent/kvmtool.yaml");
        Assert.Equal(ExitCodes.Config, run.ExitCode);
        Assert.Contains("does not exist", run.Err);
    }

    [Fact]
    public void MsOnlyGoesWithPulse()
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), "relay", "1", "on", "--ms", "100");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--ms", run.Err);
    }

    [Fact]
    public void AllOnlyTakesOff()
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), "relay", "all", "on");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
    }
}
