using YamlDotNet.Serialization;

namespace KvmTools.Core.Watchdog;

/// <summary>The 'watchdog:' section of kvmtool.yaml: what to check, how to recover, and the limits.</summary>
[YamlSerializable]
public sealed class WatchdogConfig
{
    public const int DefaultPauseSeconds = 5;
    public const int DefaultStepsPerRun = 1;
    public const int DefaultCooldownSeconds = 300;
    public const int DefaultMaxRecoveriesPerHour = 4;
    public const int DefaultGiveUpAfterLadders = 3;

    /// <summary>The USB HDMI capture dongle; omit it to leave the capture path unwatched.</summary>
    public WatchdogCaptureConfig? Capture { get; set; }

    /// <summary>The CH9329 keyboard/mouse chip named in the ch9329: section; omit it to leave the chip unwatched.</summary>
    public WatchdogCh9329Config? Ch9329 { get; set; }

    /// <summary>How long to wait after a recovery step before checking again (the device re-enumerates meanwhile).</summary>
    public int? PauseSeconds { get; set; }

    /// <summary>1 (default): one step per failed run, for cron and timers; 0: the whole ladder within one run.</summary>
    public int? StepsPerRun { get; set; }

    /// <summary>The least time between the end of one recovery and the start of the next on the same device.</summary>
    public int? CooldownSeconds { get; set; }

    public int? MaxRecoveriesPerHour { get; set; }

    /// <summary>A device that failed the whole ladder this many times in a row is left alone until it is healthy again or 'watchdog reset'.</summary>
    public int? GiveUpAfterLadders { get; set; }
}

/// <summary>The capture dongle: how to find it, which checks to run, and its recovery ladder.</summary>
[YamlSerializable]
public sealed class WatchdogCaptureConfig
{
    /// <summary>A device named under usb: (the USB capability's section).</summary>
    public string? Usb { get; set; }

    /// <summary>VID:PID in hex, e.g. 534d:2109 (MS2109).</summary>
    public string? Id { get; set; }

    /// <summary>The USB port path, e.g. 1-1.2: stable across reboots, and needed when two dongles share an id.</summary>
    public string? UsbPort { get; set; }

    /// <summary>Check that the device is on the bus and authorized (default true).</summary>
    public bool? CheckUsb { get; set; }

    /// <summary>Check that the video node opens and answers VIDIOC_QUERYCAP (default true).</summary>
    public bool? CheckVideo { get; set; }

    /// <summary>The video node; default: the capture node the USB device owns.</summary>
    public string? Video { get; set; }

    /// <summary>off (default), ustreamer or kvmd: ask the streamer whether the source is live.</summary>
    public string? Streamer { get; set; }

    /// <summary>The streamer's unix socket; default /run/kvmd/ustreamer.sock or /run/kvmd/kvmd.sock.</summary>
    public string? StreamerSocket { get; set; }

    public int? StreamerTimeoutMs { get; set; }

    /// <summary>The recovery steps in order; default: every step this build has that fits the configuration.</summary>
    public List<string>? Ladder { get; set; }

    /// <summary>A relay named under relays: whose contact cuts the dongle's power while the relay is on.</summary>
    public string? PowerRelay { get; set; }

    /// <summary>How long relay-power keeps the dongle unpowered (default 3 s).</summary>
    public int? PowerOffSeconds { get; set; }
}

/// <summary>The CH9329 chip, as configured under ch9329:.</summary>
[YamlSerializable]
public sealed class WatchdogCh9329Config
{
    /// <summary>Check that the chip answers GET_INFO (default true).</summary>
    public bool? CheckInfo { get; set; }

    /// <summary>The recovery steps in order; default: ch9329-reset.</summary>
    public List<string>? Ladder { get; set; }
}
