using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KvmTools.Core.Switching;

/// <summary>
/// ezcoo KVM switches (EZ-SW41HA-KVMU3L/P and relatives) on their USB serial port, 115200 8N1, the "EZ"
/// command set of firmware 1.20 and later, one command per line: 'EZS OUT1 VS INn' routes input n to the
/// output, 'EZG OUT1 VS' asks, and the switch answers 'OUT1 VS n' (among other text, such as the IR code
/// it echoes after a switch). The firmware is known to drop a command now and then; a select is sent twice.
/// </summary>
public static partial class EzcooProtocol
{
    public const int DefaultBaud = 115200;

    /// <summary>The protocol routes inputs 1 to 4.</summary>
    public const int MaxPorts = 4;

    public static byte[] EncodeSelect(int port)
    {
        if (port is < 1 or > MaxPorts)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "ezcoo inputs are 1..4.");
        }
        return Encoding.ASCII.GetBytes($"EZS OUT1 VS IN{port.ToString(CultureInfo.InvariantCulture)}\n");
    }

    public static byte[] EncodeQuery() => Encoding.ASCII.GetBytes("EZG OUT1 VS\n");

    [GeneratedRegex(@"OUT1 VS (?:IN)?([0-9]+)")]
    private static partial Regex Route();

    /// <summary>The routed input from the last route report in <paramref name="received"/>; null when there is none.</summary>
    public static int? DecodeRoute(ReadOnlySpan<byte> received)
    {
        string text = Encoding.ASCII.GetString(received);
        // Only complete lines count: a report cut short by the read could lose digits ("OUT1 VS 1" of "OUT1 VS 12").
        int end = text.LastIndexOf('\n');
        if (end < 0)
        {
            return null;
        }
        var matches = Route().Matches(text[..end]);
        for (int i = matches.Count - 1; i >= 0; i--)
        {
            // The switch's reports have no "IN"; an echoed command line has it and says nothing about the route.
            if (!matches[i].Value.Contains("IN", StringComparison.Ordinal) &&
                int.TryParse(matches[i].Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int port) &&
                port is >= 1 and <= MaxPorts)
            {
                return port;
            }
        }
        return null;
    }
}
