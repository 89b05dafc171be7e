using System.Text;

namespace KvmTools.Core.Relays;

/// <summary>
/// The dcttech "USBRelayN" boards (16c0:05df, V-USB firmware), driven with HID feature reports.
/// Set reports start with report number 0 (the device has no report IDs), then the command:
/// FF n = relay n on, FD n = relay n off, FE = all on, FC = all off. The 8-byte get report holds
/// the board id in bytes 0-4 and the relay states as a bitmask in byte 7 (bit 0 = relay 1).
/// </summary>
public static class DcttechProtocol
{
    public const ushort VendorId = 0x16c0;
    public const ushort ProductId = 0x05df;

    /// <summary>Report number byte + 8 data bytes, the size the firmware's feature report has.</summary>
    public const int ReportLength = 9;

    public const int MaxChannels = 8;

    private const byte On = 0xFF;
    private const byte Off = 0xFD;
    private const byte AllOn = 0xFE;
    private const byte AllOff = 0xFC;

    public static byte[] EncodeSet(int channel, bool on)
    {
        if (channel is < 1 or > MaxChannels)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "USBRelay channels are 1..8.");
        }
        var report = new byte[ReportLength];
        report[1] = on ? On : Off;
        report[2] = (byte)channel;
        return report;
    }

    public static byte[] EncodeSetAll(bool on)
    {
        var report = new byte[ReportLength];
        report[1] = on ? AllOn : AllOff;
        return report;
    }

    /// <summary>
    /// The buffer for HIDIOCGFEATURE. Asking for report 1 makes the kernel return the 8 data bytes from the
    /// start of the buffer (report 0 would shift them by one), as usbrelay and hidapi users do.
    /// </summary>
    public static byte[] NewGetBuffer()
    {
        var buffer = new byte[ReportLength];
        buffer[0] = 0x01;
        return buffer;
    }

    public static DcttechState DecodeState(ReadOnlySpan<byte> report)
    {
        if (report.Length < 8)
        {
            throw new OperationFailedException(
                $"The USBRelay board returned a {report.Length}-byte state report; 8 bytes were expected.",
                "The board may not be a dcttech USBRelay; check 'kvmtool relay list --all'.");
        }
        var id = new StringBuilder(5);
        foreach (byte b in report[..5])
        {
            if (b == 0)
            {
                break;
            }
            id.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
        }
        return new DcttechState(id.ToString(), report[7]);
    }

    /// <summary>Channel count from the product name the firmware reports ("USBRelay2" → 2).</summary>
    public static int? ChannelsFromName(string? name)
    {
        if (name is null)
        {
            return null;
        }
        int at = name.IndexOf("USBRelay", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }
        ReadOnlySpan<char> rest = name.AsSpan(at + "USBRelay".Length);
        int digits = 0;
        while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
        {
            digits++;
        }
        return digits > 0 && int.TryParse(rest[..digits], out int n) && n is >= 1 and <= MaxChannels ? n : null;
    }
}

/// <summary>The decoded state report: the board's id (not unique between boards) and the relay bitmask.</summary>
public readonly record struct DcttechState(string BoardId, byte Mask)
{
    public bool IsOn(int channel) => (Mask & (1 << (channel - 1))) != 0;
}
