using KvmTools.Core.Linux;
using KvmTools.Core.Usb;

namespace KvmTools.Core.Watchdog;

/// <summary>The watchdog's USB rungs through the same service 'kvmtool usb reset' uses: it proves the device came back.</summary>
public sealed class UsbAdapter(UsbService service) : IUsbRecovery
{
    /// <summary>Re-enumeration within the reset's own limit, plus the port lock and a power-off hold.</summary>
    public TimeSpan Timeout(UsbRecoveryMethod method) => UsbService.DefaultTimeout + TimeSpan.FromSeconds(5);

    public void Reset(CaptureSelector device, UsbRecoveryMethod method, Deadline deadline)
    {
        // The port path is the more specific selector: two alike dongles share an id, never a port.
        string selector = device.UsbPort ?? $"{device.VendorId:x4}:{device.ProductId:x4}";
        var options = new UsbResetOptions(
            method switch
            {
                UsbRecoveryMethod.Ioctl => UsbResetMethod.Ioctl,
                UsbRecoveryMethod.Authorize => UsbResetMethod.Authorize,
                _ => UsbResetMethod.Power,
            },
            Timeout: UsbService.DefaultTimeout < deadline.Remaining ? UsbService.DefaultTimeout : deadline.Remaining,
            // Never cut ganged ports from a timer: on a Raspberry Pi 4 that takes the keyboard/mouse path down too.
            Yes: false);
        foreach (var result in service.Reset(selector, options))
        {
            if (!result.CameBack)
            {
                throw new OperationFailedException(result.Problem ?? $"{result.Selector} did not come back.", result.Hint);
            }
        }
    }

    /// <summary>A device named under usb: as the watchdog addresses it (by id and/or port path).</summary>
    public static CaptureSelector ByName(Config.KvmToolConfig config, string name)
    {
        if (!config.Usb.Devices.TryGetValue(name, out var named))
        {
            throw new UsageException($"'{name}' is not a USB device named under usb: devices:.",
                "Name it there, or give the capture device's id: and usb-port: directly.");
        }
        if (named.Id is null && named.UsbPort is null)
        {
            throw new UsageException($"USB device '{name}' has neither id: nor usb-port:, which the watchdog needs.",
                "Add its id (VID:PID) or its port path ('kvmtool usb list' shows both).");
        }
        return CaptureSelector.Parse(named.Id, named.UsbPort);
    }
}
