using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>
/// One watchdog pass over every watched device: check, and when a check failed, take the next rung of the
/// device's ladder within the limits (cooldown, hourly cap, give-up, user activity), pause, check again.
/// A device whose checks pass is never touched. State is saved before each step, so that a step that kills
/// the process (or the box) still counts against the limits.
/// </summary>
public sealed class WatchdogService
{
    /// <summary>How long a run waits for another run to finish before it reports "busy".</summary>
    public static readonly TimeSpan LockWait = TimeSpan.FromSeconds(1);

    /// <summary>Headroom for reading and writing the state and logging, on top of every check and step timeout.</summary>
    private static readonly TimeSpan BudgetMargin = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly IReadOnlyList<WatchedDevice> _devices;
    private readonly WatchdogPolicy _policy;
    private readonly WatchdogStateStore _store;
    private readonly TimeProvider _clock;
    private readonly Action<WatchdogEvent> _log;
    private readonly Action<TimeSpan, CancellationToken> _sleep;

    public WatchdogService(
        IReadOnlyList<WatchedDevice> devices,
        WatchdogPolicy policy,
        WatchdogStateStore store,
        TimeProvider clock,
        Action<WatchdogEvent> log,
        Action<TimeSpan, CancellationToken>? sleep = null)
    {
        _devices = devices;
        _policy = policy;
        _store = store;
        _clock = clock;
        _log = log;
        _sleep = sleep ?? ((time, cancel) => cancel.WaitHandle.WaitOne(time));
    }

    public IReadOnlyList<WatchedDevice> Devices => _devices;

    public WatchdogStateStore Store => _store;

    /// <summary>The longest one run can take: every check before and after each step it may take, every step, every pause.</summary>
    public TimeSpan RunBudget
    {
        get
        {
            TimeSpan total = LockWait + BudgetMargin;
            foreach (var device in _devices)
            {
                int steps = _policy.StepsPerRun == 0 ? device.Ladder.Count : Math.Min(_policy.StepsPerRun, device.Ladder.Count);
                TimeSpan checks = device.Probes.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Timeout);
                TimeSpan actions = device.Ladder.OrderByDescending(s => s.Timeout).Take(steps).Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Timeout);
                total += checks * (1 + steps) + actions + _policy.Pause * steps;
            }
            return total;
        }
    }

    /// <summary>One pass. With <paramref name="dryRun"/> the checks run and the plan is logged; nothing is acted on or saved.</summary>
    public WatchdogReport RunOnce(bool dryRun, CancellationToken cancel = default)
    {
        using var runLock = AcquireLock();
        var state = _store.Load(problem => Log("", WatchdogEventKind.State, WatchdogSeverity.Warning, problem));
        var outcomes = new Dictionary<string, WatchdogOutcome>(StringComparer.Ordinal);
        foreach (var device in _devices)
        {
            if (cancel.IsCancellationRequested)
            {
                break;
            }
            var deviceState = state.For(device.Name);
            var outcome = RunDevice(device, deviceState, dryRun, () => Save(state, dryRun), cancel);
            deviceState.LastOutcome = OutcomeWord(outcome);
            outcomes[device.Name] = outcome;
        }
        Save(state, dryRun);
        return new WatchdogReport(WatchdogReport.Worst(outcomes.Values), outcomes);
    }

    /// <summary>Forgets recovery progress and the give-up for one device (or all): the next failing run starts the ladder afresh.</summary>
    public IReadOnlyList<string> Reset(string? device)
    {
        if (device is not null && _devices.All(d => d.Name != device) && !_store.Load().Devices.ContainsKey(device))
        {
            throw new UsageException($"The watchdog watches no device called '{device}'.",
                "Use " + (_devices.Count == 0 ? "no name" : string.Join(" or ", _devices.Select(d => d.Name))) + ", or no name for all.");
        }
        using var runLock = AcquireLock();
        var state = _store.Load();
        var names = device is null ? state.Devices.Keys.ToList() : [device];
        foreach (string name in names)
        {
            var s = state.For(name);
            var failingSince = s.FailingSince;
            s.ClearRecovery();
            // A device that is still failing stays reported as failing until the next run checks it.
            s.FailingSince = failingSince;
            s.Recoveries.Clear();
            s.LastRecoveryEnd = null;
            s.AddAction(new ActionRecord(_clock.GetUtcNow(), "reset", name, "done", "recovery limits and ladder position cleared by 'watchdog reset'"));
            Log(name, WatchdogEventKind.State, WatchdogSeverity.Info, "ladder, limits and give-up cleared ('watchdog reset')");
        }
        _store.Save(state);
        return names;
    }

    private FileLock AcquireLock()
    {
        try
        {
            return FileLock.Acquire(_store.LockPath, LockWait);
        }
        catch (DeviceTimeoutException e)
        {
            throw new DeviceTimeoutException(
                $"Another 'kvmtool watchdog' is running (it holds {_store.LockPath}).",
                "Run the watchdog from one place only: the systemd timer, a --interval service, or cron. " +
                $"'fuser {_store.LockPath}' shows the process.", e);
        }
    }

    private WatchdogOutcome RunDevice(WatchedDevice device, DeviceWatchState s, bool dryRun, Action save, CancellationToken cancel)
    {
        DateTimeOffset now = _clock.GetUtcNow();
        s.Recoveries.RemoveAll(t => now - t >= Hour);
        s.LastRun = now;
        var checks = Check(device, s, "check");
        if (!checks.Failing && !checks.AnyOk && s.FailingSince is not null)
        {
            // Nothing failed, but nothing passed either: whether it came back is unknown, so the record stands.
            Log(device.Name, WatchdogEventKind.Hold, WatchdogSeverity.Warning, "failing at the last look; no check can tell now, so nothing is done");
            return WatchdogOutcome.HeldBack;
        }
        if (!checks.Failing)
        {
            return Healthy(device, s, dryRun);
        }

        if (s.FailingSince is null)
        {
            s.FailingSince = now;
        }
        if (device.Ladder.Count == 0)
        {
            Log(device.Name, WatchdogEventKind.Hold, WatchdogSeverity.Error, "failing, and no recovery step is configured for it");
            return WatchdogOutcome.StillFailing;
        }
        if (s.LadderPosition < 0 || s.LadderPosition >= device.Ladder.Count)
        {
            // The ladder was shortened in kvmtool.yaml since the last run.
            s.LadderPosition = 0;
        }
        if (HoldReason(device, s, checks.UserActive, now) is { } reason)
        {
            Log(device.Name, WatchdogEventKind.Hold, WatchdogSeverity.Warning, "failing; recovery held back: " + reason);
            return WatchdogOutcome.HeldBack;
        }
        if (dryRun)
        {
            LogPlan(device, s);
            return WatchdogOutcome.StillFailing;
        }

        s.Recoveries.Add(now);
        int taken = 0;
        var outcome = WatchdogOutcome.StillFailing;
        try
        {
            while (true)
            {
                var step = device.Ladder[s.LadderPosition];
                if (taken > 0 && step.InterruptsVideo && checks.UserActive)
                {
                    Log(device.Name, WatchdogEventKind.Hold, WatchdogSeverity.Warning,
                        $"next step {step.Name} held back: someone is watching a live picture");
                    break;
                }
                s.LadderPosition++;
                s.StepsTaken++;
                taken++;
                save();
                RunStep(device, s, step);
                save();

                _sleep(_policy.Pause, cancel);
                checks = Check(device, s, "re-check");
                if (!checks.Failing)
                {
                    Log(device.Name, WatchdogEventKind.State, WatchdogSeverity.Info, $"recovered by {step.Name}");
                    s.ClearRecovery();
                    outcome = WatchdogOutcome.Recovered;
                    break;
                }
                if (s.LadderPosition >= device.Ladder.Count)
                {
                    LadderExhausted(device, s);
                    break;
                }
                if ((_policy.StepsPerRun != 0 && taken >= _policy.StepsPerRun) || cancel.IsCancellationRequested)
                {
                    Log(device.Name, WatchdogEventKind.State, WatchdogSeverity.Warning,
                        $"still failing; next step {device.Ladder[s.LadderPosition].Name} on a later run");
                    break;
                }
            }
        }
        finally
        {
            s.LastRecoveryEnd = _clock.GetUtcNow();
        }
        return outcome;
    }

    private WatchdogOutcome Healthy(WatchedDevice device, DeviceWatchState s, bool dryRun)
    {
        if (s.FailingSince is null && !s.GivenUp)
        {
            return WatchdogOutcome.Healthy;
        }
        bool acted = s.StepsTaken > 0;
        string what = acted ? $"healthy again after {s.StepsTaken} recovery step(s)" : "healthy again";
        if (s.GivenUp)
        {
            what += "; no longer given up";
        }
        Log(device.Name, WatchdogEventKind.State, WatchdogSeverity.Info, what);
        if (!dryRun)
        {
            s.ClearRecovery();
        }
        return acted ? WatchdogOutcome.Recovered : WatchdogOutcome.Healthy;
    }

    private string? HoldReason(WatchedDevice device, DeviceWatchState s, bool userActive, DateTimeOffset now)
    {
        if (s.GivenUp)
        {
            return $"given up after {s.FailedLadders} whole ladder(s) failed; it is left alone until it is healthy again " +
                "or 'kvmtool watchdog reset' (re-plug or power-cycle it by hand)";
        }
        if (s.LastRecoveryEnd is { } last && now - last < _policy.Cooldown)
        {
            return $"cooldown until {(last + _policy.Cooldown).ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z ({_policy.Cooldown.TotalSeconds:0} s after the last recovery)";
        }
        if (s.Recoveries.Count >= _policy.MaxRecoveriesPerHour)
        {
            return $"{s.Recoveries.Count} recoveries in the last hour (max-recoveries-per-hour: {_policy.MaxRecoveriesPerHour})";
        }
        var next = device.Ladder[s.LadderPosition];
        if (next.InterruptsVideo && userActive)
        {
            return $"someone is watching a live picture, and {next.Name} would interrupt it";
        }
        return null;
    }

    private void LogPlan(WatchedDevice device, DeviceWatchState s)
    {
        int steps = _policy.StepsPerRun == 0 ? device.Ladder.Count - s.LadderPosition : Math.Min(_policy.StepsPerRun, device.Ladder.Count - s.LadderPosition);
        for (int i = 0; i < steps; i++)
        {
            var step = device.Ladder[s.LadderPosition + i];
            Log(device.Name, WatchdogEventKind.Action, WatchdogSeverity.Info,
                $"would run {step.Name} on {step.Target} (step {s.LadderPosition + i + 1} of {device.Ladder.Count})" +
                (i + 1 < steps ? $", pause {_policy.Pause.TotalSeconds:0} s and check again" : ""));
        }
    }

    private void RunStep(WatchedDevice device, DeviceWatchState s, IRecoveryStep step)
    {
        string rung = $"step {s.LadderPosition} of {device.Ladder.Count}";
        Log(device.Name, WatchdogEventKind.Action, WatchdogSeverity.Warning, $"{step.Name} on {step.Target} ({rung})");
        string result;
        string detail;
        try
        {
            step.Run(Deadline.After(step.Timeout));
            result = "done";
            detail = "";
            Log(device.Name, WatchdogEventKind.Action, WatchdogSeverity.Info, $"{step.Name}: done");
        }
        catch (KvmToolException e)
        {
            // A step that fails is still a rung climbed: the next run escalates rather than repeating it.
            result = "failed";
            detail = e.Message;
            Log(device.Name, WatchdogEventKind.Action, WatchdogSeverity.Error, $"{step.Name}: failed: {e.Message}");
        }
        s.AddAction(new ActionRecord(_clock.GetUtcNow(), step.Name, step.Target, result, detail));
    }

    private void LadderExhausted(WatchedDevice device, DeviceWatchState s)
    {
        s.FailedLadders++;
        s.LadderPosition = 0;
        if (s.FailedLadders >= _policy.GiveUpAfterLadders)
        {
            s.GivenUp = true;
            Log(device.Name, WatchdogEventKind.State, WatchdogSeverity.Error,
                $"still failing after the whole ladder {s.FailedLadders} time(s): giving up until it is healthy again or 'kvmtool watchdog reset'");
        }
        else
        {
            Log(device.Name, WatchdogEventKind.State, WatchdogSeverity.Error,
                $"still failing after the whole ladder ({s.FailedLadders} of {_policy.GiveUpAfterLadders} before giving up); the ladder starts again on a later run");
        }
    }

    private (bool Failing, bool AnyOk, bool UserActive) Check(WatchedDevice device, DeviceWatchState s, string verb)
    {
        bool failing = false;
        bool anyOk = false;
        bool userActive = false;
        var records = new List<CheckRecord>();
        foreach (var probe in device.Probes)
        {
            var result = RunProbe(probe);
            failing |= result.Status == ProbeStatus.Failed;
            anyOk |= result.Status == ProbeStatus.Ok;
            userActive |= result.UserActive;
            string word = result.Status switch
            {
                ProbeStatus.Ok => "ok",
                ProbeStatus.Failed => "failed",
                _ => "unknown",
            };
            records.Add(new CheckRecord(probe.Name, _clock.GetUtcNow(), word, result.Detail));
            Log(device.Name, WatchdogEventKind.Check,
                result.Status == ProbeStatus.Failed ? WatchdogSeverity.Error : result.Status == ProbeStatus.Unknown ? WatchdogSeverity.Warning : WatchdogSeverity.Info,
                $"{verb} {probe.Name}: {word}: {result.Detail}");
        }
        s.LastChecks = records;
        return (failing, anyOk, userActive);
    }

    /// <summary>
    /// A check that throws has failed when the device is missing, broken or silent; when kvmtool itself cannot
    /// look (permission, configuration, an ambiguous selector) the answer is "unknown", which never resets anything.
    /// </summary>
    private static ProbeResult RunProbe(IWatchdogProbe probe)
    {
        try
        {
            return probe.Check(Deadline.After(probe.Timeout));
        }
        catch (KvmToolException e) when (e.Kind is FailureKind.Failed or FailureKind.NotFound or FailureKind.Timeout)
        {
            return ProbeResult.Failed(e.Message);
        }
        catch (KvmToolException e)
        {
            return ProbeResult.Unknown(e.Message + (e.Hint is null ? "" : " (" + e.Hint + ")"));
        }
    }

    private void Save(WatchdogState state, bool dryRun)
    {
        if (!dryRun)
        {
            _store.Save(state);
        }
    }

    private void Log(string device, WatchdogEventKind kind, WatchdogSeverity severity, string message) =>
        _log(new WatchdogEvent(_clock.GetUtcNow(), device, kind, severity, message));

    public static string OutcomeWord(WatchdogOutcome outcome) => outcome switch
    {
        WatchdogOutcome.Healthy => "healthy",
        WatchdogOutcome.Recovered => "recovered",
        WatchdogOutcome.HeldBack => "held-back",
        _ => "still-failing",
    };
}
