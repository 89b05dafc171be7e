namespace KvmTools.Core.Switching;

/// <summary>
/// TESmart KVM switches (HKS0801A, HKS1601A and relatives), the same six-byte frames on RS-232 (9600 8N1)
/// and on the LAN port (TCP 5000): AA BB 03, a command, a value, EE.
/// Select input N: command 01, value N (1-based). Ask the active input: command 10, value 00; the switch
/// answers AA BB 03 11 (N-1) EE, 0-based. Some firmware also answers a select, with the input before or after
/// the switch, so only an answer to a query counts.
/// </summary>
public static class TesmartProtocol
{
    public const int DefaultBaud = 9600;
    public const int DefaultTcpPort = 5000;
    public const int MaxPorts = 16;
    public const int FrameLength = 6;

    private const byte Header1 = 0xAA;
    private const byte Header2 = 0xBB;
    private const byte Header3 = 0x03;
    private const byte End = 0xEE;
    private const byte SelectCommand = 0x01;
    private const byte QueryCommand = 0x10;
    private const byte ActiveReport = 0x11;

    public static byte[] EncodeSelect(int port)
    {
        if (port is < 1 or > MaxPorts)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "TESmart inputs are 1..16.");
        }
        return [Header1, Header2, Header3, SelectCommand, (byte)port, End];
    }

    public static byte[] EncodeQuery() => [Header1, Header2, Header3, QueryCommand, 0x00, End];

    /// <summary>
    /// The active input from the last complete report in <paramref name="received"/> (which may hold noise, a
    /// select's answer or a partial frame before it); null when there is none.
    /// </summary>
    public static int? DecodeActive(ReadOnlySpan<byte> received)
    {
        for (int i = received.Length - FrameLength; i >= 0; i--)
        {
            var f = received.Slice(i, FrameLength);
            if (f[0] == Header1 && f[1] == Header2 && f[2] == Header3 && f[3] == ActiveReport && f[5] == End && f[4] < MaxPorts)
            {
                return f[4] + 1;
            }
        }
        return null;
    }

    /// <summary>The report a switch sends for active input <paramref name="port"/> (for simulators and tests).</summary>
    public static byte[] EncodeReport(int port) => [Header1, Header2, Header3, ActiveReport, (byte)(port - 1), End];
}
