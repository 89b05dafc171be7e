namespace KvmTools.Core.Watchdog;

/// <summary>A device the watchdog looks after: its checks and its recovery ladder, first rung first.</summary>
public sealed record WatchedDevice(string Name, IReadOnlyList<IWatchdogProbe> Probes, IReadOnlyList<IRecoveryStep> Ladder);

/// <summary>The limits that keep the watchdog from making things worse.</summary>
public sealed record WatchdogPolicy(
    TimeSpan Pause,
    int StepsPerRun,
    TimeSpan Cooldown,
    int MaxRecoveriesPerHour,
    int GiveUpAfterLadders)
{
    public static WatchdogPolicy Default { get; } = new(
        TimeSpan.FromSeconds(WatchdogConfig.DefaultPauseSeconds),
        WatchdogConfig.DefaultStepsPerRun,
        TimeSpan.FromSeconds(WatchdogConfig.DefaultCooldownSeconds),
        WatchdogConfig.DefaultMaxRecoveriesPerHour,
        WatchdogConfig.DefaultGiveUpAfterLadders);

    public static WatchdogPolicy From(WatchdogConfig config) => new(
        TimeSpan.FromSeconds(config.PauseSeconds ?? WatchdogConfig.DefaultPauseSeconds),
        config.StepsPerRun ?? WatchdogConfig.DefaultStepsPerRun,
        TimeSpan.FromSeconds(config.CooldownSeconds ?? WatchdogConfig.DefaultCooldownSeconds),
        config.MaxRecoveriesPerHour ?? WatchdogConfig.DefaultMaxRecoveriesPerHour,
        config.GiveUpAfterLadders ?? WatchdogConfig.DefaultGiveUpAfterLadders);
}

/// <summary>How a run ended, worst device first; the CLI maps each to its exit code.</summary>
public enum WatchdogOutcome
{
    /// <summary>Every check passed (or could not tell); nothing was done.</summary>
    Healthy,
    /// <summary>A device was failing and is healthy again after recovery steps.</summary>
    Recovered,
    /// <summary>A device is still failing (after this run's step, or with no step left to take).</summary>
    StillFailing,
    /// <summary>A device is failing but the limits held recovery back: cooldown, hourly cap, given up, user active.</summary>
    HeldBack,
}

public enum WatchdogEventKind
{
    Check,
    Action,
    Hold,
    State,
}

public enum WatchdogSeverity
{
    Info,
    Warning,
    Error,
}

/// <summary>One line of the watchdog's log: a check, an action, a decision to hold back, a change of state.</summary>
public sealed record WatchdogEvent(DateTimeOffset Time, string Device, WatchdogEventKind Kind, WatchdogSeverity Severity, string Message);

/// <summary>The result of one run: the overall outcome and each device's.</summary>
public sealed record WatchdogReport(WatchdogOutcome Outcome, IReadOnlyDictionary<string, WatchdogOutcome> Devices)
{
    /// <summary>Held back and still failing both mean "not working"; still failing is the louder of the two.</summary>
    public static WatchdogOutcome Worst(IEnumerable<WatchdogOutcome> outcomes) =>
        outcomes.Select(o => (o, Rank(o))).DefaultIfEmpty((WatchdogOutcome.Healthy, 0)).MaxBy(x => x.Item2).Item1;

    private static int Rank(WatchdogOutcome o) => o switch
    {
        WatchdogOutcome.Healthy => 0,
        WatchdogOutcome.Recovered => 1,
        WatchdogOutcome.HeldBack => 2,
        _ => 3,
    };
}
