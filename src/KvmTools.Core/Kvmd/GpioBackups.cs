using System.Globalization;
using System.Text.RegularExpressions;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Kvmd;

public enum BackupKind
{
    /// <summary>A file kvmtool had generated.</summary>
    Generated,
    /// <summary>A file a person wrote or edited, replaced with --force; never pruned.</summary>
    HandEdited,
    /// <summary>There was no file: rolling back to this removes gpio.yaml.</summary>
    Absent,
}

public sealed record GpioBackup(string Path, BackupKind Kind, DateTime Taken);

/// <summary>
/// The files 'gpio apply' replaced, kept outside override.d (kvmd would load them otherwise), newest last.
/// 'gpio rollback' takes the newest back; what it replaces goes to rolled-back/, so nothing is ever lost and
/// repeated rollbacks walk further back instead of flipping between two files.
/// </summary>
public sealed partial class GpioBackups(string dir, TimeProvider time)
{
    /// <summary>Generated files are small and cheap to regenerate; keep the last few dozen changes.</summary>
    public const int Keep = 20;

    public string Directory { get; } = dir;

    public string RolledBackDirectory => Path.Combine(Directory, "rolled-back");

    public IReadOnlyList<GpioBackup> List()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return [];
        }
        var backups = new List<GpioBackup>();
        foreach (string path in System.IO.Directory.EnumerateFiles(Directory))
        {
            var m = NamePattern().Match(Path.GetFileName(path));
            if (m.Success)
            {
                var taken = DateTime.ParseExact(m.Groups[1].Value, Stamp, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                var kind = m.Groups[2].Value switch { "hand-edited" => BackupKind.HandEdited, "absent" => BackupKind.Absent, _ => BackupKind.Generated };
                backups.Add(new GpioBackup(path, kind, taken));
            }
        }
        backups.Sort((a, b) => string.CompareOrdinal(Path.GetFileName(a.Path), Path.GetFileName(b.Path)));
        return backups;
    }

    /// <summary>Keeps <paramref name="content"/> (null: "there was no file") and prunes old generated copies.</summary>
    public GpioBackup Save(byte[]? content, BackupKind kind)
    {
        var backup = Store(Directory, content ?? [], kind);
        var prunable = List().Where(b => b.Kind != BackupKind.HandEdited).ToList();
        foreach (var old in prunable.Take(Math.Max(0, prunable.Count - Keep)))
        {
            File.Delete(old.Path);
        }
        return backup;
    }

    /// <summary>Keeps the file a rollback replaces, where rollback itself will not pick it up.</summary>
    public string SaveRolledBack(byte[] content, BackupKind kind) => Store(RolledBackDirectory, content, kind).Path;

    public static void Remove(GpioBackup backup) => File.Delete(backup.Path);

    private GpioBackup Store(string dir, byte[] content, BackupKind kind)
    {
        System.IO.Directory.CreateDirectory(dir);
        var when = time.GetUtcNow().UtcDateTime;
        // Names sort in the order the backups were taken, even when the clock stands still or steps back.
        if (dir == Directory && List() is [.., var newest] && newest.Taken >= when)
        {
            when = newest.Taken.AddTicks(1);
        }
        while (Enum.GetValues<BackupKind>().Any(k => Path.Exists(Path.Combine(dir, Name(when, k)))))
        {
            when = when.AddTicks(1);
        }
        string path = Path.Combine(dir, Name(when, kind));
        StagedFile.Write(path, content, null);
        return new GpioBackup(path, kind, when);
    }

    private const string Stamp = "yyyyMMdd'T'HHmmss'.'fffffff'Z'";

    private static string Name(DateTime when, BackupKind kind) =>
        $"{GpioOverrideFile.FileName}.{when.ToString(Stamp, CultureInfo.InvariantCulture)}.{KindWord(kind)}";

    private static string KindWord(BackupKind kind) => kind switch
    {
        BackupKind.HandEdited => "hand-edited",
        BackupKind.Absent => "absent",
        _ => "generated",
    };

    [GeneratedRegex(@"^gpio\.yaml\.([0-9]{8}T[0-9]{6}\.[0-9]{7}Z)\.(generated|hand-edited|absent)$")]
    private static partial Regex NamePattern();
}
