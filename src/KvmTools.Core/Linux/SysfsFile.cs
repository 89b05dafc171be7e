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

    /// <summary>The kernel's limit on links followed while resolving one path (ELOOP beyond it).</summary>
    private const int MaxLinks = 40;

    /// <summary>
    /// The directory a sysfs path leads to, with every link on the way resolved the way the kernel does it
    /// (realpath): a relative link target counts from the real directory the link sits in. That matters because
    /// class entries are links into the device tree and hold links of their own: /sys/class/tty/ttyUSB0 leads to
    /// .../1-1:1.0/ttyUSB0/tty/ttyUSB0, whose "device" is ../../../ttyUSB0; read against /sys/class/tty/ttyUSB0 as
    /// text, that ".." would end up at /sys/ttyUSB0.
    /// </summary>
    public static string? ResolveDirectory(string path)
    {
        try
        {
            if (!Directory.Exists(path))
            {
                return null;
            }
            return RealPath(Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string RealPath(string path)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        string current = "/";
        int links = 0;
        while (pending.TryPop(out string? part))
        {
            if (part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }
            string next = Path.Combine(current, part);
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks)
            {
                throw new IOException($"Too many levels of symbolic links in {path}.");
            }
            if (target.StartsWith('/'))
            {
                current = "/";
            }
            foreach (string step in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(step);
            }
        }
        return current;
    }
}
