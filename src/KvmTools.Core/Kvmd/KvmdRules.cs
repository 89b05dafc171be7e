using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KvmTools.Core.Kvmd;

/// <summary>
/// What kvmd accepts, as its validators and view code decide it (kvmd/validators/ugpio.py, validators/os.py,
/// apps/kvmd/ugpio.py). Shared by the config validator, the generator and 'gpio check'.
/// </summary>
public static partial class KvmdRules
{
    /// <summary>kvmd's GPIO driver names.</summary>
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_-]*$")]
    public static partial Regex DriverName();

    /// <summary>kvmd's GPIO channel names ('.' is allowed, unlike drivers).</summary>
    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_.-]*$")]
    public static partial Regex ChannelName();

    public const int MaxNameLength = 255;

    /// <summary>kvmd checks str() of a whole command (the Python list) against this many characters.</summary>
    public const int MaxCommandRepr = 4096;

    /// <summary>Indicator colours kvmd's page knows; any other silently becomes green.</summary>
    public static readonly IReadOnlyList<string> Colours = ["green", "yellow", "red", "blue", "cyan", "magenta", "pink", "white"];

    /// <summary>
    /// kvmd 4.197's user-GPIO driver types (kvmd/plugins/ugpio), for where no kvmd is installed to ask
    /// (<see cref="KvmdDriverTypes"/>): a newer kvmd may have more, so an unknown type is then only a warning.
    /// </summary>
    public static readonly IReadOnlySet<string> DriverTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "amt", "anelpwr", "cmd", "cmdret", "extron", "ezcoo", "gpio", "hidrelay", "hue", "ipmi", "locator", "noop",
        "noyito", "otgconf", "pway", "pwm", "servo", "tesmart", "wol", "xh_hk4401",
    };

    /// <summary>Every name kvmtool gives a driver or channel starts with this, away from PiKVM's own __x__ names.</summary>
    public const string NamePrefix = "kvmtool_";

    /// <summary>PiKVM names its own drivers and channels __like_this__.</summary>
    public static bool IsReserved(string name) => name.Length >= 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal);

    /// <summary>
    /// Why <paramref name="text"/> cannot be shown as a label or button text, or null. Line breaks and control
    /// characters would be folded or stripped by YAML and HTML, so the page would not show what was written.
    /// </summary>
    public static string? TextProblem(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c))
            {
                return "it holds a broken (unpaired) UTF-16 character";
            }
            if (c is '\n' or '\r' or '\u0085' or '\u2028' or '\u2029')
            {
                return "it holds a line break";
            }
            if (char.IsControl(c))
            {
                return $"it holds the control character U+{(int)c:X4}";
            }
        }
        return null;
    }

    /// <summary>The length of Python's str() of a list of strings, which kvmd limits for commands.</summary>
    public static int PythonListReprLength(IReadOnlyList<string> items)
    {
        int length = 2 + Math.Max(0, items.Count - 1) * 2;
        foreach (string item in items)
        {
            length += PythonStrReprLength(item);
        }
        return length;
    }

    private static int PythonStrReprLength(string s)
    {
        char quote = s.Contains('\'', StringComparison.Ordinal) && !s.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        int length = 2;
        foreach (Rune r in s.EnumerateRunes())
        {
            int v = r.Value;
            length += v switch
            {
                '\\' or '\t' or '\n' or '\r' => 2,
                _ when v == quote => 2,
                _ when IsPythonPrintable(r) => 1,
                < 0x100 => 4,
                < 0x10000 => 6,
                _ => 10,
            };
        }
        return length;
    }

    private static bool IsPythonPrintable(Rune r) =>
        r.Value == ' ' || Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };

    /// <summary>Text for a label cell or the title, which kvmd's page inserts as raw HTML.</summary>
    public static string HtmlEscape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        }
        return sb.ToString();
    }
}
