using System.Text;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Kvmd;

public enum ApplyOutcome
{
    Unchanged,
    Written,
}

/// <summary>What kvmd's own config check said (it runs only where kvmd is installed).</summary>
public enum KvmdCheck
{
    NotInstalled,
    Passed,
}

/// <summary>What became of the sudo rule for the buttons that need root (<see cref="SudoRules"/>).</summary>
public enum SudoRuleChange
{
    /// <summary>It already was what the installed gpio.yaml needs (also: no rule, none needed).</summary>
    Unchanged,
    Written,
    Removed,
}

/// <summary>Whether kvmd was restarted and is running again.</summary>
public sealed record KvmdRestart(bool CameBack, string State);

public sealed record ApplyOptions(bool Force = false, bool Remount = false, bool RestartKvmd = false);

public sealed record ApplyResult(
    ApplyOutcome Outcome,
    string Path,
    FileOrigin? Replaced,
    GpioBackup? Backup,
    KvmdCheck KvmdCheck,
    IReadOnlyList<GpioProblem> Problems,
    IReadOnlyList<string> Remounted,
    KvmdRestart? Restart,
    SudoRuleChange Sudo = SudoRuleChange.Unchanged,
    int RootLines = 0);

public sealed record RollbackResult(
    string Path, GpioBackup Restored, string? SavedCurrent, IReadOnlyList<string> Remounted, KvmdRestart? Restart,
    SudoRuleChange Sudo = SudoRuleChange.Unchanged);

/// <summary>
/// Installs kvmtool's gpio.yaml into kvmd's override.d so that kvmd never sees a broken, half-written or
/// unchecked file: check, kvmd's own check on a staged copy, read-only root handled, backup outside override.d,
/// atomic replace, optional restart with a "did it come back" check. Safe to run again and again.
/// </summary>
public sealed class GpioInstaller(GpioHost host)
{
    public GpioHost Host { get; } = host;

    public GpioBackups Backups { get; } = new(host.BackupDir, host.Time);

    public ApplyResult Apply(string content, ApplyOptions options)
    {
        CheckBackupLocation();
        using var guard = FileLock.Acquire(Host.LockFile, Host.LockTimeout);
        string target = Host.Target;
        byte[] bytes = Encoding.UTF8.GetBytes(content);

        var own = GpioChecker.CheckText(content, target).Where(p => p.Severity == Severity.Error).ToList();
        if (own.Count > 0)
        {
            throw new OperationFailedException("kvmtool generated a file that fails its own check, so nothing was written:\n" +
                string.Join("\n", own.Select(p => "  " + p)), "This is a bug in kvmtool; please report it with your kvmtool.yaml.");
        }

        var rootLines = SudoRules.LinesOf(content);
        string? rule = PrepareSudoRule(rootLines);
        bool ruleCurrent = CurrentSudoRule() == rule;
        byte[]? existing = ReadExisting(target);
        if (existing is not null && existing.AsSpan().SequenceEqual(bytes))
        {
            // Quiet on purpose: cron and Ansible run this across fleets; 'gpio check --installed' reports the rest.
            var sudo = SudoRuleChange.Unchanged;
            var fixedMounts = new List<string>();
            if (!ruleCurrent)
            {
                // The file is as it should be, but its sudo rule is missing or stale (removed by hand, a reinstall).
                WithWritableMounts(options.Remount, fixedMounts, () => sudo = WriteSudoRule(rule), SudoersDir);
            }
            return new ApplyResult(ApplyOutcome.Unchanged, target, FileOrigin.Generated, null, KvmdCheck.NotInstalled, [], fixedMounts, null, sudo, rootLines.Count);
        }
        FileOrigin? origin = existing is null ? null : GpioOverrideFile.Inspect(Encoding.UTF8.GetString(existing));
        if (origin is FileOrigin.Edited or FileOrigin.Foreign && !options.Force)
        {
            throw new OperationFailedException(
                origin == FileOrigin.Edited
                    ? $"{target} was edited by hand after kvmtool wrote it (its content no longer matches the hash in its header); kvmtool will not overwrite it."
                    : $"{target} was not written by kvmtool (it has no kvmtool header); kvmtool will not overwrite it.",
                "Move what you need from it into kvmtool.yaml ('kvmtool gpio diff' shows the difference), then run 'kvmtool gpio apply --force'; the file is kept in " + Host.BackupDir + ".");
        }

        var problems = InstalledOverrides.Check(Host.OverrideDir, target, content);
        var check = RunKvmdCheck(content);
        var remounted = new List<string>();
        GpioBackup? backup = null;
        var sudoChange = SudoRuleChange.Unchanged;
        WithWritableMounts(options.Remount, remounted, () =>
        {
            backup = Backups.Save(existing, origin switch
            {
                null => BackupKind.Absent,
                FileOrigin.Generated => BackupKind.Generated,
                _ => BackupKind.HandEdited,
            });
            Directory.CreateDirectory(Host.OverrideDir);
            Write(target, bytes, existing is null ? null : FileStatus.Of(target));
            if (!ruleCurrent)
            {
                sudoChange = WriteSudoRule(rule);
            }
        }, ruleCurrent ? null : SudoersDir);
        var restart = options.RestartKvmd ? RestartKvmd() : null;
        return new ApplyResult(ApplyOutcome.Written, target, origin, backup, check, problems, remounted, restart, sudoChange, rootLines.Count);
    }

    public RollbackResult Rollback(bool remount, bool restartKvmd)
    {
        CheckBackupLocation();
        using var guard = FileLock.Acquire(Host.LockFile, Host.LockTimeout);
        string target = Host.Target;
        var backups = Backups.List();
        if (backups.Count == 0)
        {
            throw new NotFoundException($"There is no backup to roll back to in {Host.BackupDir}.",
                "'kvmtool gpio apply' keeps the file it replaces there; nothing was applied yet, or the backups were removed.");
        }
        var restore = backups[^1];
        byte[]? current = ReadExisting(target);
        string? saved = null;
        var remounted = new List<string>();
        // The rule follows the file kvmd will run: the restored one (none for a hand-made or absent file).
        byte[]? restored = restore.Kind == BackupKind.Absent ? null : File.ReadAllBytes(restore.Path);
        string? rule = PrepareSudoRule(restored is null ? [] : SudoRules.LinesOf(Encoding.UTF8.GetString(restored)));
        bool ruleCurrent = CurrentSudoRule() == rule;
        var sudoChange = SudoRuleChange.Unchanged;
        WithWritableMounts(remount, remounted, () =>
        {
            if (current is not null)
            {
                var kind = GpioOverrideFile.Inspect(Encoding.UTF8.GetString(current)) == FileOrigin.Generated ? BackupKind.Generated : BackupKind.HandEdited;
                saved = Backups.SaveRolledBack(current, kind);
            }
            if (restore.Kind == BackupKind.Absent)
            {
                if (current is not null)
                {
                    StagedFile.Delete(target);
                }
            }
            else
            {
                Write(target, restored!, current is null ? null : FileStatus.Of(target));
            }
            GpioBackups.Remove(restore);
            if (!ruleCurrent)
            {
                sudoChange = WriteSudoRule(rule);
            }
        }, ruleCurrent ? null : SudoersDir);
        var restart = restartKvmd ? RestartKvmd() : null;
        return new RollbackResult(target, restore, saved, remounted, restart, sudoChange);
    }

    private string SudoersDir => Path.GetDirectoryName(Host.SudoersFile)!;

    /// <summary>The installed rule file's text; null when there is none.</summary>
    public string? CurrentSudoRule() => ReadExisting(Host.SudoersFile) is { } b ? Encoding.UTF8.GetString(b) : null;

    /// <summary>
    /// The rule file <paramref name="lines"/> need, checked before anything is written: sudo is installed, visudo
    /// accepts the file, and nothing the root lines read can be changed by anyone but root. Null when no line needs root.
    /// </summary>
    private string? PrepareSudoRule(IReadOnlyList<IReadOnlyList<string>> lines)
    {
        string? rule = SudoRules.Render(lines, BuildInfo.Version);
        if (CurrentSudoRule() is { } current && !SudoRules.IsOurs(current))
        {
            if (rule is null)
            {
                return current; // someone else's file of that name, and kvmtool needs none: leave it alone
            }
            throw new OperationFailedException($"{Host.SudoersFile} exists and was not written by kvmtool; kvmtool will not replace it.",
                $"Rename it (sudo reads every file in {SudoersDir}), then apply again.");
        }
        if (rule is null)
        {
            return null;
        }
        if (!File.Exists(Host.SudoBinary))
        {
            throw new NotFoundException($"A button needs root ({string.Join(' ', lines[0])}), and {Host.SudoBinary} is not installed.",
                "Install sudo (PiKVM OS: 'pacman -S sudo'; Debian: 'apt install sudo'), then apply again.");
        }
        foreach (var line in lines)
        {
            CheckOnlyRootCanChange(line);
        }
        string visudo = GpioHost.Find(Host.VisudoCandidates)
            ?? throw new NotFoundException("Cannot find visudo to check the sudo rule before installing it.", "Install sudo (it brings visudo), then apply again.");
        string check = Path.Combine(Host.RuntimeDir, $"sudoers-check.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            AtomicFile.WriteText(check, rule, UnixFileMode.UserRead);
            var result = Host.Runner.Run([visudo, "-c", "-q", "-f", check], Host.VisudoTimeout);
            if (!result.Succeeded)
            {
                throw new OperationFailedException($"visudo rejects the sudo rule kvmtool made, so nothing was written:\n{Indent(result.TimedOut ? "visudo timed out" : result.Tail(8))}",
                    "This is a bug in kvmtool; please report it with your kvmtool.yaml.");
            }
        }
        finally
        {
            AtomicFile.TryDelete(check);
        }
        return rule;
    }

    /// <summary>
    /// A root line runs kvmtool and reads its configuration as root: if group kvmd could replace either, the rule
    /// would hand root to whatever runs as kvmd. Each must be root's file, in root's directory, writable by nobody else.
    /// </summary>
    private static void CheckOnlyRootCanChange(IReadOnlyList<string> line)
    {
        int at = line.ToList().IndexOf("--config");
        string config = at >= 0 && at + 1 < line.Count ? line[at + 1] : Config.ConfigLoader.DefaultPath;
        foreach (string path in new[] { line[0], config })
        {
            foreach (string p in new[] { path, Path.GetDirectoryName(path)! })
            {
                if (FileStatus.Of(p) is { } s &&
                    (s.Uid != 0 || (s.OthersMayWrite && (s.Mode & UnixFileMode.StickyBit) == 0)))
                {
                    throw new UsageException(
                        $"A button needs root and runs '{string.Join(' ', line)}', but {p} can be changed by someone other than root, who could then decide what root does.",
                        $"Make it root's and writable by root only: chown root:root {p}; chmod go-w {p}.");
                }
            }
        }
    }

    /// <summary>Puts <paramref name="rule"/> in place (mode 0440, root's, as sudo requires), or removes kvmtool's rule when it is null.</summary>
    private SudoRuleChange WriteSudoRule(string? rule)
    {
        try
        {
            if (rule is null)
            {
                if (!File.Exists(Host.SudoersFile))
                {
                    return SudoRuleChange.Unchanged;
                }
                StagedFile.Delete(Host.SudoersFile);
                return SudoRuleChange.Removed;
            }
            Directory.CreateDirectory(SudoersDir);
            StagedFile.Write(Host.SudoersFile, Encoding.UTF8.GetBytes(rule),
                new FileStatus(0, 0, UnixFileMode.UserRead | UnixFileMode.GroupRead, 0), Host.BeforeCommit);
            return SudoRuleChange.Written;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied writing {Host.SudoersFile}.", "Run kvmtool gpio as root (sudo).", e);
        }
    }

    /// <summary>The installed file's text, or "" when there is none (for 'gpio diff').</summary>
    public string InstalledText() => ReadExisting(Host.Target) is { } b ? Encoding.UTF8.GetString(b) : "";

    private void CheckBackupLocation()
    {
        if (KvmdConfigValidator.IsInside(Host.BackupDir, Host.OverrideDir))
        {
            throw new UsageException($"The backup directory {Host.BackupDir} is inside {Host.OverrideDir}: kvmd would load the backups.",
                "Set kvmd.backup-dir in kvmtool.yaml to a directory outside override.d, e.g. /var/lib/kvmtool/backups.");
        }
    }

    private static byte[]? ReadExisting(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied reading {path}.", "Run kvmtool gpio as root (sudo).", e);
        }
    }

    private void Write(string target, byte[] bytes, FileStatus? keep)
    {
        try
        {
            StagedFile.Write(target, bytes, keep, Host.BeforeCommit);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied writing {target}.", "Run kvmtool gpio as root (sudo).", e);
        }
        catch (IOException e)
        {
            throw new OperationFailedException($"Cannot write {target}: {e.Message}", "The old file is unchanged. If the filesystem is read-only, run 'rw' first (or pass --remount).", e);
        }
    }

    /// <summary>
    /// kvmd's own loader and validators, run on a copy of override.d with the new file in it, before anything is
    /// written: kvmd knows its plugins and options better than any copy of its rules.
    /// </summary>
    private KvmdCheck RunKvmdCheck(string content)
    {
        if (!File.Exists(Host.KvmdBinary))
        {
            return KvmdCheck.NotInstalled;
        }
        string stage = Path.Combine(Host.RuntimeDir, $"gpio-check.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(stage);
            if (Directory.Exists(Host.OverrideDir))
            {
                foreach (string path in Directory.EnumerateFileSystemEntries(Host.OverrideDir))
                {
                    string name = Path.GetFileName(path);
                    if (name == GpioOverrideFile.FileName)
                    {
                        continue;
                    }
                    var info = new FileInfo(path);
                    if (info.LinkTarget is { } link)
                    {
                        File.CreateSymbolicLink(Path.Combine(stage, name), Path.IsPathRooted(link) ? link : Path.Combine(Host.OverrideDir, link));
                    }
                    else if (info.Exists)
                    {
                        File.Copy(path, Path.Combine(stage, name));
                    }
                }
            }
            File.WriteAllText(Path.Combine(stage, GpioOverrideFile.FileName), content);
            var argv = new List<string> { Host.KvmdBinary, "-m", "--override-dir", stage };
            if (File.Exists(Host.OverrideYaml))
            {
                argv.AddRange(["--override-config", Host.OverrideYaml]);
            }
            var result = Host.Runner.Run(argv, Host.KvmdCheckTimeout);
            if (result.TimedOut)
            {
                throw new DeviceTimeoutException($"kvmd's config check ({string.Join(' ', argv)}) did not finish within {Host.KvmdCheckTimeout.TotalSeconds:0} s; nothing was written.",
                    "Try again; if it keeps happening, run 'kvmd -m' by hand to see why it hangs.");
            }
            if (result.ExitCode != 0)
            {
                throw new OperationFailedException($"kvmd's own config check rejects the new configuration, so nothing was written:\n{Indent(result.Tail(12))}",
                    "Fix what kvmd names (if it is in another file of " + Host.OverrideDir + " or in override.yaml, there), then apply again.");
            }
            return KvmdCheck.Passed;
        }
        finally
        {
            try
            {
                Directory.Delete(stage, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover under /run goes away at the next boot.
            }
        }
    }

    private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => "  " + l));

    /// <summary>
    /// Runs <paramref name="write"/> with the filesystems it writes to writable. PiKVM OS mounts / read-only: without
    /// --remount that is an error that says what to do; with it, kvmtool remounts read-write and always back
    /// read-only afterwards, also when the write fails.
    /// </summary>
    private void WithWritableMounts(bool remount, List<string> remounted, Action write, string? alsoWrites = null)
    {
        var mounts = MountTable.Load(Host.MountsFile);
        var readOnly = new[] { Host.OverrideDir, Host.BackupDir, alsoWrites ?? Host.OverrideDir }
            .Select(p => mounts.For(p)).OfType<MountEntry>().Where(m => m.ReadOnly)
            .Select(m => m.MountPoint).Distinct(StringComparer.Ordinal).ToList();
        if (readOnly.Count > 0 && !remount)
        {
            throw new OperationFailedException(
                $"{string.Join(" and ", readOnly)} {(readOnly.Count == 1 ? "is" : "are")} mounted read-only (PiKVM OS keeps the root filesystem read-only); nothing was written.",
                "Run 'rw', then this command again, then 'ro'; or add --remount and kvmtool does both.");
        }
        if (readOnly.Count == 0)
        {
            write();
            return;
        }
        string mount = GpioHost.Find(Host.MountCandidates)
            ?? throw new NotFoundException("Cannot find the mount program to remount read-write.", "Run 'rw' yourself, then this command without --remount, then 'ro'.");
        Exception? failure = null;
        try
        {
            foreach (string mp in readOnly)
            {
                var result = Host.Runner.Run([mount, "-o", "remount,rw", mp], Host.RemountTimeout);
                if (!result.Succeeded)
                {
                    throw new OperationFailedException($"Cannot remount {mp} read-write: {(result.TimedOut ? "timed out" : result.Tail())}",
                        "Run kvmtool as root (sudo), or run 'rw' yourself.");
                }
                remounted.Add(mp);
            }
            write();
        }
        catch (Exception e)
        {
            failure = e;
        }

        // Back to read-only whatever happened above.
        var stillWritable = new List<string>();
        foreach (string mp in Enumerable.Reverse(remounted))
        {
            if (!Host.Runner.Run([mount, "-o", "remount,ro", mp], Host.RemountTimeout).Succeeded)
            {
                stillWritable.Add(mp);
            }
        }
        string left = string.Join(" and ", stillWritable);
        if (failure is KvmToolException known && stillWritable.Count > 0)
        {
            throw new OperationFailedException($"{known.Message} Also, {left} could not be remounted read-only again.",
                (known.Hint is null ? "" : known.Hint + " ") + "Then run 'ro'.", known);
        }
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
        if (stillWritable.Count > 0)
        {
            throw new OperationFailedException($"The change is in place, but {left} could not be remounted read-only again.",
                "Run 'ro' (or 'mount -o remount,ro /'); a busy filesystem refuses until the program writing to it finishes.");
        }
    }

    /// <summary>Restarts kvmd and reports whether it is running a few seconds later with no restart in between.</summary>
    public KvmdRestart RestartKvmd()
    {
        string systemctl = GpioHost.Find(Host.SystemctlCandidates)
            ?? throw new NotFoundException("Cannot find systemctl to restart kvmd.", "Restart kvmd yourself (systemctl restart kvmd).");
        var restart = Host.Runner.Run([systemctl, "restart", "kvmd"], Host.RestartTimeout);
        if (!restart.Succeeded)
        {
            return new KvmdRestart(false, restart.TimedOut ? "'systemctl restart kvmd' timed out" : "'systemctl restart kvmd' failed: " + restart.Tail());
        }
        var before = Show(systemctl);
        Host.Sleep(Host.RestartSettle);
        var after = Show(systemctl);
        string state = $"{after.GetValueOrDefault("ActiveState", "?")} ({after.GetValueOrDefault("SubState", "?")})";
        bool stable = after.GetValueOrDefault("NRestarts") == before.GetValueOrDefault("NRestarts");
        bool up = after.GetValueOrDefault("ActiveState") == "active" && stable;
        return new KvmdRestart(up, up ? state : state + (stable ? "" : ", restarted by systemd since"));
    }

    private Dictionary<string, string> Show(string systemctl)
    {
        var result = Host.Runner.Run([systemctl, "show", "kvmd", "--property=ActiveState", "--property=SubState", "--property=NRestarts"], TimeSpan.FromSeconds(15));
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in result.StandardOutput.Split('\n'))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..].Trim();
            }
        }
        return values;
    }
}
