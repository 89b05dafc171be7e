using KvmTools.Core;

namespace KvmTools.Cli;

/// <summary>kvmtool's exit codes; README.md documents the same table.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation failed; also "off"/"not active" for status queries meant for kvmd cmdret inputs.</summary>
    public const int Failed = 1;

    public const int Usage = 2;
    public const int NotFound = 3;
    public const int PermissionDenied = 4;
    public const int Timeout = 5;
    public const int Config = 6;

    /// <summary>watchdog: a device was failing and recovered.</summary>
    public const int WatchdogRecovered = 10;

    /// <summary>watchdog: a device is still failing.</summary>
    public const int WatchdogStillFailing = 11;

    /// <summary>watchdog: a device is failing and the limits held recovery back (cooldown, hourly cap, given up, user active).</summary>
    public const int WatchdogHeldBack = 12;

    /// <summary>Not a failure kvmtool anticipated: a bug to report.</summary>
    public const int Internal = 70;

    public static int For(FailureKind kind) => kind switch
    {
        FailureKind.Failed => Failed,
        FailureKind.Usage => Usage,
        FailureKind.NotFound => NotFound,
        FailureKind.PermissionDenied => PermissionDenied,
        FailureKind.Timeout => Timeout,
        FailureKind.Config => Config,
        _ => Internal,
    };

    public static int For(Core.Watchdog.WatchdogOutcome outcome) => outcome switch
    {
        Core.Watchdog.WatchdogOutcome.Healthy => Ok,
        Core.Watchdog.WatchdogOutcome.Recovered => WatchdogRecovered,
        Core.Watchdog.WatchdogOutcome.HeldBack => WatchdogHeldBack,
        _ => WatchdogStillFailing,
    };
}
