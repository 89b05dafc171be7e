namespace KvmTools.Core.Relays;

/// <summary>
/// The LCUS / NOYITO relay command, the same four bytes over HID (5131:2007) and over a CH340 serial port:
/// A0, channel, state (1 on, 0 off), and the 8-bit sum of the first three. The boards never answer.
/// </summary>
public static class LcusProtocol
{
    public const byte Start = 0xA0;

    /// <summary>The channel byte's range; real boards have 1, 2, 4, 8 or 16 channels and cannot say which.</summary>
    public const int MaxChannel = 255;

    public static byte[] Encode(int channel, bool on)
    {
        if (channel is < 1 or > MaxChannel)
        {
            throw new ArgumentOutOfRangeException(nameof(channel), channel, "LCUS channels are 1..255.");
        }
        byte state = on ? (byte)1 : (byte)0;
        return [Start, (byte)channel, state, unchecked((byte)(Start + channel + state))];
    }
}
