namespace KvmTools.Core.Linux;

/// <summary>Small readers for sysfs attribute files: missing or unreadable attributes are null, never fatal.</summary>
public static class SysfsFile
{
    public static string? ReadTrimmed(string path) => SmallFile.Read(path, out string text) == SmallFileRead.Read ? text.Trim() : null;

    public static int? ReadInt(string path) =>
        int.TryParse(ReadTrimmed(path), out int value) ? value : null;

    public static ushort? ReadHex16(string path) =>
        ushort.TryParse(ReadTrimmed(path), System.Globalization.NumberStyles.HexNumber, null, out ushort value) ? value : null;

    /// <summary>Reads a KEY=VALUE file such as a uevent; empty when it cannot be read.</summary>
    public static Dictionary<string, string> ReadKeyValues(string path) =>
        ParseKeyValues(SmallFile.Read(path, out string text) == SmallFileRead.Read ? text : "");

    /// <summary>KEY=VALUE lines; values without surrounding white space, the last of a repeated key wins.</summary>
    private static Dictionary<string, string> ParseKeyValues(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
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

    /// <summary>
    /// The directory a sysfs path leads to, with every link on the way resolved the way the kernel does it
    /// (realpath): a relative link target counts from the real directory the link sits in. That matters because
    /// class entries are links into the device tree and hold links of their own: /sys/class/tty/ttyUSB0 leads to
    /// .../1-1:1.0/ttyUSB0/tty/ttyUSB0, whose "device" is ../../../ttyUSB0; read against /sys/class/tty/ttyUSB0 as
    /// text, that ".." would end up at /sys/ttyUSB0. Null when it is no directory, or a link loop.
    /// </summary>
    public static string? ResolveDirectory(string path) => Directory.Exists(path) ? SmallFile.RealPath(path) : null;
}
