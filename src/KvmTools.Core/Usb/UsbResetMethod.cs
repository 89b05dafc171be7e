namespace KvmTools.Core.Usb;

/// <summary>How a device is reset, from the gentlest to the most drastic.</summary>
public enum UsbResetMethod
{
    /// <summary>USBDEVFS_RESET: a port reset of this device; it keeps its address.</summary>
    Ioctl,

    /// <summary>Unbind the interface drivers and probe them again; the device itself is not reset.</summary>
    Rebind,

    /// <summary>Write 0 then 1 to sysfs 'authorized': the device is deconfigured and configured again.</summary>
    Authorize,

    /// <summary>Switch the port's power off and on through its hub: the device re-enumerates from cold.</summary>
    Power,

    /// <summary>Ioctl, then rebind, authorize and power, until the device is back and healthy.</summary>
    Auto,
}

public static class UsbResetMethods
{
    public const string Names = "ioctl, authorize, rebind, power or auto";

    /// <summary>
    /// The ladder 'auto' climbs. The ioctl first: it is what fixes a hung device most often and disturbs only it.
    /// Rebind next, for a device that came back without its drivers. Authorize re-creates every interface.
    /// Power last: it cuts the port, and on ganged hubs possibly its neighbours.
    /// </summary>
    public static readonly IReadOnlyList<UsbResetMethod> AutoOrder =
        [UsbResetMethod.Ioctl, UsbResetMethod.Rebind, UsbResetMethod.Authorize, UsbResetMethod.Power];

    public static bool TryParse(string text, out UsbResetMethod method)
    {
        UsbResetMethod? parsed = text switch
        {
            "ioctl" => UsbResetMethod.Ioctl,
            "authorize" => UsbResetMethod.Authorize,
            "rebind" => UsbResetMethod.Rebind,
            "power" => UsbResetMethod.Power,
            "auto" => UsbResetMethod.Auto,
            _ => null,
        };
        method = parsed ?? default;
        return parsed is not null;
    }

    public static UsbResetMethod Parse(string text) =>
        TryParse(text, out var method) ? method : throw new UsageException($"Unknown reset method '{text}'.", "Use " + Names + ".");

    public static string Name(this UsbResetMethod method) => method switch
    {
        UsbResetMethod.Ioctl => "ioctl",
        UsbResetMethod.Authorize => "authorize",
        UsbResetMethod.Rebind => "rebind",
        UsbResetMethod.Power => "power",
        _ => "auto",
    };
}
