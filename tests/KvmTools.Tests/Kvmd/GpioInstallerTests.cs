using System.Text;
using KvmTools.Core;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Kvmd;

/// <summary>'gpio apply' and 'gpio rollback' on a throw-away root with /etc/kvmd, /var/lib/kvmtool and /run.</summary>
public sealed class GpioInstallerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kvmtool-gpio-" + Guid.NewGuid().ToString("N"));
    private readonly FakeProcessRunner _runner = new();

    public GpioInstallerTests()
    {
        Directory.CreateDirectory(OverrideDir);
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        File.WriteAllText(MountBinary, "");
        File.WriteAllText(Systemctl, "");
        Mounts("rw");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string OverrideDir => Path.Combine(_root, "etc", "kvmd", "override.d");
    private string Target => Path.Combine(OverrideDir, "gpio.yaml");
    private string BackupDir => Path.Combine(_root, "var", "lib", "kvmtool", "backups");
    private string MountsFile => Path.Combine(_root, "mounts");
    private string MountBinary => Path.Combine(_root, "bin", "mount");
    private string Systemctl => Path.Combine(_root, "bin", "systemctl");
    private string KvmdBinary => Path.Combine(_root, "bin", "kvmd");
    private string SudoersFile => Path.Combine(_root, "etc", "sudoers.d", "kvmtool");

    private void Mounts(string rootOptions) =>
        File.WriteAllText(MountsFile, $"/dev/mmcblk0p2 / ext4 {rootOptions},relatime 0 0\nproc /proc proc rw,nosuid 0 0\n");

    private GpioInstaller Installer(Action<string>? beforeCommit = null) => new(new GpioHost(OverrideDir, BackupDir, Path.Combine(_root, "run", "kvmtool"))
    {
        SudoersFile = SudoersFile,
        MountsFile = MountsFile,
        KvmdBinary = KvmdBinary,
        MountCandidates = [MountBinary],
        SystemctlCandidates = [Systemctl],
        Runner = _runner,
        Time = new FixedTime(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero)),
        Sleep = _ => { },
        BeforeCommit = beforeCommit,
    });

    private static string Generated(string title) => KvmdTestFiles.Generate(
        $"relays: {{r: {{channel: 1}}}}\nkvmd:\n  title: \"{title}\"\n  buttons:\n    b: {{relay: r}}\n  indicators:\n    i: {{relay: r}}\n");

    private string[] OverrideDirListing() => [.. Directory.EnumerateFileSystemEntries(OverrideDir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void TheFirstApplyWritesTheFileAndRemembersThatThereWasNone()
    {
        var result = Installer().Apply(Generated("A"), new ApplyOptions());
        Assert.Equal(ApplyOutcome.Written, result.Outcome);
        Assert.Equal(Generated("A"), File.ReadAllText(Target));
        Assert.Equal(["gpio.yaml"], OverrideDirListing());
        Assert.Equal(StagedFile.DefaultMode, File.GetUnixFileMode(Target));
        Assert.Equal(BackupKind.Absent, result.Backup!.Kind);
        Assert.StartsWith(BackupDir + "/", result.Backup.Path, StringComparison.Ordinal);
        Assert.Equal(KvmdCheck.NotInstalled, result.KvmdCheck);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public void ASecondApplyOfTheSameConfigChangesNothing()
    {
        var installer = Installer();
        installer.Apply(Generated("A"), new ApplyOptions());
        var before = File.GetLastWriteTimeUtc(Target);
        int backups = installer.Backups.List().Count;

        var again = installer.Apply(Generated("A"), new ApplyOptions(RestartKvmd: true));
        Assert.Equal(ApplyOutcome.Unchanged, again.Outcome);
        Assert.Null(again.Backup);
        Assert.Null(again.Restart);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Target));
        Assert.Equal(backups, installer.Backups.List().Count);
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public void AChangeKeepsThePreviousFileOutsideOverrideD()
    {
        var installer = Installer();
        installer.Apply(Generated("A"), new ApplyOptions());
        var result = installer.Apply(Generated("B"), new ApplyOptions());
        Assert.Equal(FileOrigin.Generated, result.Replaced);
        Assert.Equal(BackupKind.Generated, result.Backup!.Kind);
        Assert.Equal(Generated("A"), File.ReadAllText(result.Backup.Path));
        Assert.False(KvmdConfigValidator.IsInside(result.Backup.Path, OverrideDir));
        Assert.Equal(["gpio.yaml"], OverrideDirListing());
        Assert.Equal(Generated("B"), File.ReadAllText(Target));
    }

    [Fact]
    public void ACrashBetweenWriteAndRenameLeavesTheOldFileAndNothingElseInOverrideD()
    {
        Installer().Apply(Generated("A"), new ApplyOptions());
        string? temp = null;
        string[]? listing = null;
        string? targetAtCrash = null;
        var installer = Installer(t =>
        {
            // This is what kvmd would load if the machine died right now.
            temp = t;
            listing = OverrideDirListing();
            targetAtCrash = File.ReadAllText(Target);
            Assert.Equal(Generated("B"), File.ReadAllText(t));
            throw new IOException("simulated crash");
        });

        var e = Assert.Throws<OperationFailedException>(() => installer.Apply(Generated("B"), new ApplyOptions()));
        Assert.Contains("simulated crash", e.Message);
        Assert.Equal(["gpio.yaml"], listing!);
        Assert.Equal(Generated("A"), targetAtCrash);
        Assert.False(KvmdConfigValidator.IsInside(temp!, OverrideDir), "the temporary file is staged outside override.d: " + temp);
        Assert.Equal(Path.GetDirectoryName(OverrideDir), Path.GetDirectoryName(temp));
        Assert.False(File.Exists(temp), "the temporary file is removed after a failure");
        Assert.Equal(Generated("A"), File.ReadAllText(Target));
        Assert.Equal(["gpio.yaml"], OverrideDirListing());
    }

    [Theory]
    [InlineData("kvmd:\n    gpio: {}\n", FileOrigin.Foreign)]
    [InlineData(null, FileOrigin.Edited)]
    public void AFileAPersonWroteIsNotOverwrittenWithoutForce(string? content, FileOrigin origin)
    {
        var installer = Installer();
        installer.Apply(Generated("A"), new ApplyOptions());
        string edited = content ?? Generated("A").Replace("\"GPIO\"", "\"Mine\"", StringComparison.Ordinal) + "# my note\n";
        File.WriteAllText(Target, edited);
        int backups = installer.Backups.List().Count;

        var e = Assert.Throws<OperationFailedException>(() => installer.Apply(Generated("B"), new ApplyOptions()));
        Assert.Contains(origin == FileOrigin.Edited ? "edited by hand" : "not written by kvmtool", e.Message);
        Assert.Contains("--force", e.Hint);
        Assert.Equal(edited, File.ReadAllText(Target));
        Assert.Equal(backups, installer.Backups.List().Count);

        var forced = installer.Apply(Generated("B"), new ApplyOptions(Force: true));
        Assert.Equal(origin, forced.Replaced);
        Assert.Equal(BackupKind.HandEdited, forced.Backup!.Kind);
        Assert.Equal(edited, File.ReadAllText(forced.Backup.Path));
        Assert.Equal(Generated("B"), File.ReadAllText(Target));
    }

    [Fact]
    public void OnAReadOnlyRootNothingIsWrittenAndTheMessageSaysWhatToDo()
    {
        Mounts("ro");
        var e = Assert.Throws<OperationFailedException>(() => Installer().Apply(Generated("A"), new ApplyOptions()));
        Assert.Contains("read-only", e.Message);
        Assert.Contains("'rw'", e.Hint);
        Assert.Contains("--remount", e.Hint);
        Assert.False(File.Exists(Target));
        Assert.False(Directory.Exists(BackupDir));
        Assert.Empty(_runner.Calls);
    }

    [Fact]
    public void RemountMakesTheRootWritableForTheWriteAndReadOnlyAgain()
    {
        Mounts("ro");
        var result = Installer().Apply(Generated("A"), new ApplyOptions(Remount: true));
        Assert.Equal(["mount -o remount,rw /", "mount -o remount,ro /"], _runner.Lines);
        Assert.Equal(["/"], result.Remounted);
        Assert.Equal(Generated("A"), File.ReadAllText(Target));
    }

    [Fact]
    public void TheRootGoesBackToReadOnlyEvenWhenTheWriteFails()
    {
        Installer().Apply(Generated("A"), new ApplyOptions());
        Mounts("ro");
        var installer = Installer(_ => throw new IOException("disk full"));
        var e = Assert.Throws<OperationFailedException>(() => installer.Apply(Generated("B"), new ApplyOptions(Remount: true)));
        Assert.Contains("disk full", e.Message);
        Assert.Equal(["mount -o remount,rw /", "mount -o remount,ro /"], _runner.Lines);
        Assert.Equal(Generated("A"), File.ReadAllText(Target));
    }

    [Fact]
    public void AFailedRemountWritesNothing()
    {
        Mounts("ro");
        _runner.Answer = call => new ProcessResult(32, "", "mount: permission denied", false);
        var e = Assert.Throws<OperationFailedException>(() => Installer().Apply(Generated("A"), new ApplyOptions(Remount: true)));
        Assert.Contains("permission denied", e.Message);
        Assert.Equal(["mount -o remount,rw /"], _runner.Lines);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public void ARootThatStaysWritableIsReported()
    {
        Mounts("ro");
        _runner.Answer = call => call.Contains("remount,ro") ? new ProcessResult(32, "", "mount point busy", false) : new ProcessResult(0, "", "", false);
        var e = Assert.Throws<OperationFailedException>(() => Installer().Apply(Generated("A"), new ApplyOptions(Remount: true)));
        Assert.Contains("could not be remounted read-only", e.Message);
        Assert.Contains("'ro'", e.Hint);
        Assert.Equal(Generated("A"), File.ReadAllText(Target));
    }

    [Fact]
    public void KvmdsOwnCheckRunsOnAStagedCopyAndARejectionWritesNothing()
    {
        Installer().Apply(Generated("A"), new ApplyOptions());
        File.WriteAllText(KvmdBinary, "");
        File.WriteAllText(Path.Combine(OverrideDir, "00-mine.yaml"), "kvmd:\n    hid:\n        type: otg\n");
        File.WriteAllText(Path.Combine(_root, "etc", "kvmd", "override.yaml"), "");
        string? stage = null;
        Dictionary<string, string>? staged = null;
        _runner.Answer = call =>
        {
            stage = call[3];
            staged = Directory.EnumerateFiles(stage).ToDictionary(f => Path.GetFileName(f)!, File.ReadAllText);
            return new ProcessResult(1, "", "kvmd.yamlconf.ConfigError: Invalid value 'x' for key 'kvmd/gpio/scheme/b/mode'", false);
        };

        var e = Assert.Throws<OperationFailedException>(() => Installer().Apply(Generated("B"), new ApplyOptions()));
        Assert.Contains("kvmd/gpio/scheme/b/mode", e.Message);
        var call = Assert.Single(_runner.Calls);
        Assert.Equal([KvmdBinary, "-m", "--override-dir", stage!, "--override-config", Path.Combine(_root, "etc", "kvmd", "override.yaml")], call);
        Assert.False(KvmdConfigValidator.IsInside(stage!, OverrideDir));
        Assert.Equal(["00-mine.yaml", "gpio.yaml"], staged!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Generated("B"), staged["gpio.yaml"]);
        Assert.False(Directory.Exists(stage), "the staged copy is removed");
        Assert.Equal(Generated("A"), File.ReadAllText(Target));

        _runner.Answer = null;
        Assert.Equal(KvmdCheck.Passed, Installer().Apply(Generated("B"), new ApplyOptions()).KvmdCheck);
        Assert.Equal(Generated("B"), File.ReadAllText(Target));
    }

    [Theory]
    [InlineData("0", "0", "active", true)]
    [InlineData("0", "2", "active", false)]
    [InlineData("0", "0", "activating", false)]
    public void RestartReportsWhetherKvmdCameBack(string restartsBefore, string restartsAfter, string stateAfter, bool cameBack)
    {
        int shows = 0;
        _runner.Answer = call => call[1] == "show"
            ? new ProcessResult(0, shows++ == 0
                ? $"ActiveState=active\nSubState=running\nNRestarts={restartsBefore}\n"
                : $"ActiveState={stateAfter}\nSubState=auto-restart\nNRestarts={restartsAfter}\n", "", false)
            : new ProcessResult(0, "", "", false);
        var result = Installer().Apply(Generated("A"), new ApplyOptions(RestartKvmd: true));
        Assert.Equal(cameBack, result.Restart!.CameBack);
        Assert.Equal("systemctl restart kvmd", _runner.Lines[0]);
        Assert.StartsWith("systemctl show kvmd", _runner.Lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void RollbackWalksBackThroughTheAppliesAndKeepsWhatItReplaces()
    {
        var installer = Installer();
        installer.Apply(Generated("A"), new ApplyOptions());
        installer.Apply(Generated("B"), new ApplyOptions());

        var first = installer.Rollback(remount: false, restartKvmd: false);
        Assert.Equal(Generated("A"), File.ReadAllText(Target));
        Assert.Equal(Generated("B"), File.ReadAllText(first.SavedCurrent!));
        Assert.StartsWith(Path.Combine(BackupDir, "rolled-back"), first.SavedCurrent, StringComparison.Ordinal);

        var second = installer.Rollback(remount: false, restartKvmd: false);
        Assert.Equal(BackupKind.Absent, second.Restored.Kind);
        Assert.False(File.Exists(Target));
        Assert.Empty(OverrideDirListing());

        var e = Assert.Throws<NotFoundException>(() => installer.Rollback(remount: false, restartKvmd: false));
        Assert.Contains("no backup", e.Message);
    }

    [Fact]
    public void RollbackOnAReadOnlyRootNeedsRemountToo()
    {
        var installer = Installer();
        installer.Apply(Generated("A"), new ApplyOptions());
        Mounts("ro");
        Assert.Throws<OperationFailedException>(() => installer.Rollback(remount: false, restartKvmd: false));
        Assert.True(File.Exists(Target));
        installer.Rollback(remount: true, restartKvmd: false);
        Assert.False(File.Exists(Target));
        Assert.Equal(["mount -o remount,rw /", "mount -o remount,ro /"], _runner.Lines);
    }

    [Fact]
    public void TheReplacedFilesModeAndOwnerAreKept()
    {
        var installer = Installer();
        installer.Apply(Generated("A"), new ApplyOptions());
        File.SetUnixFileMode(Target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        bool root = FileStatus.EffectiveUid == 0;
        if (root)
        {
            FileStatus.Chown(Target, 1234, 4321);
        }
        installer.Apply(Generated("B"), new ApplyOptions());
        var status = FileStatus.Of(Target)!.Value;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, status.Mode);
        if (root)
        {
            Assert.Equal((1234u, 4321u), (status.Uid, status.Gid));
        }
    }

    [Fact]
    public void OldGeneratedBackupsArePrunedButHandEditedOnesAreKept()
    {
        var installer = Installer();
        installer.Apply(Generated("A"), new ApplyOptions());
        File.WriteAllText(Target, "kvmd: {}\n");
        installer.Apply(Generated("B"), new ApplyOptions(Force: true));
        for (int i = 0; i < GpioBackups.Keep + 5; i++)
        {
            installer.Apply(Generated("C" + i), new ApplyOptions());
        }
        var backups = installer.Backups.List();
        Assert.Equal(GpioBackups.Keep, backups.Count(b => b.Kind != BackupKind.HandEdited));
        var hand = Assert.Single(backups, b => b.Kind == BackupKind.HandEdited);
        Assert.Equal("kvmd: {}\n", File.ReadAllText(hand.Path));
        Assert.Equal(Generated("C" + (GpioBackups.Keep + 3)), File.ReadAllText(backups[^1].Path));
    }

    [Fact]
    public void BackupsInsideOverrideDAreRefused()
    {
        var installer = new GpioInstaller(new GpioHost(OverrideDir, Path.Combine(OverrideDir, "old"), Path.Combine(_root, "run")) { MountsFile = MountsFile, SudoersFile = SudoersFile });
        var e = Assert.Throws<UsageException>(() => installer.Apply(Generated("A"), new ApplyOptions()));
        Assert.Contains("kvmd would load the backups", e.Message);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public void AFileKvmdCannotEvenLoadElsewhereIsReportedButOurFileIsStillWritten()
    {
        File.WriteAllText(Path.Combine(OverrideDir, "10-broken.yaml"), "kvmd: [\n");
        var result = Installer().Apply(Generated("A"), new ApplyOptions());
        Assert.Contains(result.Problems, p => p.Severity == Severity.Error && p.File.EndsWith("10-broken.yaml", StringComparison.Ordinal));
        Assert.Equal(Generated("A"), File.ReadAllText(Target));
    }
}
