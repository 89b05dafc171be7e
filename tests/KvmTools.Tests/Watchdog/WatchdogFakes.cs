using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Watchdog;

namespace KvmTools.Tests.Watchdog;

/// <summary>A clock that moves only when told to (or when the watchdog pauses).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>A device the fakes share: whether it works right now, and every call made to it, in order.</summary>
public sealed class ScriptedDevice
{
    public bool Healthy { get; set; } = true;

    /// <summary>When set, the probe reports "unknown" with this detail instead of looking at <see cref="Healthy"/>.</summary>
    public string? UnknownBecause { get; set; }

    public bool UserActive { get; set; }

    public List<string> Calls { get; } = [];

    public IEnumerable<string> StepCalls => Calls.Where(c => c.StartsWith("step ", StringComparison.Ordinal));
}

/// <summary>A check that reads the scripted device's condition.</summary>
public sealed class ScriptedProbe(ScriptedDevice device, string name = "fake", Exception? throws = null) : IWatchdogProbe
{
    public string Name => name;

    public TimeSpan Timeout => TimeSpan.FromSeconds(1);

    public ProbeResult Check(Deadline deadline)
    {
        device.Calls.Add("check " + name);
        if (throws is not null)
        {
            throw throws;
        }
        if (device.UnknownBecause is { } why)
        {
            return ProbeResult.Unknown(why);
        }
        return device.Healthy ? ProbeResult.Ok("works", device.UserActive) : ProbeResult.Failed("dead");
    }
}

/// <summary>A ladder rung that logs its call and, when scripted to, brings the device back or fails.</summary>
public sealed class ScriptedStep(ScriptedDevice device, string name, bool fixes = false, bool interruptsVideo = true, Exception? throws = null) : IRecoveryStep
{
    public string Name => name;

    public string Target => "the fake device";

    public bool InterruptsVideo => interruptsVideo;

    public TimeSpan Timeout => TimeSpan.FromSeconds(10);

    /// <summary>When true, this step brings the device back.</summary>
    public bool Fixes { get; set; } = fixes;

    public void Run(Deadline deadline)
    {
        device.Calls.Add("step " + name);
        if (throws is not null)
        {
            throw throws;
        }
        if (Fixes)
        {
            device.Healthy = true;
        }
    }
}

/// <summary>A watchdog over scripted devices, a manual clock and a real state file in a temporary directory.</summary>
public sealed class WatchdogHarness : IDisposable
{
    public WatchdogHarness()
    {
        Root = Path.Combine(Path.GetTempPath(), "kvmtool-watchdog-" + Guid.NewGuid().ToString("N"));
        Paths = new SystemPaths(Path.Combine(Root, "sys"), Path.Combine(Root, "dev"), Path.Combine(Root, "run"), Path.Combine(Root, "state"));
    }

    public string Root { get; }

    public SystemPaths Paths { get; }

    public ManualClock Clock { get; } = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public List<WatchdogEvent> Events { get; } = [];

    public List<TimeSpan> Pauses { get; } = [];

    public WatchdogStateStore Store => new(Paths);

    /// <summary>A new service each time, as a new cron run would build it: nothing but the state file carries over.</summary>
    public WatchdogService Service(WatchdogPolicy policy, params WatchedDevice[] devices) =>
        new(devices, policy, Store, Clock, Events.Add, (pause, _) =>
        {
            Pauses.Add(pause);
            Clock.Advance(pause);
        });

    public IEnumerable<string> Lines(WatchdogEventKind kind) => Events.Where(e => e.Kind == kind).Select(e => e.Message);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
