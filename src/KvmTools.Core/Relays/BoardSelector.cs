namespace KvmTools.Core.Relays;

/// <summary>
/// How the user picks one board: a device node, a serial number, a USB port path (stable across reboots),
/// or a serial port for LCUS serial boards. With none set, the only board attached is used.
/// </summary>
public sealed record BoardSelector(
    string? Device = null,
    string? Serial = null,
    string? UsbPort = null,
    string? Port = null,
    RelayFamily? Family = null,
    int? Channels = null)
{
    public bool IsEmpty => Device is null && Serial is null && UsbPort is null && Port is null;

    public string Describe()
    {
        var parts = new List<string>();
        if (Device is not null)
        {
            parts.Add("--device " + Device);
        }
        if (Serial is not null)
        {
            parts.Add("--serial " + Serial);
        }
        if (UsbPort is not null)
        {
            parts.Add("--usb-port " + UsbPort);
        }
        if (Port is not null)
        {
            parts.Add("--port " + Port);
        }
        return parts.Count == 0 ? "(no selector)" : string.Join(' ', parts);
    }
}
