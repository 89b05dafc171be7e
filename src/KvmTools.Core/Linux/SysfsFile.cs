namespace KvmTools.Core.Linux;

/// <summary>Small readers for sysfs attribute files: missing or unreadable attributes are null, never fatal.</summary>
public static class SysfsFile
{
    public static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public static int? ReadInt(string path) =>
        int.TryParse(ReadTrimmed(path), out int value) ? value : null;

    public static ushort? ReadHex16(string path) =>
        ushort.TryParse(ReadTrimmed(path), System.Globalization.NumberStyles.HexNumber, null, out ushort value) ? value : null;

    /// <summary>Parses a KEY=VALUE file such as a uevent.</summary>
    public static Dictionary<string, string> ReadKeyValues(string path)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? text = null;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return result;
        }
        foreach (string line in text.Split('\n'))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                result[line[..eq]] = line[(eq + 1)..].Trim();
            }
        }
        return result;
    }

    /// <summary>The directory a sysfs link points to, with every link on the way resolved.</summary>
    public static string? ResolveDirectory(string path)
    {
        try
        {
            var info = new DirectoryInfo(path);
            if (!info.Exists)
            {
                return null;
            }
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            return Path.GetFullPath(target?.FullName ?? info.FullName);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
