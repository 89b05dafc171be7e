using System.Globalization;

namespace KvmTools.Core.Ch9329;

/// <summary>The line speeds the CH9329 supports and kvmtool can set on a Linux serial port.</summary>
public static class Ch9329BaudRate
{
    /// <summary>The chip's factory setting, and kvmd's default hid speed.</summary>
    public const int Default = 9600;

    /// <summary>The fastest rate; WCH does not support it when the chip runs at 3.3 V.</summary>
    public const int Fastest = 115200;

    /// <summary>1200 to 115200 baud (WCH), limited to the rates Linux sets with standard termios codes.</summary>
    public static readonly IReadOnlyList<int> Supported = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];

    /// <summary>The order '--baud auto' tries after the port's current and configured rates: likeliest first.</summary>
    public static readonly IReadOnlyList<int> SearchOrder = [9600, 115200, 57600, 38400, 19200, 4800, 2400, 1200];

    public static bool IsSupported(int baud) => Supported.Contains(baud);

    public static string List => string.Join(", ", Supported);

    /// <summary>Parses a --baud value: a supported rate, or "auto" (null).</summary>
    public static int? Parse(string text, string option)
    {
        if (string.Equals(text, "auto", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int baud) && IsSupported(baud))
        {
            return baud;
        }
        throw new UsageException($"{option} {text} is not a baud rate the CH9329 supports.",
            $"Use one of {List}{(option == "--baud" ? ", or auto" : "")}.");
    }

    /// <summary>How long <paramref name="bytes"/> take on the wire at <paramref name="baud"/> (8N1: 10 bits a byte).</summary>
    public static TimeSpan WireTime(int bytes, int baud) => TimeSpan.FromSeconds(bytes * 10.0 / baud);
}

/// <summary>The chip's serial address: 0x00 by default; 0xFF is broadcast, which no chip answers.</summary>
public static class Ch9329Address
{
    public static byte Parse(string text, string option)
    {
        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        var style = digits.Length != text.Length ? NumberStyles.AllowHexSpecifier : NumberStyles.None;
        if (int.TryParse(digits, style, CultureInfo.InvariantCulture, out int value) && value is >= 0 and < Ch9329Command.BroadcastAddress)
        {
            return (byte)value;
        }
        throw new UsageException($"{option} {text} is not a CH9329 address.",
            "Give 0 to 254 (or 0x00 to 0xFE); 255 (0xFF) is broadcast, which the chip never answers.");
    }

    public static string Format(byte address) => $"0x{address:X2}";
}
