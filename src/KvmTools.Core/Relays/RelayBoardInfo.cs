namespace KvmTools.Core.Relays;

public enum RelayFamily
{
    /// <summary>Not a relay board; listed only by 'relay list --all'.</summary>
    None,
    /// <summary>LCUS/NOYITO HID board, 5131:2007; write-only.</summary>
    LcusHid,
    /// <summary>LCUS board on a CH340 serial port; write-only.</summary>
    LcusSerial,
    /// <summary>dcttech USBRelayN, 16c0:05df; reads its state back.</summary>
    Dcttech,
}

/// <summary>A relay board kvmtool found (or a HID device that is not one, for --all).</summary>
public sealed record RelayBoardInfo(
    RelayFamily Family,
    string Device,
    ushort VendorId,
    ushort ProductId,
    string? UsbPort,
    string? Serial,
    int Channels,
    bool ChannelsKnown,
    string? Name,
    string? UsbIdentity)
{
    public string Id => $"{VendorId:x4}:{ProductId:x4}";

    public bool IsRelay => Family != RelayFamily.None;

    public bool CanReadState => Family == RelayFamily.Dcttech;

    public string FamilyName => Family switch
    {
        RelayFamily.LcusHid => "lcus",
        RelayFamily.LcusSerial => "lcus-serial",
        RelayFamily.Dcttech => "dcttech",
        _ => "not-a-relay",
    };

    /// <summary>
    /// A file-name-safe key that stays the same while the board stays in the same place: the USB port path
    /// where there is one (stable across reboots), else the device node.
    /// </summary>
    public string StateKey => StateKeyOf(Family, UsbPort, Device);

    public static string StateKeyOf(RelayFamily family, string? usbPort, string device) =>
        usbPort is not null
            ? $"usb-{usbPort}-{(family == RelayFamily.LcusSerial ? "tty" : "hid")}"
            : "dev-" + device.Trim('/').Replace('/', '_');

    /// <summary>How the user can pick this board when several are attached.</summary>
    public string Describe() =>
        $"{FamilyName} {Id} at {Device}" +
        (UsbPort is null ? "" : $" (--usb-port {UsbPort})") +
        (Serial is null ? "" : $" (--serial {Serial})");
}
