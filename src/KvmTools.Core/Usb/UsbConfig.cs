using YamlDotNet.Serialization;

namespace KvmTools.Core.Usb;

/// <summary>The 'usb:' section of kvmtool.yaml.</summary>
[YamlSerializable]
public sealed class UsbConfig
{
    /// <summary>Named USB devices, e.g. capture = the HDMI dongle 534d:2109 at port 1-1.2; 'kvmtool usb reset capture'.</summary>
    public Dictionary<string, UsbDeviceConfig> Devices { get; set; } = [];
}

/// <summary>How to find one named USB device; every key given must match.</summary>
[YamlSerializable]
public sealed class UsbDeviceConfig
{
    /// <summary>VID:PID in hex, e.g. 534d:2109.</summary>
    public string? Id { get; set; }

    /// <summary>The port path (1-1.2): stable across reboots, and what a power reset switches when the device is gone.</summary>
    public string? UsbPort { get; set; }

    public string? Serial { get; set; }

    /// <summary>The product string, as 'kvmtool usb list' shows it.</summary>
    public string? Product { get; set; }

    /// <summary>A device node the device owns, e.g. /dev/kvmd-video.</summary>
    public string? Device { get; set; }

    /// <summary>The method 'usb reset NAME' uses when --method is not given: ioctl, authorize, rebind, power or auto.</summary>
    public string? ResetMethod { get; set; }
}
