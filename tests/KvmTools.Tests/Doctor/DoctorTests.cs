using KvmTools.Cli;
using KvmTools.Core.Doctor;
using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Doctor;

public sealed class DoctorTests : IDisposable
{
    private readonly SysfsFixture _fx = new();
    private readonly string _etc;

    public DoctorTests()
    {
        _etc = Path.Combine(_fx.Root, "etc");
        Directory.CreateDirectory(_etc);
        Directory.CreateDirectory(Path.Combine(_fx.Root, "proc", "self"));
        File.WriteAllText(Path.Combine(_fx.Root, "proc", "self", "mounts"), "/dev/root / ext4 rw,noatime 0 0\n");
    }

    public void Dispose() => _fx.Dispose();

    /// <summary>A kvmd user whose group is the group that owns files this test creates.</summary>
    private void AddKvmdUser(bool inGroup = true)
    {
        string probe = Path.Combine(_fx.Root, "probe");
        File.WriteAllText(probe, "");
        uint gid = FileOwnership.TryRead(probe)!.Value.Gid;
        File.WriteAllText(Path.Combine(_etc, "passwd"), "root:x:0:0::/root:/bin/sh\nkvmd:x:4242:4243::/:/sbin/nologin\n");
        File.WriteAllText(Path.Combine(_etc, "group"), $"root:x:0:\nkvmd:x:{gid}:{(inGroup ? "kvmd" : "")}\n");
    }

    private Dictionary<string, string> Env(string? config = null)
    {
        var env = CliRunner.EnvFor(_fx, config);
        env["KVMTOOL_ETC_ROOT"] = _etc;
        env["KVMTOOL_PROC_ROOT"] = Path.Combine(_fx.Root, "proc");
        return env;
    }

    private string RelayConfig()
    {
        string config = Path.Combine(_fx.Root, "relay.yaml");
        File.WriteAllText(config, "relays:\n  hdmi-button:\n    usb-port: \"1-1.4\"\n    channel: 1\n");
        return config;
    }

    private string AddBoard(UnixFileMode mode)
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        string node = _fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007);
        File.SetUnixFileMode(node, mode);
        return node;
    }

    [Fact]
    public void AHealthySetupHasNoProblems()
    {
        AddKvmdUser();
        AddBoard(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
        Directory.CreateDirectory(Path.Combine(_fx.Root, "usr", "lib", "udev", "rules.d"));
        File.WriteAllText(Path.Combine(_fx.Root, "usr", "lib", "udev", "rules.d", "60-kvmtool.rules"), "# rules\n");
        var shared = (UnixFileMode)0x1FD; // rwxrwxr-x, as the package's tmpfiles.d entry makes them
        File.SetUnixFileMode(_fx.RuntimeDir, shared);
        File.SetUnixFileMode(Directory.CreateDirectory(Path.Combine(_fx.Root, "var", "lib", "kvmtool")).FullName, shared);

        var run = CliRunner.Run(Env(RelayConfig()), "doctor");

        Assert.True(run.ExitCode == 0, run.Out);
        Assert.Contains("relay hdmi-button: lcus 5131:2007", run.Out);
        Assert.Contains("user kvmd can open", run.Out);
        Assert.Contains("udev rules installed", run.Out);
        Assert.Contains("No problems found.", run.Out);
    }

    [Fact]
    public void ABoardKvmdCannotOpenIsAProblemWithTheFix()
    {
        AddKvmdUser();
        string node = AddBoard(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var run = CliRunner.Run(Env(RelayConfig()), "doctor");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains($"user kvmd cannot open {node}", run.Out);
        Assert.Contains("udev rules", run.Out);
    }

    [Fact]
    public void AMissingBoardIsAProblem()
    {
        AddKvmdUser();
        var run = CliRunner.Run(Env(RelayConfig()), "doctor", "--json");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(run.Out);
        var relay = doc.RootElement.EnumerateArray().Single(f => f.GetProperty("area").GetString() == "relays");
        Assert.Equal("problem", relay.GetProperty("status").GetString());
        Assert.Contains("1-1.4", relay.GetProperty("message").GetString());
        Assert.False(string.IsNullOrEmpty(relay.GetProperty("fix").GetString()));
    }

    [Fact]
    public void ABrokenConfigIsReportedNotThrown()
    {
        string config = Path.Combine(_fx.Root, "bad.yaml");
        File.WriteAllText(config, "relays:\n  x:\n    chanel: 1\n");
        var run = CliRunner.Run(Env(config), "doctor");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains($"{config}:3:5: unknown key 'chanel'", run.Out);
    }

    [Fact]
    public void KvmdOutsideItsGroupAndAReadOnlyRootAreReported()
    {
        AddKvmdUser(inGroup: false);
        File.WriteAllText(Path.Combine(_fx.Root, "proc", "self", "mounts"), "/dev/root / ext4 rw 0 0\n/dev/root / ext4 ro,relatime 0 0\n");
        var run = CliRunner.Run(Env(), "doctor");
        Assert.Contains("User kvmd is not in group kvmd", run.Out);
        Assert.Contains("read-only", run.Out);
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
    }

    /// <summary>A kvmd override.d and a kvmtool.yaml (with a capture dongle) whose kvmd: section has one button.</summary>
    private (string OverrideDir, string Config) KvmdConfig(string sections, string button)
    {
        string overrideDir = Path.Combine(_fx.Root, "etc", "kvmd", "override.d");
        Directory.CreateDirectory(overrideDir);
        string config = Path.Combine(_fx.Root, "k.yaml");
        File.WriteAllText(config,
            sections + "usb:\n  devices:\n    capture: { id: \"534d:2109\" }\n" +
            $"kvmd:\n  override-dir: {overrideDir}\n  buttons:\n    {button}\n");
        return (overrideDir, config);
    }

    [Fact]
    public void AMissingNamedUsbDeviceAndAMissingOverrideAreProblems()
    {
        AddKvmdUser();
        var (overrideDir, config) = KvmdConfig("relays:\n  r: { channel: 1 }\n", "b: { relay: r }");
        var run = CliRunner.Run(Env(config), "doctor");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("PROBLEM  usb         USB device capture:", run.Out);
        Assert.Contains($"{overrideDir}/gpio.yaml is not installed", run.Out);

        // Installed and current once 'gpio generate' wrote it; stale after kvmtool.yaml changed.
        Assert.Equal(0, CliRunner.Run(Env(config), "gpio", "generate", "-o", Path.Combine(overrideDir, "gpio.yaml")).ExitCode);
        Assert.Contains("gpio.yaml is installed and current", CliRunner.Run(Env(config), "doctor").Out);
        File.AppendAllText(config, "    c: { relay: r, action: \"on\" }\n");
        Assert.Contains("gpio.yaml is out of date", CliRunner.Run(Env(config), "doctor").Out);
    }

    [Fact]
    public void RootButtonsNeedTheirSudoRuleAndNothingElse()
    {
        AddKvmdUser();
        var (overrideDir, config) = KvmdConfig("", "b: { usb-reset: capture }");
        string target = Path.Combine(overrideDir, "gpio.yaml");
        Assert.Equal(0, CliRunner.Run(Env(config), "gpio", "generate", "-o", target).ExitCode);
        string rule = Path.Combine(_etc, "sudoers.d", "kvmtool");
        if (!File.Exists(KvmTools.Core.Kvmd.KvmdCommandLines.SudoPath))
        {
            Assert.Contains("1 button needs root through /usr/bin/sudo, which is not installed", CliRunner.Run(Env(config), "doctor").Out);
            return;
        }
        Assert.Contains($"1 button needs root, and {rule} is missing", CliRunner.Run(Env(config), "doctor").Out);

        Directory.CreateDirectory(Path.GetDirectoryName(rule)!);
        string text = KvmTools.Core.Kvmd.SudoRules.Render(KvmTools.Core.Kvmd.SudoRules.LinesOf(File.ReadAllText(target)), KvmTools.Cli.CliApp.Version)!;
        File.WriteAllText(rule, text.Replace("capture", "other", StringComparison.Ordinal));
        Assert.Contains($"{rule} does not match them", CliRunner.Run(Env(config), "doctor").Out);
        File.WriteAllText(rule, text);
        File.SetUnixFileMode(rule, UnixFileMode.UserRead | UnixFileMode.GroupRead);
        if (FileStatus.EffectiveUid == 0)
        {
            Assert.Contains($"ok       kvmd        {rule} lets kvmd run the 1 root button, and nothing else.", CliRunner.Run(Env(config), "doctor").Out);
        }
        File.SetUnixFileMode(rule, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherWrite);
        Assert.Contains($"{rule} is not root's or is writable by others", CliRunner.Run(Env(config), "doctor").Out);

        // The override no longer needs root: a rule left behind is worth a warning.
        File.WriteAllText(config, $"relays:\n  r: {{ channel: 1 }}\nkvmd:\n  override-dir: {overrideDir}\n  buttons:\n    b: {{ relay: r }}\n");
        Assert.Equal(0, CliRunner.Run(Env(config), "gpio", "generate", "-o", target).ExitCode);
        Assert.Contains($"{rule} grants kvmd root for buttons the installed gpio.yaml no longer has", CliRunner.Run(Env(config), "doctor").Out);
    }

    [Theory]
    [InlineData("/dev/root / ext4 ro,noatime 0 0\n", true)]
    [InlineData("/dev/root / ext4 rw,noatime 0 0\n", false)]
    [InlineData("/dev/root / ext4 ro 0 0\n/dev/root / ext4 rw 0 0\n", false)]
    [InlineData("tmpfs /tmp tmpfs ro 0 0\n", null)]
    public void RootMountReadsTheLastRootEntry(string mounts, bool? readOnly)
    {
        string file = Path.Combine(_fx.Root, "mounts");
        File.WriteAllText(file, mounts);
        Assert.Equal(readOnly, RootMount.IsReadOnly(file));
    }

    [Theory]
    [InlineData(0x180, 1000u, 1000u, true)]   // 0600 owner
    [InlineData(0x180, 1001u, 1000u, false)]  // 0600 other user
    [InlineData(0x1B0, 1001u, 50u, true)]     // 0660 via group
    [InlineData(0x1A0, 1001u, 50u, false)]    // 0640: the group may only read
    [InlineData(0x1B6, 1001u, 7u, true)]      // 0666 anyone
    [InlineData(0x000, 0u, 0u, true)]         // root ignores modes
    public void AccessFollowsOwnerGroupOtherBits(int mode, uint uid, uint group, bool expected)
    {
        var file = new FileOwnership(1000, 50, (UnixFileMode)mode);
        var user = new UserIdentity("u", uid, new HashSet<uint> { group });
        Assert.Equal(expected, file.AllowsReadWrite(user));
    }

    [Fact]
    public void LookupFindsSupplementaryGroups()
    {
        File.WriteAllText(Path.Combine(_etc, "passwd"), "kvmd:x:990:990::/:/bin/false\n");
        File.WriteAllText(Path.Combine(_etc, "group"), "kvmd:x:990:\ndialout:x:20:pi,kvmd\nvideo:x:44:pi\n");
        var user = UserIdentity.Lookup("kvmd", _etc)!;
        Assert.Equal(990u, user.Uid);
        Assert.Equal(new HashSet<uint> { 990, 20 }, user.Groups);
        Assert.Null(UserIdentity.Lookup("nobody-here", _etc));
    }
}
