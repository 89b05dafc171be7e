using KvmTools.Core.Config;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>Turns the validated 'watchdog:' section into the devices, checks, ladders and limits a run uses.</summary>
public static class WatchdogSetup
{
    public const string CaptureDevice = "capture";
    public const string Ch9329Device = "ch9329";

    public static (IReadOnlyList<WatchedDevice> Devices, WatchdogPolicy Policy) Build(LoadedConfig config, SystemPaths paths, WatchdogBackends backends)
    {
        var section = config.Model.Watchdog;
        if (section is null || (section.Capture is null && section.Ch9329 is null))
        {
            throw new UsageException($"Nothing to watch: {config.Path ?? ConfigLoader.DefaultPath} has no 'watchdog:' section naming a capture device or the CH9329.",
                "Add one (the commented example /usr/share/doc/kvmtool/examples/kvmtool.yaml.example shows it), e.g.\n" +
                "  watchdog:\n    capture:\n      id: \"534d:2109\"");
        }
        var devices = new List<WatchedDevice>();
        if (section.Capture is { } capture)
        {
            devices.Add(BuildCapture(capture, config.Model, paths, backends));
        }
        if (section.Ch9329 is { } ch9329)
        {
            devices.Add(BuildCh9329(ch9329, backends));
        }
        return (devices, WatchdogPolicy.From(section));
    }

    /// <summary>The capture selector from id/usb-port, or from a device named under usb:.</summary>
    public static CaptureSelector? Selector(WatchdogCaptureConfig capture, WatchdogBackends backends)
    {
        if (capture.Usb is { } name)
        {
            var byName = backends.UsbByName
                ?? throw new UsageException(WatchdogSteps.NotInThisBuild("usb: " + name, "the USB capability's usb: section") + ".",
                    "Give the capture device's 'id:' and/or 'usb-port:' instead.");
            return byName(name);
        }
        return capture.Id is null && capture.UsbPort is null ? null : CaptureSelector.Parse(capture.Id, capture.UsbPort);
    }

    /// <summary>The ladder as configured, or by default every capture step this build has that the configuration allows.</summary>
    public static IReadOnlyList<string> CaptureLadder(WatchdogCaptureConfig capture, bool hasDevice, WatchdogBackends backends) =>
        capture.Ladder ?? WatchdogSteps.CaptureSteps
            .Where(step => WatchdogSteps.Unavailable(step, backends) is null)
            .Where(step => step == WatchdogSteps.RelayPower ? capture.PowerRelay is not null : hasDevice)
            .ToList();

    private static WatchedDevice BuildCapture(WatchdogCaptureConfig capture, KvmToolConfig model, SystemPaths paths, WatchdogBackends backends)
    {
        var selector = Selector(capture, backends);
        var locator = selector is null ? null : new CaptureDeviceLocator(paths, selector);
        var probes = new List<IWatchdogProbe>();
        if (capture.CheckUsb ?? true)
        {
            probes.Add(new UsbPresenceProbe(locator ?? throw new UsageException("The watchdog's usb check needs the capture device's 'id:', 'usb-port:' or 'usb:'.")));
        }
        if (capture.CheckVideo ?? true)
        {
            probes.Add(new VideoNodeProbe(paths, capture.Video, locator));
        }
        var streamer = ParseStreamer(capture.Streamer);
        if (streamer != StreamerKind.Off)
        {
            probes.Add(new StreamerProbe(streamer, capture.StreamerSocket ?? StreamerProbe.DefaultSocket(streamer),
                capture.StreamerTimeoutMs is int ms ? TimeSpan.FromMilliseconds(ms) : StreamerProbe.DefaultTimeout));
        }
        RelayConfig? relay = capture.PowerRelay is { } r && model.Relays.TryGetValue(r, out var rc) ? rc : null;
        var target = new CaptureStepTarget(selector, capture.PowerRelay, relay,
            TimeSpan.FromSeconds(capture.PowerOffSeconds ?? RelayPowerStep.DefaultOffSeconds));
        var ladder = CaptureLadder(capture, selector is not null, backends)
            .Select(step => WatchdogSteps.CreateCaptureStep(step, target, backends))
            .ToList();
        return new WatchedDevice(CaptureDevice, probes, ladder);
    }

    private static WatchedDevice BuildCh9329(WatchdogCh9329Config ch9329, WatchdogBackends backends)
    {
        var chip = backends.Ch9329 ?? throw new UsageException(
            WatchdogSteps.NotInThisBuild("watchdog: ch9329", "the CH9329 capability") + ".", "Remove 'ch9329:' from the watchdog section.");
        var probes = new List<IWatchdogProbe>();
        if (ch9329.CheckInfo ?? true)
        {
            probes.Add(new Ch9329InfoProbe(chip()));
        }
        var ladder = (ch9329.Ladder ?? WatchdogSteps.Ch9329Steps)
            .Select(step => WatchdogSteps.CreateCh9329Step(step, backends))
            .ToList();
        return new WatchedDevice(Ch9329Device, probes, ladder);
    }

    public static StreamerKind ParseStreamer(string? text) => text switch
    {
        null or "off" => StreamerKind.Off,
        "ustreamer" => StreamerKind.Ustreamer,
        "kvmd" => StreamerKind.Kvmd,
        _ => throw new UsageException($"Unknown streamer '{text}'.", "Use off, ustreamer or kvmd."),
    };
}
