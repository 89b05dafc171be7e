using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

public enum ProbeStatus
{
    /// <summary>The check passed.</summary>
    Ok,
    /// <summary>The check ran and the device is not working: this, and only this, starts a recovery.</summary>
    Failed,
    /// <summary>The check could not tell (no permission, streamer not running): never a reason to reset anything.</summary>
    Unknown,
}

/// <summary>What one check found. <paramref name="UserActive"/>: the check saw someone using the device right now.</summary>
public sealed record ProbeResult(ProbeStatus Status, string Detail, bool UserActive = false)
{
    public static ProbeResult Ok(string detail, bool userActive = false) => new(ProbeStatus.Ok, detail, userActive);

    public static ProbeResult Failed(string detail) => new(ProbeStatus.Failed, detail);

    public static ProbeResult Unknown(string detail) => new(ProbeStatus.Unknown, detail);
}

/// <summary>One health check of a watched device. It must finish by the deadline and must not change the device.</summary>
public interface IWatchdogProbe
{
    /// <summary>A short name for logs and the state file: usb, video, streamer, ch9329.</summary>
    string Name { get; }

    /// <summary>The longest the check may take (bounds a whole run).</summary>
    TimeSpan Timeout { get; }

    /// <summary>Checks once. May throw a <see cref="KvmToolException"/>, which the watchdog turns into a result.</summary>
    ProbeResult Check(Deadline deadline);
}
