using KvmTools.Core.Doctor;

namespace KvmTools.Core.Usb;

/// <summary>'kvmtool doctor' for USB devices: every named device is attached and authorized.</summary>
public sealed class UsbDoctorChecks : IDoctorChecks
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        if (context.Config is null || context.Config.Model.Usb.Devices.Count == 0)
        {
            yield break;
        }
        var service = UsbService.ForSystem(context.Paths, context.Config.Model.Usb);
        foreach (string name in context.Config.Model.Usb.Devices.Keys.Order(StringComparer.Ordinal))
        {
            DoctorFinding finding;
            try
            {
                var device = service.Resolve(name).Single();
                finding = device.Authorized
                    ? new DoctorFinding("usb", DoctorStatus.Ok, $"USB device {name}: {device.Describe()}.")
                    : new DoctorFinding("usb", DoctorStatus.Problem, $"USB device {name}: {device.Describe()} is not authorized.",
                        $"Run 'kvmtool usb reset {name} --method authorize' as root.");
            }
            catch (KvmToolException e)
            {
                finding = new DoctorFinding("usb", DoctorStatus.Problem, $"USB device {name}: {e.Message}", e.Hint);
            }
            yield return finding;
        }
    }
}
