using KvmTools.Core.Linux;

namespace KvmTools.Core.Kvmd;

/// <summary>
/// The machine 'gpio apply' works on: kvmd's directories, kvmtool's backup and runtime directories, the mount
/// table, the programs it may run (mount, kvmd, systemctl) and how it runs them. Tests replace any of it.
/// </summary>
public sealed record GpioHost(string OverrideDir, string BackupDir, string RuntimeDir)
{
    /// <summary>The sudo rule for the buttons that need root (<see cref="SudoRules"/>).</summary>
    public required string SudoersFile { get; init; }

    public string SudoBinary { get; init; } = KvmdCommandLines.SudoPath;

    public IReadOnlyList<string> VisudoCandidates { get; init; } = ["/usr/sbin/visudo", "/usr/bin/visudo"];

    /// <summary>visudo only parses a small file.</summary>
    public TimeSpan VisudoTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public string MountsFile { get; init; } = MountTable.DefaultPath;

    /// <summary>kvmd's own binary; when it exists, its config check runs on a staged copy before anything is written.</summary>
    public string KvmdBinary { get; init; } = "/usr/bin/kvmd";

    public IReadOnlyList<string> MountCandidates { get; init; } = ["/usr/bin/mount", "/bin/mount"];

    public IReadOnlyList<string> SystemctlCandidates { get; init; } = ["/usr/bin/systemctl", "/bin/systemctl"];

    public IProcessRunner Runner { get; init; } = SystemProcessRunner.Instance;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Action<TimeSpan> Sleep { get; init; } = Thread.Sleep;

    /// <summary>Called with the temporary file after it is complete and before the rename (tests look at the crash window).</summary>
    public Action<string>? BeforeCommit { get; init; }

    /// <summary>kvmd imports all its plugins for the check; a Pi Zero 2 W takes several seconds.</summary>
    public TimeSpan KvmdCheckTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>A remount only fails slowly when a disk hangs; do not wait forever for that.</summary>
    public TimeSpan RemountTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>systemd stops kvmd within its TimeoutStopSec (10 s) and starts it again.</summary>
    public TimeSpan RestartTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>kvmd with a bad config dies within a second or two and systemd restarts it (RestartSec=3).</summary>
    public TimeSpan RestartSettle { get; init; } = TimeSpan.FromSeconds(6);

    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(15);

    public string Target => Path.Combine(OverrideDir, GpioOverrideFile.FileName);

    public string OverrideYaml => InstalledOverrides.OverrideYamlFor(OverrideDir);

    public string LockFile => Path.Combine(RuntimeDir, "locks", "kvmd-gpio.lock");

    public static string DefaultBackupDir(SystemPaths paths) => Path.Combine(paths.StateDir, "backups");

    public static GpioHost For(KvmdConfig? config, SystemPaths paths) => new(
        Path.GetFullPath(config?.OverrideDir ?? KvmdConfig.DefaultOverrideDir),
        Path.GetFullPath(config?.BackupDir ?? DefaultBackupDir(paths)),
        paths.RuntimeDir)
    {
        SudoersFile = Path.Combine(paths.EtcRoot, "sudoers.d", SudoRules.FileName),
    };

    internal static string? Find(IReadOnlyList<string> candidates) => candidates.FirstOrDefault(File.Exists);
}
