using KvmTools.Core.Kvmd;

namespace KvmTools.Tests.Kvmd;

/// <summary>'gpio check --installed': the whole set kvmd loads, in kvmd's order.</summary>
public sealed class InstalledOverridesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "kvmtool-od-" + Guid.NewGuid().ToString("N"));

    public InstalledOverridesTests()
    {
        Directory.CreateDirectory(Dir);
        File.WriteAllText(Ours, KvmdTestFiles.Generate("relays: {r: {channel: 1}}\nkvmd:\n  buttons:\n    b: {relay: r}\n"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Dir => Path.Combine(_root, "override.d");
    private string Ours => Path.Combine(Dir, "gpio.yaml");
    private string OverrideYaml => Path.Combine(_root, "override.yaml");

    private List<GpioProblem> Check() => InstalledOverrides.Check(Dir, Ours, checkPrograms: false);

    [Fact]
    public void OurFileAloneIsClean() => Assert.Empty(Check());

    [Theory]
    [InlineData("gpio.yaml~")]
    [InlineData("gpio.yaml.bak")]
    [InlineData(".gpio.yaml.swp")]
    [InlineData("gpio.yaml.dpkg-old")]
    [InlineData(".kvmtool-gpio.yaml.123.abc.tmp")]
    public void BackupsAndLeftoversInOverrideDAreReported(string name)
    {
        File.Copy(Ours, Path.Combine(Dir, name));
        var problems = Check();
        Assert.Contains(problems, p => p.File.EndsWith(name, StringComparison.Ordinal) && p.Message.Contains("kvmd loads every file", StringComparison.Ordinal));
    }

    [Fact]
    public void ABrokenLinkOrALinkToADirectoryStopsKvmd()
    {
        File.CreateSymbolicLink(Path.Combine(Dir, "50-gone.yaml"), Path.Combine(_root, "nowhere.yaml"));
        Directory.CreateDirectory(Path.Combine(_root, "adir"));
        File.CreateSymbolicLink(Path.Combine(Dir, "60-dir.yaml"), Path.Combine(_root, "adir"));
        Directory.CreateDirectory(Path.Combine(Dir, "subdir"));
        var problems = Check();
        Assert.Contains(problems, p => p.Severity == Severity.Error && p.File.EndsWith("50-gone.yaml", StringComparison.Ordinal) && p.Message.Contains("broken", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Severity == Severity.Error && p.File.EndsWith("60-dir.yaml", StringComparison.Ordinal) && p.Message.Contains("directory", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.File.EndsWith("subdir", StringComparison.Ordinal));
    }

    [Fact]
    public void ATableInOverrideYamlReplacesOursAndIsReported()
    {
        File.WriteAllText(OverrideYaml, "kvmd:\n    gpio:\n        view:\n            table:\n                - [\"#mine\"]\n");
        var problems = Check();
        var p = Assert.Single(problems, p => p.KvmdPath == "kvmd/gpio/view/table");
        Assert.Equal(OverrideYaml, p.File);
        Assert.Equal(Severity.Warning, p.Severity);
        Assert.Contains("replaces the one kvmtool generates", p.Message);
        Assert.Equal(4, p.Line);
        // Our button is then not shown anywhere: kvmd's merged table has only the user's row.
        Assert.Contains(problems, q => q.KvmdPath == "kvmd/gpio/scheme/kvmtool_b" && q.Message.Contains("does not show it", StringComparison.Ordinal));
    }

    [Fact]
    public void AnEarlierFilesTableIsReplacedByOurs()
    {
        File.WriteAllText(Path.Combine(Dir, "00-old.yaml"), "kvmd:\n    gpio:\n        view:\n            table: []\n");
        Assert.Contains(Check(), p => p.File.EndsWith("00-old.yaml", StringComparison.Ordinal) && p.Message.Contains("is replaced by the one kvmtool generates", StringComparison.Ordinal));
    }

    [Fact]
    public void TheSameChannelInAnotherFileIsReported()
    {
        File.WriteAllText(Path.Combine(Dir, "90-more.yaml"), "kvmd:\n    gpio:\n        scheme:\n            kvmtool_b:\n                inverted: true\n");
        Assert.Contains(Check(), p => p.KvmdPath == "kvmd/gpio/scheme/kvmtool_b" && p.Message.Contains("also defined", StringComparison.Ordinal));
    }

    [Fact]
    public void AnotherFilesMistakesAreFoundInTheMergedConfiguration()
    {
        // kvmd merges mappings: this file's 'switch: on' lands on our channel and stops kvmd.
        File.WriteAllText(OverrideYaml, "kvmd:\n    gpio:\n        scheme:\n            kvmtool_b:\n                switch: on\n");
        var p = Assert.Single(Check(), p => p.Severity == Severity.Error);
        Assert.Equal(OverrideYaml, p.File);
        Assert.Equal("kvmd/gpio/scheme/kvmtool_b/switch", p.KvmdPath);
    }

    [Fact]
    public void AMissingProgramIsAWarning()
    {
        var problems = InstalledOverrides.Check(Dir, Ours);
        Assert.Contains(problems, p => p.Severity == Severity.Warning && p.KvmdPath.EndsWith("/cmd[0]", StringComparison.Ordinal) && p.Message.Contains("/usr/bin/kvmtool", StringComparison.Ordinal));
    }
}
