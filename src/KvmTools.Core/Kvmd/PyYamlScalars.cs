using System.Globalization;
using System.Numerics;
using System.Text.RegularExpressions;

namespace KvmTools.Core.Kvmd;

/// <summary>What a YAML scalar becomes in kvmd, which loads YAML 1.1 with PyYAML's SafeLoader.</summary>
public enum PyKind
{
    Str,
    Null,
    Bool,
    WholeNumber,
    Real,
    Timestamp,
    /// <summary>!!binary: Python bytes.</summary>
    Bytes,
    /// <summary>kvmd's own !include tag: another file's content.</summary>
    Include,
    /// <summary>A tag SafeLoader cannot construct: kvmd refuses the file.</summary>
    Unsupported,
}

/// <summary>
/// PyYAML's implicit typing of plain scalars (YAML 1.1), as kvmd configures it: kvmd removes the bool
/// resolver for words starting with o, y or n, so 'on', 'off', 'yes' and 'no' stay strings there, while
/// 'true', '0x10', '010', '1_000', '~' and '2024-01-01' do not.
/// </summary>
public static partial class PyYamlScalars
{
    public static PyKind Resolve(string text, bool plain, string? tag)
    {
        if (!string.IsNullOrEmpty(tag) && tag != "?")
        {
            return tag switch
            {
                "!" or "tag:yaml.org,2002:str" => PyKind.Str,
                "tag:yaml.org,2002:null" => PyKind.Null,
                "tag:yaml.org,2002:bool" => PyKind.Bool,
                "tag:yaml.org,2002:int" => PyKind.WholeNumber,
                "tag:yaml.org,2002:float" => PyKind.Real,
                "tag:yaml.org,2002:timestamp" => PyKind.Timestamp,
                // SafeLoader makes bytes of it; kvmd's options then see "b'...'", never the text.
                "tag:yaml.org,2002:binary" => PyKind.Bytes,
                "!include" => PyKind.Include,
                _ => PyKind.Unsupported,
            };
        }
        if (!plain)
        {
            return PyKind.Str;
        }
        char first = text.Length == 0 ? '\0' : text[0];
        if (first is 't' or 'T' or 'f' or 'F' && Bool().IsMatch(text))
        {
            return PyKind.Bool;
        }
        if ("-+0123456789.".Contains(first, StringComparison.Ordinal) && Float().IsMatch(text))
        {
            return PyKind.Real;
        }
        if ("-+0123456789".Contains(first, StringComparison.Ordinal) && Int().IsMatch(text))
        {
            return PyKind.WholeNumber;
        }
        if (text.Length == 0 || (first is '~' or 'n' or 'N' && Null().IsMatch(text)))
        {
            return PyKind.Null;
        }
        if (char.IsAsciiDigit(first) && Timestamp().IsMatch(text))
        {
            return PyKind.Timestamp;
        }
        return PyKind.Str;
    }

    /// <summary>What Python's str() makes of the value (kvmd applies str() to most values before validating them).</summary>
    public static string PythonStr(string text, PyKind kind) => kind switch
    {
        PyKind.Null => "None",
        PyKind.Bool => text.StartsWith('t') || text.StartsWith('T') ? "True" : "False",
        PyKind.WholeNumber => IntValue(text)?.ToString(CultureInfo.InvariantCulture) ?? text,
        PyKind.Real => FloatText(text),
        PyKind.Bytes => BytesRepr(text),
        _ => text,
    };

    /// <summary>Python's str() of the bytes a !!binary scalar holds: b'...' with \xNN for what is not printable ASCII.</summary>
    private static string BytesRepr(string base64)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(string.Concat(base64.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException)
        {
            return "b'?'";
        }
        var sb = new System.Text.StringBuilder("b'");
        foreach (byte b in bytes)
        {
            sb.Append(b is >= 0x20 and < 0x7f and not (byte)'\'' and not (byte)'\\' ? ((char)b).ToString() : $"\\x{b:x2}");
        }
        return sb.Append('\'').ToString();
    }

    /// <summary>The value of a YAML 1.1 int: 0b.., 0x.., 0.. (octal), '_' separators, and base-60 (1:30).</summary>
    public static BigInteger? IntValue(string text)
    {
        string t = text.Replace("_", "", StringComparison.Ordinal);
        int sign = 1;
        if (t.StartsWith('-') || t.StartsWith('+'))
        {
            sign = t[0] == '-' ? -1 : 1;
            t = t[1..];
        }
        if (t.Length == 0)
        {
            return null;
        }
        BigInteger value = 0;
        if (t.Contains(':', StringComparison.Ordinal))
        {
            foreach (string part in t.Split(':'))
            {
                value = value * 60 + BigInteger.Parse(part, CultureInfo.InvariantCulture);
            }
        }
        else if (t.StartsWith("0b", StringComparison.Ordinal))
        {
            foreach (char c in t[2..])
            {
                value = value * 2 + (c - '0');
            }
        }
        else if (t.StartsWith("0x", StringComparison.Ordinal))
        {
            foreach (char c in t[2..])
            {
                value = value * 16 + Convert.ToInt32(c.ToString(), 16);
            }
        }
        else if (t.Length > 1 && t[0] == '0')
        {
            foreach (char c in t[1..])
            {
                value = value * 8 + (c - '0');
            }
        }
        else
        {
            value = BigInteger.Parse(t, CultureInfo.InvariantCulture);
        }
        return sign * value;
    }

    private static string FloatText(string text)
    {
        string t = text.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
        if (t.EndsWith(".inf", StringComparison.Ordinal))
        {
            return t.StartsWith('-') ? "-inf" : "inf";
        }
        if (t == ".nan")
        {
            return "nan";
        }
        if (t.Contains(':', StringComparison.Ordinal))
        {
            return text;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)
            ? (d == Math.Floor(d) && Math.Abs(d) < 1e16 ? d.ToString("0.0", CultureInfo.InvariantCulture) : d.ToString("R", CultureInfo.InvariantCulture))
            : text;
    }

    /// <summary>How kvmd reads a number it validates (valid_number: str(), strip, then Python's float()).</summary>
    public static double? PythonFloat(string pythonStr)
    {
        string t = pythonStr.Trim();
        if (t.Length == 0 || t.Length > 16)
        {
            return null;
        }
        string lower = t.ToLowerInvariant();
        if (lower is "inf" or "+inf" or "infinity" or "+infinity")
        {
            return double.PositiveInfinity;
        }
        if (lower is "-inf" or "-infinity")
        {
            return double.NegativeInfinity;
        }
        if (lower is "nan" or "+nan" or "-nan")
        {
            return double.NaN;
        }
        if (!PythonFloatLiteral().IsMatch(t))
        {
            return null;
        }
        return double.TryParse(t.Replace("_", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : null;
    }

    [GeneratedRegex("^(?:true|True|TRUE|false|False|FALSE)$")]
    private static partial Regex Bool();

    [GeneratedRegex(@"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$")]
    private static partial Regex Float();

    [GeneratedRegex("^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$")]
    private static partial Regex Int();

    [GeneratedRegex("^(?:~|null|Null|NULL)$")]
    private static partial Regex Null();

    [GeneratedRegex(@"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$")]
    private static partial Regex Timestamp();

    /// <summary>Python float() literals: digits with single '_' between them, an optional fraction and exponent.</summary>
    [GeneratedRegex(@"^[-+]?(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)(?:[eE][-+]?[0-9](?:_?[0-9])*)?$")]
    private static partial Regex PythonFloatLiteral();
}
