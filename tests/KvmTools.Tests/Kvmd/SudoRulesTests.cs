using KvmTools.Core;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Kvmd;

/// <summary>The sudo rule for kvmd's root buttons: made from the installed file, exactly its root lines, nothing more.</summary>
public sealed class SudoRulesTests : IDisposable
{
    private const string Devices = "usb:\n  devices:\n    capture: {id: \"534d:2109\"}\n    hub: {usb-port: \"1-1\"}\nrelays: {r: {channel: 1}}\n";
    private const string Root = Devices + "kvmd:\n  buttons:\n    reset: {usb-reset: capture}\n    again: {usb-reset: capture, label: Again}\n    hub: {usb-reset: hub}\n    lamp: {relay: r}\n";
    private const string NoRoot = Devices + "kvmd:\n  buttons:\n    lamp: {relay: r}\n";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "kvmtool-sudo-" + Guid.NewGuid().ToString("N"));
    private readonly FakeProcessRunner _runner = new();

    public SudoRulesTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "bin"));
        Directory.CreateDirectory(Path.Combine(_root, "etc", "kvmd", "override.d"));
        File.WriteAllText(Sudo, "");
        File.WriteAllText(Visudo, "");
        File.WriteAllText(Mounts, "/dev/root / ext4 rw 0 0\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Sudo => Path.Combine(_root, "bin", "sudo");
    private string Visudo => Path.Combine(_root, "bin", "visudo");
    private string Mounts => Path.Combine(_root, "mounts");
    private string Sudoers => Path.Combine(_root, "etc", "sudoers.d", "kvmtool");
    private string Target => Path.Combine(_root, "etc", "kvmd", "override.d", "gpio.yaml");

    private GpioInstaller Installer() => new(new GpioHost(Path.GetDirectoryName(Target)!, Path.Combine(_root, "backups"), Path.Combine(_root, "run"))
    {
        SudoersFile = Sudoers,
        SudoBinary = Sudo,
        VisudoCandidates = [Visudo],
        KvmdBinary = Path.Combine(_root, "bin", "no-kvmd"),
        MountsFile = Mounts,
        Runner = _runner,
        Time = new FixedTime(new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero)),
    });

    [Fact]
    public void TheRuleHoldsExactlyTheRootLinesOfAGeneratedFile()
    {
        string generated = KvmdTestFiles.Generate(Root);
        var lines = SudoRules.LinesOf(generated);
        Assert.Equal(["/usr/bin/kvmtool usb reset capture", "/usr/bin/kvmtool usb reset hub"], lines.Select(l => string.Join(' ', l)));
        string rule = SudoRules.Render(lines, "1.2.3")!;
        Assert.Equal(
            ["kvmd ALL=(root) NOPASSWD: /usr/bin/kvmtool usb reset capture", "kvmd ALL=(root) NOPASSWD: /usr/bin/kvmtool usb reset hub"],
            rule.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')));
        Assert.True(SudoRules.IsOurs(rule));
        Assert.Null(SudoRules.Render(SudoRules.LinesOf(KvmdTestFiles.Generate(NoRoot)), "1.2.3"));

        // A file kvmtool did not generate, or one edited since, never grants root.
        Assert.Empty(SudoRules.LinesOf(generated.Replace("usb\", \"reset\", \"capture\"", "usb\", \"reset\", \"other\"", StringComparison.Ordinal)));
        Assert.Empty(SudoRules.LinesOf(generated[generated.IndexOf("kvmd:", StringComparison.Ordinal)..]));
    }

    [Fact]
    public void ACommandLineSudoCannotMatchSafelyIsRefused()
    {
        var e = Assert.Throws<UsageException>(() => SudoRules.Render([["/usr/bin/kvmtool", "usb", "reset", "a,b"]], "1"));
        Assert.Contains("'a,b'", e.Message);
        Assert.Throws<UsageException>(() => SudoRules.Render([["/usr/bin/kvmtool", "usb", "reset", "x", "--config", "/home/pi/my kvm.yaml"]], "1"));
        Assert.Throws<UsageException>(() => SudoRules.Render([["/usr/bin/kvmtool", "usb", "reset", "*"]], "1"));
    }

    [SkippableFact]
    public void VisudoAcceptsTheRule()
    {
        string? visudo = new[] { "/usr/sbin/visudo", "/usr/bin/visudo" }.FirstOrDefault(File.Exists);
        Assert.True(visudo is not null || Environment.GetEnvironmentVariable("CI") is null or "", "visudo is missing (Debian: sudo); CI must have it");
        Skip.If(visudo is null, "visudo is not installed (Debian: sudo)");
        string file = Path.Combine(_root, "rule");
        File.WriteAllText(file, SudoRules.Render(SudoRules.LinesOf(KvmdTestFiles.Generate(Root.Replace("reset: {", "x: {usb-reset: hub}\n    reset: {", StringComparison.Ordinal))), "1.2.3"));
        var result = SystemProcessRunner.Instance.Run([visudo, "-c", "-q", "-f", file], TimeSpan.FromSeconds(30));
        Assert.True(result.Succeeded, result.Tail());
        File.AppendAllText(file, "kvmd ALL=(root) NOPASSWD: /usr/bin/kvmtool usb reset a,b\n");
        Assert.False(SystemProcessRunner.Instance.Run([visudo, "-c", "-q", "-f", file], TimeSpan.FromSeconds(30)).Succeeded);
    }

    [Fact]
    public void ApplyInstallsTheRuleAfterVisudoCheckedItAndRemovesItWhenNoButtonNeedsRoot()
    {
        var first = Installer().Apply(KvmdTestFiles.Generate(Root), new ApplyOptions());
        Assert.Equal(SudoRuleChange.Written, first.Sudo);
        Assert.Equal(2, first.RootLines);
        Assert.Contains(_runner.Calls, c => c[0] == Visudo && c[1..4].SequenceEqual(["-c", "-q", "-f"]));
        Assert.Contains("NOPASSWD: /usr/bin/kvmtool usb reset capture\n", File.ReadAllText(Sudoers));
        var status = FileStatus.Of(Sudoers)!.Value;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead, status.Mode);
        Assert.Equal(0u, status.Uid);
        Assert.DoesNotContain(Directory.EnumerateFiles(Path.GetDirectoryName(Sudoers)!), f => f != Sudoers);

        Assert.Equal(SudoRuleChange.Unchanged, Installer().Apply(KvmdTestFiles.Generate(Root), new ApplyOptions()).Sudo);
        // Removed by hand (or by a reinstall): the next apply puts it back although gpio.yaml is unchanged.
        File.Delete(Sudoers);
        var again = Installer().Apply(KvmdTestFiles.Generate(Root), new ApplyOptions());
        Assert.Equal((ApplyOutcome.Unchanged, SudoRuleChange.Written), (again.Outcome, again.Sudo));

        var none = Installer().Apply(KvmdTestFiles.Generate(NoRoot), new ApplyOptions());
        Assert.Equal(SudoRuleChange.Removed, none.Sudo);
        Assert.False(File.Exists(Sudoers));
    }

    [Fact]
    public void RollbackGivesTheRestoredFileItsRuleAndTheFirstApplysAbsenceNone()
    {
        Installer().Apply(KvmdTestFiles.Generate(Root), new ApplyOptions());
        Installer().Apply(KvmdTestFiles.Generate(NoRoot), new ApplyOptions());
        Assert.False(File.Exists(Sudoers));

        var back = Installer().Rollback(remount: false, restartKvmd: false);
        Assert.Equal(SudoRuleChange.Written, back.Sudo);
        Assert.Contains("usb reset hub", File.ReadAllText(Sudoers));

        var first = Installer().Rollback(remount: false, restartKvmd: false);
        Assert.Equal(BackupKind.Absent, first.Restored.Kind);
        Assert.Equal(SudoRuleChange.Removed, first.Sudo);
        Assert.False(File.Exists(Sudoers));
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public void NothingIsWrittenWhenTheRuleCannotBeMadeSafely()
    {
        // visudo refuses it.
        _runner.Answer = c => c[0] == Visudo ? new ProcessResult(1, "", ">>> parse error", false) : null!;
        Assert.Throws<OperationFailedException>(() => Installer().Apply(KvmdTestFiles.Generate(Root), new ApplyOptions()));
        AssertNothingWritten();
        _runner.Answer = null;

        // sudo is not installed.
        File.Delete(Sudo);
        var missing = Assert.Throws<NotFoundException>(() => Installer().Apply(KvmdTestFiles.Generate(Root), new ApplyOptions()));
        Assert.Contains("sudo", missing.Hint);
        AssertNothingWritten();
        File.WriteAllText(Sudo, "");

        // The configuration root would read can be changed by others.
        string config = Path.Combine(_root, "kvm.yaml");
        File.WriteAllText(config, Root);
        File.SetUnixFileMode(config, (UnixFileMode)0x1b6); // rw-rw-rw-
        var open = Assert.Throws<UsageException>(() => Installer().Apply(KvmdTestFiles.Generate(Root, config), new ApplyOptions()));
        Assert.Contains(config, open.Message);
        Assert.Contains("chmod go-w", open.Hint);
        AssertNothingWritten();

        // Someone else's file of that name.
        Directory.CreateDirectory(Path.GetDirectoryName(Sudoers)!);
        File.WriteAllText(Sudoers, "pi ALL=(ALL) ALL\n");
        Assert.Throws<OperationFailedException>(() => Installer().Apply(KvmdTestFiles.Generate(Root), new ApplyOptions()));
        Assert.Equal("pi ALL=(ALL) ALL\n", File.ReadAllText(Sudoers));
        Assert.False(File.Exists(Target));
        // ...which kvmtool leaves alone when it needs no rule.
        Assert.Equal(SudoRuleChange.Unchanged, Installer().Apply(KvmdTestFiles.Generate(NoRoot), new ApplyOptions()).Sudo);
        Assert.Equal("pi ALL=(ALL) ALL\n", File.ReadAllText(Sudoers));
    }

    private void AssertNothingWritten()
    {
        Assert.False(File.Exists(Target));
        Assert.False(File.Exists(Sudoers));
    }
}
