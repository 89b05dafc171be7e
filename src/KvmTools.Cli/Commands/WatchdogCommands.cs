using System.CommandLine;
using System.Runtime.InteropServices;
using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Watchdog;

namespace KvmTools.Cli.Commands;

/// <summary>'kvmtool watchdog': check the capture path and recover it within limits; 'status' and 'reset'.</summary>
public static class WatchdogCommands
{
    /// <summary>Shortest --interval: a pass itself takes seconds, and USB devices need time to settle.</summary>
    private const int MinIntervalSeconds = 10;

    public static Command Build(CliContext context)
    {
        var once = new Option<bool>("--once") { Description = "One pass, then exit (for cron and the systemd timer)." };
        var interval = new Option<int?>("--interval") { Description = $"Run a pass every S seconds until stopped (SIGTERM); at least {MinIntervalSeconds}." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Run the checks and print what would be done; change nothing." };

        var watchdog = new Command("watchdog",
            "Check the capture path (USB dongle on the bus and authorized, its video node answering VIDIOC_QUERYCAP, optionally\n" +
            "the streamer's live source) and recover a dead one with an escalation ladder, within the limits set in kvmtool.yaml\n" +
            "(watchdog: section): cooldown, recoveries per hour, give up after whole ladders failed.\n\n" +
            "One line per check and action goes to standard error (the journal under systemd), and to syslog under cron.\n" +
            "Exit codes: 0 healthy, 10 recovered, 11 still failing, 12 held back by the limits, 5 another watchdog is running.\n\n" +
            "Examples:\n" +
            "  kvmtool watchdog --dry-run\n" +
            "  kvmtool watchdog --once\n" +
            "  kvmtool watchdog --interval 60\n" +
            "  kvmtool watchdog status")
        {
            once, interval, dryRun,
        };
        watchdog.SetAction((parse, token) => Task.FromResult(Run(context, parse, parse.GetValue(once), parse.GetValue(interval), parse.GetValue(dryRun))));

        var json = new Option<bool>("--json") { Description = "Print the state file's content as JSON." };
        var status = new Command("status",
            "Print each watched device's last checks and actions, its place on the ladder and the limits, from the state file\n" +
            "(no device I/O). Exits 0 when every device was healthy at the last run, 1 otherwise or when no run is recorded.\n\n" +
            "Examples:\n  kvmtool watchdog status\n  kvmtool watchdog status --json")
        {
            json,
        };
        status.SetAction(parse => Status(context, parse, parse.GetValue(json)));

        var device = new Argument<string?>("device") { Description = "capture or ch9329; all devices when omitted.", Arity = ArgumentArity.ZeroOrOne };
        var reset = new Command("reset",
            "Forget a device's recovery progress: its place on the ladder, the recoveries counted against the limits, and a give-up.\n" +
            "Use it after fixing a device by hand, so the watchdog looks after it again at once.\n\n" +
            "Examples:\n  kvmtool watchdog reset\n  kvmtool watchdog reset capture")
        {
            device,
        };
        reset.SetAction(parse => Reset(context, parse, parse.GetValue(device)));

        watchdog.Subcommands.Add(status);
        watchdog.Subcommands.Add(reset);
        return watchdog;
    }

    private static WatchdogService Service(CliContext context, ParseResult parse, Action<WatchdogEvent> log)
    {
        var config = context.Config(parse);
        var (devices, policy) = WatchdogSetup.Build(config, context.Paths, WatchdogSteps.ForSystem(context.Paths, config.Model));
        return new WatchdogService(devices, policy, new WatchdogStateStore(context.Paths), TimeProvider.System, log);
    }

    private static int Run(CliContext context, ParseResult parse, bool once, int? interval, bool dryRun)
    {
        if (once && interval is not null)
        {
            throw new UsageException("--once and --interval exclude each other.", "Use --once from cron or a timer, --interval S for a long-running service.");
        }
        if (!once && interval is null && !dryRun)
        {
            throw new UsageException("Say how to run: --once, --interval S, or --dry-run.",
                "kvmtool watchdog --once (cron, timer), kvmtool watchdog --interval 60 (a service), kvmtool watchdog --dry-run (look, change nothing).");
        }
        if (interval is < MinIntervalSeconds or > 86400)
        {
            throw new UsageException($"--interval {interval} is out of range.", $"Give {MinIntervalSeconds} to 86400 seconds.");
        }

        // Under cron nothing collects standard error reliably, so the lines also go to syslog; under systemd the journal has them.
        bool toSyslog = !dryRun && !context.ErrorIsTerminal && context.Environment("JOURNAL_STREAM") is null;
        using var syslog = toSyslog ? new Syslog(context.Paths.Dev("log")) : null;
        var output = dryRun ? context.Out : context.Error;
        void Log(WatchdogEvent e)
        {
            string line = Format(e);
            output.WriteLine(line);
            syslog?.Write(Priority(e.Severity), line);
        }

        var service = Service(context, parse, Log);
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => Stop(signal, stop));
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, signal => Stop(signal, stop));

        if (interval is not int seconds)
        {
            context.RearmBackstop?.Invoke(service.RunBudget);
            var report = service.RunOnce(dryRun, stop.Token);
            Log(Summary(report, dryRun));
            return ExitCodes.For(report.Outcome);
        }

        Log(new WatchdogEvent(DateTimeOffset.UtcNow, "", WatchdogEventKind.State, WatchdogSeverity.Info,
            $"running every {seconds} s until stopped{(dryRun ? " (dry run)" : "")}"));
        var every = TimeSpan.FromSeconds(seconds);
        while (!stop.IsCancellationRequested)
        {
            // Each pass is bounded by its own budget; the wait between passes by the interval.
            context.RearmBackstop?.Invoke(service.RunBudget);
            try
            {
                var report = service.RunOnce(dryRun, stop.Token);
                Log(Summary(report, dryRun));
            }
            catch (KvmToolException e)
            {
                // One pass that could not run (another watchdog held the lock, a state file was unwritable) is not the end of the service.
                Log(new WatchdogEvent(DateTimeOffset.UtcNow, "", WatchdogEventKind.State, WatchdogSeverity.Error,
                    e.Message + (e.Hint is null ? "" : " (fix: " + e.Hint + ")")));
            }
            context.RearmBackstop?.Invoke(every + TimeSpan.FromSeconds(60));
            stop.Token.WaitHandle.WaitOne(every);
        }
        Log(new WatchdogEvent(DateTimeOffset.UtcNow, "", WatchdogEventKind.State, WatchdogSeverity.Info, "stopped"));
        return ExitCodes.Ok;
    }

    private static void Stop(PosixSignalContext signal, CancellationTokenSource stop)
    {
        // Finish the step under way and save the state rather than dying in the middle of a reset.
        signal.Cancel = true;
        stop.Cancel();
    }

    private static WatchdogEvent Summary(WatchdogReport report, bool dryRun)
    {
        string devices = string.Join(", ", report.Devices.Select(d => $"{d.Key} {WatchdogService.OutcomeWord(d.Value)}"));
        return new WatchdogEvent(DateTimeOffset.UtcNow, "", WatchdogEventKind.State,
            report.Outcome == WatchdogOutcome.Healthy ? WatchdogSeverity.Info : WatchdogSeverity.Warning,
            $"{(dryRun ? "dry run done" : "done")}: {devices} (exit {ExitCodes.For(report.Outcome)})");
    }

    private static int Status(CliContext context, ParseResult parse, bool json)
    {
        var store = new WatchdogStateStore(context.Paths);
        var state = store.Load();
        if (json)
        {
            context.Out.WriteLine(WatchdogStateStore.ToJson(state));
        }
        // The configuration adds the ladder's names and the limits; the state file alone is enough to report.
        var config = context.Config(parse);
        IReadOnlyList<WatchedDevice> devices = [];
        var policy = WatchdogPolicy.Default;
        if (config.Model.Watchdog is { } section && (section.Capture is not null || section.Ch9329 is not null))
        {
            (devices, policy) = WatchdogSetup.Build(config, context.Paths, WatchdogSteps.ForSystem(context.Paths, config.Model));
        }
        if (!json)
        {
            PrintStatus(context.Out, store, state, devices, policy);
        }
        bool allHealthy = state.Devices.Count > 0
            && state.Devices.Values.All(d => d.LastOutcome is "healthy" or "recovered");
        return allHealthy ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static void PrintStatus(TextWriter o, WatchdogStateStore store, WatchdogState state, IReadOnlyList<WatchedDevice> devices, WatchdogPolicy policy)
    {
        if (state.Devices.Count == 0)
        {
            o.WriteLine($"No watchdog run is recorded yet ({store.FilePath} does not exist or is empty).");
            return;
        }
        var now = DateTimeOffset.UtcNow;
        foreach (var (name, s) in state.Devices.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            string condition = s.GivenUp ? $"given up (failing since {Time(s.FailingSince)})"
                : s.FailingSince is { } since ? $"failing since {Time(since)}"
                : "healthy";
            o.WriteLine($"{name}: {condition}; last run {Time(s.LastRun)}: {s.LastOutcome ?? "-"}");
            var device = devices.FirstOrDefault(d => d.Name == name);
            if (device is not null && device.Ladder.Count > 0)
            {
                int position = s.LadderPosition < device.Ladder.Count ? s.LadderPosition : 0;
                o.WriteLine($"  ladder: {string.Join(" > ", device.Ladder.Select(x => x.Name))}; next: {device.Ladder[position].Name} (step {position + 1} of {device.Ladder.Count})");
            }
            else if (device is not null)
            {
                o.WriteLine("  ladder: none configured (checks only)");
            }
            int lastHour = s.Recoveries.Count(t => now - t < TimeSpan.FromHours(1));
            string cooldown = s.LastRecoveryEnd is { } end && now - end < policy.Cooldown ? $"; cooldown until {Time(end + policy.Cooldown)}" : "";
            o.WriteLine($"  failed ladders in a row: {s.FailedLadders} (gives up at {policy.GiveUpAfterLadders}); " +
                $"recoveries in the last hour: {lastHour} of {policy.MaxRecoveriesPerHour}{cooldown}");
            foreach (var check in s.LastChecks)
            {
                o.WriteLine($"  check {check.Name}: {check.Result} at {Time(check.Time)}: {check.Detail}");
            }
            foreach (var action in s.Actions.TakeLast(5))
            {
                o.WriteLine($"  action {Time(action.Time)}: {action.Step} on {action.Target}: {action.Result}{(action.Detail.Length > 0 ? ": " + action.Detail : "")}");
            }
        }
    }

    private static int Reset(CliContext context, ParseResult parse, string? device)
    {
        var service = Service(context, parse, e => context.Error.WriteLine(Format(e)));
        var names = service.Reset(device);
        context.Out.WriteLine(names.Count == 0 ? "Nothing to reset: no watchdog run is recorded yet." : "Reset: " + string.Join(", ", names) + ".");
        return ExitCodes.Ok;
    }

    /// <summary>One log line: "watchdog capture: check usb: ok: ...", or "watchdog: ..." for the run itself.</summary>
    public static string Format(WatchdogEvent e) =>
        (e.Device.Length == 0 ? "watchdog: " : $"watchdog {e.Device}: ") + e.Message;

    private static int Priority(WatchdogSeverity severity) => severity switch
    {
        WatchdogSeverity.Error => Syslog.SeverityError,
        WatchdogSeverity.Warning => Syslog.SeverityWarning,
        _ => Syslog.SeverityInfo,
    };

    private static string Time(DateTimeOffset? time) =>
        time is { } t ? t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + "Z" : "-";
}
