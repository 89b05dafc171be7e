using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>The USB recovery methods the ladder uses, in escalating order.</summary>
public enum UsbRecoveryMethod
{
    /// <summary>USBDEVFS_RESET: a bus reset of the device; drivers re-probe it.</summary>
    Ioctl,
    /// <summary>authorized 0 then 1: the kernel unbinds every driver and enumerates the device again.</summary>
    Authorize,
    /// <summary>The hub port's power off and on: the device sees a real unplug.</summary>
    PortPower,
}

/// <summary>
/// What the watchdog needs from the USB capability (Core/Usb's UsbService): reset one device by one method,
/// wait until it is back, within a timeout. Implemented by an adapter over UsbService where that exists.
/// </summary>
public interface IUsbRecovery
{
    /// <summary>The longest one <see cref="Reset"/> may take, re-enumeration included.</summary>
    TimeSpan Timeout(UsbRecoveryMethod method);

    /// <summary>Resets the device the selector names; throws a <see cref="KvmToolException"/> on failure.</summary>
    void Reset(CaptureSelector device, UsbRecoveryMethod method, Deadline deadline);
}

/// <summary>usb-reset, authorize and port-power: one ladder rung each, all through <see cref="IUsbRecovery"/>.</summary>
public sealed class UsbRecoveryStep(IUsbRecovery usb, CaptureSelector device, UsbRecoveryMethod method) : IRecoveryStep
{
    public string Name => method switch
    {
        UsbRecoveryMethod.Ioctl => WatchdogSteps.UsbReset,
        UsbRecoveryMethod.Authorize => WatchdogSteps.Authorize,
        _ => WatchdogSteps.PortPower,
    };

    public string Target => device.Describe();

    public bool InterruptsVideo => true;

    public TimeSpan Timeout => usb.Timeout(method);

    public void Run(Deadline deadline) => usb.Reset(device, method, deadline);
}
