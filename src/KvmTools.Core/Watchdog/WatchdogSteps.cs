using KvmTools.Core.Config;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;

namespace KvmTools.Core.Watchdog;

/// <summary>
/// The services the ladder's steps act through. A null member is a capability this build does not have:
/// steps and checks that need it are refused when kvmtool.yaml is loaded ("not available in this build").
/// </summary>
public sealed record WatchdogBackends(
    Func<RelayService>? Relays,
    Func<IUsbRecovery>? Usb,
    Func<ICh9329Access>? Ch9329,
    Func<string, CaptureSelector>? UsbByName);

/// <summary>What a capture step acts on.</summary>
public sealed record CaptureStepTarget(CaptureSelector? Device, string? PowerRelay, RelayConfig? PowerRelayConfig, TimeSpan PowerOffTime);

/// <summary>The ladder's step names, which backends they need, and the one factory that builds them.</summary>
public static class WatchdogSteps
{
    public const string UsbReset = "usb-reset";
    public const string Authorize = "authorize";
    public const string PortPower = "port-power";
    public const string RelayPower = "relay-power";
    public const string Ch9329Reset = "ch9329-reset";

    /// <summary>The capture ladder, mildest first: a bus reset, a re-enumeration, a port power cycle, the dongle's own power.</summary>
    public static readonly IReadOnlyList<string> CaptureSteps = [UsbReset, Authorize, PortPower, RelayPower];

    public static readonly IReadOnlyList<string> Ch9329Steps = [Ch9329Reset];

    /// <summary>
    /// The backends this build has, on the real system; the one place a new backend is wired.
    /// </summary>
    public static WatchdogBackends ForSystem(SystemPaths paths, KvmToolConfig config) => new(
        Relays: () => RelayService.ForSystem(paths),
        Usb: () => new UsbAdapter(Usb.UsbService.ForSystem(paths, config.Usb)),
        Ch9329: () => Ch9329Adapter.ForSystem(paths, config),
        UsbByName: name => UsbAdapter.ByName(config, name));

    /// <summary>What this build can do, for validating kvmtool.yaml (the factories are not called).</summary>
    public static WatchdogBackends Available { get; } = ForSystem(SystemPaths.Default, new KvmToolConfig());

    /// <summary>Null when <paramref name="step"/> can be built with <paramref name="backends"/>; else why not.</summary>
    public static string? Unavailable(string step, WatchdogBackends backends) => step switch
    {
        UsbReset or Authorize or PortPower => backends.Usb is null ? NotInThisBuild(step, "the USB capability (kvmtool usb)") : null,
        RelayPower => backends.Relays is null ? NotInThisBuild(step, "relays") : null,
        Ch9329Reset => backends.Ch9329 is null ? NotInThisBuild(step, "the CH9329 capability (kvmtool ch9329)") : null,
        _ => $"unknown recovery step '{step}'",
    };

    public static string NotInThisBuild(string what, string needs) => $"'{what}' is not available in this build (it needs {needs})";

    /// <summary>Builds one capture ladder step.</summary>
    public static IRecoveryStep CreateCaptureStep(string step, CaptureStepTarget target, WatchdogBackends backends)
    {
        if (Unavailable(step, backends) is { } why)
        {
            throw new UsageException(why + ".", "Remove it from the watchdog's ladder in kvmtool.yaml.");
        }
        return step switch
        {
            UsbReset => new UsbRecoveryStep(backends.Usb!(), NeedDevice(step, target), UsbRecoveryMethod.Ioctl),
            Authorize => new UsbRecoveryStep(backends.Usb!(), NeedDevice(step, target), UsbRecoveryMethod.Authorize),
            PortPower => new UsbRecoveryStep(backends.Usb!(), NeedDevice(step, target), UsbRecoveryMethod.PortPower),
            RelayPower => new RelayPowerStep(backends.Relays!,
                target.PowerRelay ?? throw new UsageException("relay-power needs 'power-relay:' in the watchdog's capture section."),
                target.PowerRelayConfig!, target.PowerOffTime),
            _ => throw new UsageException($"'{step}' is not a capture recovery step.", "Use " + string.Join(", ", CaptureSteps) + "."),
        };
    }

    /// <summary>Builds one CH9329 ladder step.</summary>
    public static IRecoveryStep CreateCh9329Step(string step, WatchdogBackends backends)
    {
        if (Unavailable(step, backends) is { } why)
        {
            throw new UsageException(why + ".", "Remove it from the watchdog's ch9329 ladder in kvmtool.yaml.");
        }
        return step switch
        {
            Ch9329Reset => new Ch9329ResetStep(backends.Ch9329!()),
            _ => throw new UsageException($"'{step}' is not a CH9329 recovery step.", "Use " + string.Join(", ", Ch9329Steps) + "."),
        };
    }

    private static CaptureSelector NeedDevice(string step, CaptureStepTarget target) =>
        target.Device ?? throw new UsageException($"{step} needs the capture device's 'id:', 'usb-port:' or 'usb:'.");
}
