using System.Text.Json.Serialization;

namespace KvmTools.Core.Watchdog;

/// <summary>What the watchdog remembers between runs (and reboots): /var/lib/kvmtool/watchdog.json.</summary>
public sealed class WatchdogState
{
    public const int CurrentVersion = 1;

    public int Version { get; set; } = CurrentVersion;

    public Dictionary<string, DeviceWatchState> Devices { get; set; } = new(StringComparer.Ordinal);

    public DeviceWatchState For(string device)
    {
        if (!Devices.TryGetValue(device, out var state))
        {
            state = new DeviceWatchState();
            Devices[device] = state;
        }
        return state;
    }
}

/// <summary>One device's record: its last checks, where it stands on the ladder, and the recoveries that count against the limits.</summary>
public sealed class DeviceWatchState
{
    /// <summary>How many actions are kept for 'watchdog status'.</summary>
    public const int ActionsKept = 20;

    public DateTimeOffset? LastRun { get; set; }

    /// <summary>healthy, recovered, still-failing or held-back: the device's outcome in its last run.</summary>
    public string? LastOutcome { get; set; }

    public List<CheckRecord> LastChecks { get; set; } = [];

    /// <summary>When the current failure began; null while healthy.</summary>
    public DateTimeOffset? FailingSince { get; set; }

    /// <summary>The next rung to take (0 = the first).</summary>
    public int LadderPosition { get; set; }

    /// <summary>Steps taken since the current failure began.</summary>
    public int StepsTaken { get; set; }

    /// <summary>When recoveries started, for the hourly limit; only the last hour is kept.</summary>
    public List<DateTimeOffset> Recoveries { get; set; } = [];

    /// <summary>When the last recovery ended, for the cooldown.</summary>
    public DateTimeOffset? LastRecoveryEnd { get; set; }

    /// <summary>Whole ladders that ended with the device still failing, in a row.</summary>
    public int FailedLadders { get; set; }

    public bool GivenUp { get; set; }

    public List<ActionRecord> Actions { get; set; } = [];

    /// <summary>Back to "healthy, nothing pending"; the history (checks, actions) stays.</summary>
    public void ClearRecovery()
    {
        FailingSince = null;
        LadderPosition = 0;
        StepsTaken = 0;
        FailedLadders = 0;
        GivenUp = false;
    }

    public void AddAction(ActionRecord action)
    {
        Actions.Add(action);
        if (Actions.Count > ActionsKept)
        {
            Actions.RemoveRange(0, Actions.Count - ActionsKept);
        }
    }
}

public sealed record CheckRecord(string Name, DateTimeOffset Time, string Result, string Detail);

public sealed record ActionRecord(DateTimeOffset Time, string Step, string Target, string Result, string Detail);

/// <summary>Source-generated, so the state file needs no reflection under NativeAOT.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WatchdogState))]
internal sealed partial class WatchdogStateJson : JsonSerializerContext
{
}
