using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Tests.Config;

namespace KvmTools.Tests.Kvmd;

public class KvmdGeneratorTests
{
    [Theory]
    [InlineData("full")]
    [InlineData("layout")]
    [InlineData("empty")]
    public void GeneratesTheGoldenFile(string name)
    {
        string config = File.ReadAllText(Path.Combine(KvmdTestFiles.GoldenDir, name + ".kvmtool.yaml"));
        string generated = KvmdTestFiles.Generate(config);
        KvmdTestFiles.AssertGolden(name + ".gpio.yaml", generated);
        Assert.Empty(GpioChecker.CheckText(generated, name + ".gpio.yaml"));
        Assert.Equal(FileOrigin.Generated, GpioOverrideFile.Inspect(generated));
    }

    [Fact]
    public void TheShippedExampleOverrideIsWhatTheShippedExampleConfigGenerates()
    {
        string config = ShippedExampleTests.RepoFile("kvmtool.yaml.example");
        // As installed: /etc/kvmtool/kvmtool.yaml, so the commands name no --config.
        string generated = KvmdTestFiles.Generate(File.ReadAllText(config));
        string shipped = File.ReadAllText(ShippedExampleTests.RepoFile("gpio-override.yaml.example"));
        Assert.True(shipped == generated || Environment.GetEnvironmentVariable("KVMTOOL_UPDATE_GOLDEN") == "1",
            "gpio-override.yaml.example has drifted from kvmtool.yaml.example; regenerate it with\n" +
            "  KVMTOOL_UPDATE_GOLDEN=1 dotnet test --filter TheShippedExampleOverride");
        if (Environment.GetEnvironmentVariable("KVMTOOL_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(ShippedExampleTests.RepoFile("gpio-override.yaml.example"), generated);
        }
        Assert.Empty(GpioChecker.CheckText(shipped, "gpio-override.yaml.example"));
    }

    [Fact]
    public void OutputDoesNotDependOnTheOrderOfButtonsInTheFileExceptForTheDefaultLayout()
    {
        string a = KvmdTestFiles.Generate("relays: {r: {channel: 1}}\nkvmd:\n  buttons:\n    b: {relay: r}\n    a: {relay: r}\n  layout: [[a, b]]\n");
        string b = KvmdTestFiles.Generate("relays: {r: {channel: 1}}\nkvmd:\n  buttons:\n    a: {relay: r}\n    b: {relay: r}\n  layout: [[a, b]]\n");
        Assert.Equal(a, b);
        Assert.Equal(a, KvmdTestFiles.Generate("relays: {r: {channel: 1}}\nkvmd:\n  buttons:\n    a: {relay: r}\n    b: {relay: r}\n  layout: [[a, b]]\n"));
    }

    [Fact]
    public void ButtonTextKeepsPipesAndIsNotHtmlEscapedWhileLabelsAre()
    {
        var model = GpioGenerator.Build(ConfigLoader.Parse(
            "relays: {r: {channel: 1}}\nkvmd:\n  title: \"a<b\"\n  buttons:\n    x: {relay: r, label: \"A|B & <C>\"}\n  layout: [[\"#<i>\", x]]\n", "k.yaml"));
        Assert.Equal("a&lt;b", model.Title);
        Assert.Equal(["#&lt;i&gt;", "kvmtool_x||A|B & <C>"], model.Table[0]);
    }

    [Fact]
    public void EachKindRunsItsKvmtoolCommand()
    {
        var model = GpioGenerator.Build(ConfigLoader.Parse(File.ReadAllText(Path.Combine(KvmdTestFiles.GoldenDir, "full.kvmtool.yaml")), ConfigLoader.DefaultPath));
        var argv = model.Channels.ToDictionary(c => c.Name, c => string.Join(' ', c.Argv));
        const string K = "/opt/kvmtool/bin/kvmtool";
        Assert.Equal($"{K} relay hdmi-button pulse", argv["kvmtool_hdmi-next"]);
        Assert.Equal($"{K} relay atx-power on", argv["kvmtool_power-on"]);
        Assert.Equal($"{K} relay atx-power off", argv["kvmtool_power-off"]);
        Assert.Equal($"{K} switch 1 --switch main", argv["kvmtool_pc1"]);
        Assert.Equal($"/usr/bin/sudo --non-interactive {K} usb reset capture", argv["kvmtool_reset-capture"]);
        Assert.Equal($"{K} ch9329 reset", argv["kvmtool_reset-keyboard"]);
        Assert.Equal($"{K} relay hdmi-button status --quiet", argv["kvmtool_hdmi-relay"]);
        Assert.Equal($"{K} switch is 1 --switch main --quiet", argv["kvmtool_pc1-active"]);
        Assert.Equal($"{K} usb status capture --quiet", argv["kvmtool_capture-ok"]);
        Assert.Equal("/usr/local/bin/check --quick", argv["kvmtool_script"]);
        Assert.True(model.Channels.Single(c => c.Name == "kvmtool_pc1").IsButton);
        Assert.False(model.Channels.Single(c => c.Name == "kvmtool_pc1-active").IsButton);
    }

    [Fact]
    public void TheDefaultLayoutPutsEachButtonOnARowWithItsIndicator()
    {
        var model = GpioGenerator.Build(ConfigLoader.Parse(File.ReadAllText(Path.Combine(KvmdTestFiles.GoldenDir, "full.kvmtool.yaml")), "k.yaml"));
        // Three columns: the dot's words, the dot, the button; every row alike, so the buttons line up.
        Assert.Equal(["#hdmi-relay", "kvmtool_hdmi-relay|yellow", "kvmtool_hdmi-next||Next HDMI input"], model.Table[0]);
        Assert.Equal(["", "", "kvmtool_power-off|confirm|Power relay off"], model.Table[2]);
        Assert.Contains(model.Table, row => row.SequenceEqual(["#Capture &lt;ok&gt;", "kvmtool_capture-ok|cyan", ""]));
        Assert.All(model.Table, row => Assert.Equal(3, row.Count));
        Assert.DoesNotContain(model.Table, row => row.Count == 0);
        Assert.DoesNotContain(model.Table, row => row[1] == "kvmtool_hdmi-relay|yellow" && row != model.Table[0]);
    }

    [Fact]
    public void CommandsNameTheirConfigurationUnlessItIsTheDefaultOne()
    {
        const string Yaml = "relays: {r: {channel: 1}}\nkvmd:\n  buttons:\n    b: {relay: r, indicator: i}\n    c: {ch9329-reset: true}\n  indicators:\n    i: {relay: r}\n    x: {argv: [/bin/true]}\n";
        var installed = GpioGenerator.Build(ConfigLoader.Parse(Yaml, ConfigLoader.DefaultPath));
        Assert.DoesNotContain(installed.Channels, c => c.Argv.Contains("--config"));
        var elsewhere = GpioGenerator.Build(ConfigLoader.Parse(Yaml, "/home/pi/kvm.yaml"));
        Assert.Equal("/usr/bin/kvmtool relay r pulse --config /home/pi/kvm.yaml", string.Join(' ', elsewhere.Channels.Single(c => c.Name == "kvmtool_b").Argv));
        Assert.Equal("/usr/bin/kvmtool ch9329 reset --config /home/pi/kvm.yaml", string.Join(' ', elsewhere.Channels.Single(c => c.Name == "kvmtool_c").Argv));
        Assert.Equal("/usr/bin/kvmtool relay r status --quiet --config /home/pi/kvm.yaml", string.Join(' ', elsewhere.Channels.Single(c => c.Name == "kvmtool_i").Argv));
        // A command of the user's own is left as written.
        Assert.Equal(["/bin/true"], elsewhere.Channels.Single(c => c.Name == "kvmtool_x").Argv);
        // kvmd runs the commands from '/': a relative path is made absolute.
        var relative = GpioGenerator.Build(ConfigLoader.Parse(Yaml, "kvm.yaml"));
        Assert.Contains(Path.GetFullPath("kvm.yaml"), relative.Channels.Single(c => c.Name == "kvmtool_b").Argv);
    }

    [Fact]
    public void WithoutAKvmdSectionThereIsNothingToGenerate()
    {
        var e = Assert.Throws<ConfigException>(() => GpioGenerator.Build(ConfigLoader.Parse("relays: {}\n", "k.yaml")));
        Assert.Contains("kvmd:", e.Message);
        Assert.NotNull(e.Hint);
    }

    [Fact]
    public void AHandEditIsNoticedAndAnUntouchedFileIsNot()
    {
        string generated = KvmdTestFiles.Generate("kvmd: {}\n");
        Assert.Equal(FileOrigin.Generated, GpioOverrideFile.Inspect(generated));
        Assert.Equal(FileOrigin.Edited, GpioOverrideFile.Inspect(generated.Replace("GPIO", "Gpio", StringComparison.Ordinal)));
        Assert.Equal(FileOrigin.Edited, GpioOverrideFile.Inspect(generated + "# note\n"));
        Assert.Equal(FileOrigin.Foreign, GpioOverrideFile.Inspect("kvmd:\n    gpio: {}\n"));
        // The version line is not part of the content: a newer kvmtool may replace an older one's file.
        Assert.Equal(FileOrigin.Generated, GpioOverrideFile.Inspect(generated.Replace(KvmTools.Cli.CliApp.Version, "9.9.9", StringComparison.Ordinal)));
    }
}
