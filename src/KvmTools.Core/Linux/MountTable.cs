using System.Text;

namespace KvmTools.Core.Linux;

/// <summary>One line of /proc/self/mounts.</summary>
public sealed record MountEntry(string Device, string MountPoint, string FileSystem, IReadOnlyList<string> Options)
{
    public bool ReadOnly => Options.Contains("ro");
}

/// <summary>
/// The mounted filesystems (from /proc/self/mounts), to tell whether a path is on a read-only mount: PiKVM OS
/// mounts / read-only, and writing /etc/kvmd there needs 'rw' first.
/// </summary>
public sealed class MountTable(IReadOnlyList<MountEntry> entries)
{
    public const string DefaultPath = "/proc/self/mounts";

    public IReadOnlyList<MountEntry> Entries { get; } = entries;

    public static MountTable Load(string path)
    {
        try
        {
            return Parse(File.ReadAllText(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OperationFailedException($"Cannot read the mount table {path}: {e.Message}", "Is /proc mounted?", e);
        }
    }

    public static MountTable Parse(string text)
    {
        var entries = new List<MountEntry>();
        foreach (string line in text.Split('\n'))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 4)
            {
                entries.Add(new MountEntry(Unescape(f[0]), Unescape(f[1]), f[2], f[3].Split(',')));
            }
        }
        return new MountTable(entries);
    }

    /// <summary>The mount that holds <paramref name="path"/>: the longest mount point above it, the last one mounted there.</summary>
    public MountEntry? For(string path)
    {
        string full = Path.GetFullPath(path);
        MountEntry? best = null;
        foreach (var entry in Entries)
        {
            string mp = entry.MountPoint;
            bool contains = mp == "/" || full == mp || full.StartsWith(mp.TrimEnd('/') + "/", StringComparison.Ordinal);
            if (contains && (best is null || mp.Length >= best.MountPoint.Length))
            {
                best = entry;
            }
        }
        return best;
    }

    /// <summary>The kernel writes space, tab, newline and backslash in mount points as octal escapes (\040).</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }
        var sb = new StringBuilder();
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                sb.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else
            {
                sb.Append(field[i]);
            }
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
