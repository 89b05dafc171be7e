using KvmTools.Core.Config;

namespace KvmTools.Core.Watchdog;

/// <summary>The rules for the 'watchdog:' section, reported with file:line:column through <see cref="ConfigProblems"/>.</summary>
public static class WatchdogConfigValidator
{
    public static void Validate(KvmToolConfig config, ConfigProblems problems) =>
        Validate(config, problems, WatchdogSteps.Available);

    public static void Validate(KvmToolConfig config, ConfigProblems problems, WatchdogBackends backends)
    {
        if (config.Watchdog is not { } w)
        {
            return;
        }
        const string at = "watchdog";
        if (w.Capture is null && w.Ch9329 is null)
        {
            problems.AtKey(at, "the watchdog section watches nothing.", "Add 'capture:' (the HDMI capture dongle) or 'ch9329:'.");
        }
        Range(problems, at + ".pause-seconds", w.PauseSeconds, 0, 300, "seconds");
        Range(problems, at + ".steps-per-run", w.StepsPerRun, 0, 10, "steps (0 = the whole ladder in one run)");
        Range(problems, at + ".cooldown-seconds", w.CooldownSeconds, 0, 86400, "seconds");
        Range(problems, at + ".max-recoveries-per-hour", w.MaxRecoveriesPerHour, 1, 60, "recoveries");
        Range(problems, at + ".give-up-after-ladders", w.GiveUpAfterLadders, 1, 100, "ladders");
        if (w.Capture is { } capture)
        {
            ValidateCapture(config, capture, problems, backends);
        }
        if (w.Ch9329 is { } ch9329)
        {
            if (backends.Ch9329 is null)
            {
                problems.AtKey(at + ".ch9329", WatchdogSteps.NotInThisBuild("watchdog: ch9329", "the CH9329 capability") + ".",
                    "Remove 'ch9329:' from the watchdog section.");
            }
            Ladder(problems, at + ".ch9329.ladder", ch9329.Ladder, WatchdogSteps.Ch9329Steps, backends);
            if (ch9329.CheckInfo == false && ch9329.Ladder is { Count: > 0 })
            {
                problems.At(at + ".ch9329.check-info", "the CH9329's only check is off, so its ladder could never run.", "Turn check-info on or remove the ladder.");
            }
        }
    }

    private static void ValidateCapture(KvmToolConfig config, WatchdogCaptureConfig c, ConfigProblems problems, WatchdogBackends backends)
    {
        const string at = "watchdog.capture";
        if (c.Usb is not null)
        {
            if (backends.UsbByName is null)
            {
                problems.At(at + ".usb", WatchdogSteps.NotInThisBuild("usb: " + c.Usb, "the USB capability's usb: section") + ".",
                    "Give the capture device's 'id:' and/or 'usb-port:' instead.");
            }
            if (c.Id is not null || c.UsbPort is not null)
            {
                problems.At(at + ".usb", "'usb:' names the device already; 'id:' and 'usb-port:' would override it.", "Keep one of the two ways.");
            }
        }
        if (c.Id is not null && !CaptureSelector.TryParseId(c.Id, out _, out _))
        {
            problems.At(at + ".id", $"'{c.Id}' is not a USB id.", "Write it as VID:PID in hex, e.g. \"534d:2109\" (quoted).");
        }
        if (c.UsbPort is not null && !ConfigValidator.UsbPortPattern().IsMatch(c.UsbPort))
        {
            problems.At(at + ".usb-port", $"'{c.UsbPort}' is not a USB port path.", "Port paths look like 1-1.2; 'kvmtool usb list' shows each device's.");
        }
        bool hasDevice = c.Usb is not null || c.Id is not null || c.UsbPort is not null;
        bool checkUsb = c.CheckUsb ?? true;
        bool checkVideo = c.CheckVideo ?? true;
        if (checkUsb && !hasDevice)
        {
            problems.AtKey(at, "the capture device has no 'id:', 'usb-port:' or 'usb:', which the usb check needs.",
                "Add id: \"534d:2109\" (see 'lsusb'), or turn the check off with 'check-usb: false'.");
        }
        if (checkVideo && !hasDevice && c.Video is null)
        {
            problems.AtKey(at, "the video check needs 'video:' or the capture device's 'id:'/'usb-port:'.", "Add video: /dev/kvmd-video.");
        }
        if (c.Video is not null && !c.Video.StartsWith('/'))
        {
            problems.At(at + ".video", $"'{c.Video}' is not an absolute path.", "Write the node as /dev/video0 or /dev/kvmd-video.");
        }
        StreamerKind streamer = StreamerKind.Off;
        if (c.Streamer is not null and not ("off" or "ustreamer" or "kvmd"))
        {
            problems.At(at + ".streamer", $"unknown streamer '{c.Streamer}'.", "Use off, ustreamer or kvmd.");
        }
        else
        {
            streamer = WatchdogSetup.ParseStreamer(c.Streamer);
        }
        if (c.StreamerSocket is not null && !c.StreamerSocket.StartsWith('/'))
        {
            problems.At(at + ".streamer-socket", $"'{c.StreamerSocket}' is not an absolute path.", "kvmd's is /run/kvmd/kvmd.sock, uStreamer's /run/kvmd/ustreamer.sock.");
        }
        Range(problems, at + ".streamer-timeout-ms", c.StreamerTimeoutMs, 100, 30000, "milliseconds");
        if (!checkUsb && !checkVideo && streamer == StreamerKind.Off)
        {
            problems.AtKey(at, "every check of the capture device is off, so it would never be found failing.", "Turn on check-usb, check-video or streamer.");
        }
        if (c.PowerRelay is not null && !config.Relays.ContainsKey(c.PowerRelay))
        {
            string known = config.Relays.Count == 0 ? "no relays are named" : "the relays are: " + string.Join(", ", config.Relays.Keys.Order(StringComparer.Ordinal));
            problems.At(at + ".power-relay", $"'{c.PowerRelay}' is not a relay named under relays: ({known}).", "Name the relay that cuts the dongle's power under relays: first.");
        }
        Range(problems, at + ".power-off-seconds", c.PowerOffSeconds, 1, 60, "seconds");
        Ladder(problems, at + ".ladder", c.Ladder, WatchdogSteps.CaptureSteps, backends);
        var ladder = c.Ladder ?? [];
        if (ladder.Contains(WatchdogSteps.RelayPower) && c.PowerRelay is null)
        {
            problems.At(at + ".ladder", "relay-power is in the ladder but no 'power-relay:' says which relay cuts the dongle's power.", "Add power-relay: <a relay named under relays:>.");
        }
        if (!hasDevice && ladder.Any(s => s is WatchdogSteps.UsbReset or WatchdogSteps.Authorize or WatchdogSteps.PortPower))
        {
            problems.At(at + ".ladder", "USB recovery steps need the capture device's 'id:', 'usb-port:' or 'usb:'.", "Say which USB device the dongle is.");
        }
    }

    private static void Ladder(ConfigProblems problems, string at, List<string>? ladder, IReadOnlyList<string> allowed, WatchdogBackends backends)
    {
        if (ladder is null)
        {
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < ladder.Count; i++)
        {
            string step = ladder[i];
            string where = $"{at}[{i}]";
            if (!allowed.Contains(step))
            {
                problems.At(where, $"'{step}' is not a step of this ladder.", "Use " + string.Join(", ", allowed) + ".");
            }
            else if (WatchdogSteps.Unavailable(step, backends) is { } why)
            {
                problems.At(where, why + ".", "Remove it from the ladder.");
            }
            else if (!seen.Add(step))
            {
                problems.At(where, $"'{step}' is in the ladder twice.", "List each step once, mildest first.");
            }
        }
    }

    private static void Range(ConfigProblems problems, string path, int? value, int min, int max, string unit)
    {
        if (value is int v && (v < min || v > max))
        {
            problems.At(path, $"{path[(path.LastIndexOf('.') + 1)..]} {v} is out of range.", $"Give {min} to {max} {unit}.");
        }
    }
}
