using KvmTools.Core.Config;

namespace KvmTools.Core.Usb;

/// <summary>The rules for the 'usb:' section, beyond what its types say.</summary>
public static class UsbConfigValidator
{
    public static void Validate(UsbConfig usb, ConfigProblems problems)
    {
        foreach (var (name, device) in usb.Devices)
        {
            string at = "usb.devices." + name;
            ConfigValidator.CheckName(name, at, "USB device", problems);
            if (device is null || (device.Id, device.UsbPort, device.Serial, device.Product, device.Device) is (null, null, null, null, null))
            {
                problems.AtKey(at, $"USB device '{name}' says nothing about which device it is.",
                    "Give at least one of id (534d:2109), usb-port (1-1.2), serial, product or device (/dev/video0).");
                continue;
            }
            if (device.Id is not null && !UsbSelector.TryParseId(device.Id, out _, out _))
            {
                problems.At(at + ".id", $"'{device.Id}' is not a USB id.", "Write it as VID:PID in hex, e.g. 534d:2109.");
            }
            if (device.UsbPort is not null && !ConfigValidator.UsbPortPattern().IsMatch(device.UsbPort))
            {
                problems.At(at + ".usb-port", $"'{device.UsbPort}' is not a USB port path.",
                    "Port paths look like 1-1.2; 'kvmtool usb list' shows each device's.");
            }
            if (device.Device is not null && !device.Device.StartsWith('/'))
            {
                problems.At(at + ".device", $"'{device.Device}' is not an absolute path.", "Write the node as /dev/video0 or /dev/kvmd-video.");
            }
            if (device.ResetMethod is not null && !UsbResetMethods.TryParse(device.ResetMethod, out _))
            {
                problems.At(at + ".reset-method", $"unknown reset method '{device.ResetMethod}'.", "Use " + UsbResetMethods.Names + ".");
            }
        }
    }
}
