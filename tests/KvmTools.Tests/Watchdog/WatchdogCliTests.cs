using System.Net.Sockets;
using System.Text;
using KvmTools.Cli;
using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Watchdog;

public sealed class WatchdogCliTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private string StateFile => Path.Combine(_fx.Root, "var", "lib", "kvmtool", "watchdog.json");

    private Dictionary<string, string> Env(string watchdog = "  capture:\n    id: \"534d:2109\"\n    check-video: false\n")
    {
        string config = Path.Combine(_fx.Root, "kvmtool.yaml");
        File.WriteAllText(config, "watchdog:\n" + watchdog);
        return CliRunner.EnvFor(_fx, config);
    }

    private void AddDongle() => _fx.AddUsbDevice("1-1.2", 1, 4, 0x534d, 0x2109, product: "USB Video");

    [Theory]
    [InlineData(new[] { "watchdog" }, "--once, --interval S, or --dry-run")]
    [InlineData(new[] { "watchdog", "--once", "--interval", "30" }, "exclude each other")]
    [InlineData(new[] { "watchdog", "--interval", "5" }, "--interval 5 is out of range")]
    public void HowToRunMustBeSaid(string[] args, string message)
    {
        var run = CliRunner.Run(Env(), args);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Err);
    }

    [Fact]
    public void NothingToWatchIsAUsageError()
    {
        var run = CliRunner.Run(CliRunner.EnvFor(_fx), "watchdog", "--once");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("Nothing to watch", run.Err);
        Assert.Contains("fix:", run.Err);
    }

    [Fact]
    public void AHealthyDongleExitsZeroAndStatusSaysSo()
    {
        AddDongle();
        var env = Env("  capture:\n    id: \"534d:2109\"\n    check-video: false\n    ladder: []\n");
        var run = CliRunner.Run(env, "watchdog", "--once");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal("", run.Out);
        string[] lines = run.Err.TrimEnd().Split('\n');
        Assert.Equal("watchdog capture: check usb: ok: 534d:2109 at 1-1.2 (bus 1 device 4), authorized", lines[0]);
        Assert.Equal("watchdog: done: capture healthy (exit 0)", lines[1]);
        Assert.True(File.Exists(StateFile));

        var status = CliRunner.Run(env, "watchdog", "status");
        Assert.Equal(ExitCodes.Ok, status.ExitCode);
        Assert.StartsWith("capture: healthy; last run ", status.Out);
        Assert.Contains("  check usb: ok at ", status.Out);
        Assert.Contains("ladder: none configured (checks only)", status.Out);

        var json = CliRunner.Run(env, "watchdog", "status", "--json");
        using var doc = System.Text.Json.JsonDocument.Parse(json.Out);
        var capture = doc.RootElement.GetProperty("devices").GetProperty("capture");
        Assert.Equal("healthy", capture.GetProperty("lastOutcome").GetString());
        Assert.Equal("ok", capture.GetProperty("lastChecks")[0].GetProperty("result").GetString());
    }

    [Fact]
    public void AMissingDongleWithNoStepToTakeIsStillFailing()
    {
        var env = Env("  capture:\n    id: \"534d:2109\"\n    check-video: false\n    ladder: []\n");
        var run = CliRunner.Run(env, "watchdog", "--once");
        Assert.Equal(ExitCodes.WatchdogStillFailing, run.ExitCode);
        Assert.Contains("watchdog capture: check usb: failed: The capture device 534d:2109 is not on the USB bus.", run.Err);
        Assert.Contains("no recovery step is configured", run.Err);

        var status = CliRunner.Run(env, "watchdog", "status");
        Assert.Equal(ExitCodes.Failed, status.ExitCode);
        Assert.StartsWith("capture: failing since ", status.Out);
    }

    [Fact]
    public void StatusWithNoRunRecordedSaysSo()
    {
        var run = CliRunner.Run(Env(), "watchdog", "status");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("No watchdog run is recorded yet", run.Out);
    }

    [Fact]
    public void ADryRunPrintsToStandardOutputAndWritesNothing()
    {
        var run = CliRunner.Run(Env(), "watchdog", "--dry-run");
        Assert.Equal(ExitCodes.WatchdogStillFailing, run.ExitCode);
        Assert.Contains("watchdog capture: check usb: failed", run.Out);
        Assert.Contains("watchdog: dry run done: capture still-failing (exit 11)", run.Out);
        Assert.Equal("", run.Err);
        Assert.False(File.Exists(StateFile));
    }

    [Fact]
    public void UnderCronTheLinesAlsoGoToSyslog()
    {
        AddDongle();
        using var daemon = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        daemon.Bind(new UnixDomainSocketEndPoint(Path.Combine(_fx.DevRoot, "log")));
        var env = Env();

        // Not a terminal and no JOURNAL_STREAM: cron.
        Assert.Equal(0, CliRunner.Run(env, "watchdog", "--once").ExitCode);
        var received = new List<string>();
        byte[] buffer = new byte[2048];
        while (daemon.Available > 0)
        {
            received.Add(Encoding.UTF8.GetString(buffer, 0, daemon.Receive(buffer)));
        }
        Assert.Equal(2, received.Count);
        Assert.Matches(@"^<30>kvmtool\[\d+\]: watchdog capture: check usb: ok: 534d:2109", received[0]);
        Assert.EndsWith("]: watchdog: done: capture healthy (exit 0)", received[1]);

        // Under systemd the journal has standard error already.
        env["JOURNAL_STREAM"] = "8:12345";
        Assert.Equal(0, CliRunner.Run(env, "watchdog", "--once").ExitCode);
        Assert.Equal(0, daemon.Available);
    }

    [Fact]
    public void AnotherWatchdogRunningIsBusy()
    {
        AddDongle();
        using var held = FileLock.Acquire(Path.Combine(_fx.RuntimeDir, "locks", "watchdog.lock"), TimeSpan.FromSeconds(1));
        var run = CliRunner.Run(Env(), "watchdog", "--once");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("Another 'kvmtool watchdog' is running", run.Err);
    }

    [Fact]
    public void ResetClearsAndNamesTheDevices()
    {
        var env = Env();
        CliRunner.Run(env, "watchdog", "--once");
        var run = CliRunner.Run(env, "watchdog", "reset");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Equal("Reset: capture.\n", run.Out);
        Assert.Equal(ExitCodes.Usage, CliRunner.Run(env, "watchdog", "reset", "hdmi").ExitCode);
    }

    [Fact]
    public void ARunMovesTheBackstopToItsOwnBudget()
    {
        AddDongle();
        var env = Env();
        var limits = new List<TimeSpan>();
        var context = new CliContext(TextWriter.Null, TextWriter.Null, name => env.TryGetValue(name, out var v) ? v : null)
        {
            RearmBackstop = limits.Add,
        };
        Assert.Equal(0, CliApp.Run(["watchdog", "--once"], context));
        var limit = Assert.Single(limits);
        Assert.True(limit > TimeSpan.FromSeconds(30) && limit < TimeSpan.FromMinutes(5), limit.ToString());
    }

    [Fact]
    public void TheIntervalServiceRunsPassesUntilSigterm()
    {
        AddDongle();
        var env = Env();
        using var process = CliRunner.Start(env, "watchdog", "--interval", "10");
        var seen = new StringBuilder();
        // Wait for the first pass to finish, however long the runtime takes to start.
        while (true)
        {
            string? line = process.StandardError.ReadLine();
            Assert.NotNull(line);
            seen.AppendLine(line);
            if (line.StartsWith("watchdog: done:", StringComparison.Ordinal))
            {
                break;
            }
        }
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        seen.Append(process.StandardError.ReadToEnd());
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        string err = seen.ToString();
        Assert.StartsWith("watchdog: running every 10 s until stopped", err);
        Assert.Contains("watchdog capture: check usb: ok", err);
        Assert.EndsWith("watchdog: stopped\n", err);
    }
}
