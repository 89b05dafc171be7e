using KvmTools.Core.Kvmd;

namespace KvmTools.Tests.Kvmd;

/// <summary>Each of kvmd's rules, broken once, in an otherwise valid override.</summary>
public class GpioCheckerTests
{
    private const string Base = """
        kvmd:
            gpio:
                drivers:
                    b:
                        type: cmd
                        cmd: ["/usr/bin/kvmtool", "relay", "r", "pulse"]
                    i:
                        type: cmdret
                        cmd: ["/usr/bin/kvmtool", "relay", "r", "status"]
                scheme:
                    b:
                        driver: b
                        pin: 0
                        mode: output
                        switch: false
                    i:
                        driver: i
                        pin: 0
                        mode: input
                view:
                    header:
                        title: "Switches"
                    table:
                        - ["#Row", "i|green", "b|confirm|Go"]

        """;

    private static List<GpioProblem> Check(string text) => GpioChecker.CheckText(text, "gpio.yaml");

    private static string Mutate(string old, string replacement)
    {
        Assert.Contains(old, Base);
        return Base.Replace(old, replacement, StringComparison.Ordinal);
    }

    [Fact]
    public void TheBaseFileIsClean() => Assert.Empty(Check(Base));

    public static TheoryData<string, string, string, string, string> Broken => new()
    {
        // old text, new text, severity, kvmd key path, part of the message
        { "                type: cmd\n", "", "Error", "kvmd/gpio/drivers/b", "no 'type'" },
        { "type: cmd\n", "type: cmnd\n", "Warning", "kvmd/gpio/drivers/b/type", "kvmd 4.197 has no GPIO driver type 'cmnd', and no kvmd is installed here" },
        { "type: cmd\n", "type: 5\n", "Error", "kvmd/gpio/drivers/b/type", "not a type name" },
        { "            b:\n                type", "            \"bad name\":\n                type", "Error", "kvmd/gpio/drivers/bad name", "not a valid kvmd GPIO driver name" },
        { "            b:\n                type", "            1b:\n                type", "Error", "kvmd/gpio/drivers/1b", "not a valid kvmd GPIO driver name" },
        { "            b:\n                type", "            123:\n                type", "Warning", "kvmd/gpio/drivers/123", "not text" },
        { "            b:\n                type", "            \"a\\nb\":\n                type", "Error", "kvmd/gpio/drivers/a\nb", "not a valid" },
        { "            b:\n                type", "            __mine__:\n                type", "Warning", "kvmd/gpio/drivers/__mine__", "PiKVM uses" },
        { "            b:\n                type", "            b.x:\n                type", "Error", "kvmd/gpio/drivers/b.x", "not a valid kvmd GPIO driver name" },
        { "            b:\n                type: cmd\n                cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]\n", "            b: cmd\n", "Error", "kvmd/gpio/drivers/b", "must be a mapping" },
        { "                cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]\n", "", "Error", "kvmd/gpio/drivers/b", "no 'cmd'" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: []", "Error", "kvmd/gpio/drivers/b/cmd", "empty" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"kvmtool\", \"relay\", \"r\", \"pulse\"]", "Warning", "kvmd/gpio/drivers/b/cmd[0]", "not an absolute path" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"relay\", 0x10, \"pulse\"]", "Warning", "kvmd/gpio/drivers/b/cmd[2]", "'16'" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"relay\", 010, \"pulse\"]", "Warning", "kvmd/gpio/drivers/b/cmd[2]", "'8'" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"relay\", 1_000, \"pulse\"]", "Warning", "kvmd/gpio/drivers/b/cmd[2]", "'1000'" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", true]", "Warning", "kvmd/gpio/drivers/b/cmd[3]", "'True'" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", 2024-01-02]", "Warning", "kvmd/gpio/drivers/b/cmd[3]", "a date" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"relay\", ~, \"pulse\"]", "Error", "kvmd/gpio/drivers/b/cmd[2]", "null" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r \", \"pulse\"]", "Warning", "kvmd/gpio/drivers/b/cmd[2]", "strips" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: \"/usr/bin/kvmtool relay r pulse\"", "Warning", "kvmd/gpio/drivers/b/cmd", "commas and tabs" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: [\"/usr/bin/kvmtool\", \"" + new string('x', 4100) + "\"]", "Error", "kvmd/gpio/drivers/b/cmd", "longer than kvmd allows" },
        { "cmd: [\"/usr/bin/kvmtool\", \"relay\", \"r\", \"pulse\"]", "cmd: {a: b}", "Error", "kvmd/gpio/drivers/b/cmd", "must be a list" },
        { "                type: cmd\n", "                type: cmd\n                timeout: 5\n", "Warning", "kvmd/gpio/drivers/b/timeout", "kvmd ignores it" },
        { "        scheme:\n            b:\n", "        scheme:\n            \"b x\":\n", "Error", "kvmd/gpio/scheme/b x", "not a valid kvmd GPIO channel name" },
        { "        scheme:\n            b:\n", "        scheme:\n            " + new string('c', 256) + ":\n", "Error", "kvmd/gpio/scheme/" + new string('c', 256), "not a valid kvmd GPIO channel name" },
        { "        scheme:\n            b:\n", "        scheme:\n            __x__:\n", "Warning", "kvmd/gpio/scheme/__x__", "PiKVM uses" },
        { "                driver: b\n", "                driver: nope\n", "Error", "kvmd/gpio/scheme/b/driver", "not defined" },
        { "                mode: output\n", "", "Error", "kvmd/gpio/scheme/b", "no 'mode'" },
        { "                mode: output\n", "                mode: input\n", "Error", "kvmd/gpio/scheme/b/mode", "only has output pins" },
        { "                mode: input\n", "                mode: output\n", "Error", "kvmd/gpio/scheme/i/mode", "only has input pins" },
        { "                mode: output\n", "                mode: sideways\n", "Error", "kvmd/gpio/scheme/b/mode", "neither input nor output" },
        { "                switch: false\n", "                switch: off\n", "Error", "kvmd/gpio/scheme/b/switch", "'on' and 'off' are not" },
        { "                switch: false\n", "", "Warning", "kvmd/gpio/scheme/b/switch", "switchable" },
        { "                switch: false\n", "                switch: false\n                pulse: false\n", "Warning", "kvmd/gpio/scheme/b", "constant" },
        { "                switch: false\n", "                switch: false\n                pulse:\n                    delay: 0\n", "Warning", "kvmd/gpio/view/table[0][2]", "breaks kvmd's GPIO menu" },
        { "                switch: false\n", "                switch: false\n                pulse:\n                    delay: 2\n", "Warning", "kvmd/gpio/scheme/b/pulse/delay", "shortens it to 0.1" },
        { "                switch: false\n", "                switch: false\n                pulse:\n                    min_delay: 0.05\n", "Error", "kvmd/gpio/scheme/b/pulse/min_delay", "minimum of 0.1" },
        { "                switch: false\n", "                switch: false\n                pulse:\n                    delay: fast\n", "Error", "kvmd/gpio/scheme/b/pulse/delay", "not a number" },
        { "                switch: false\n", "                switch: false\n                pulse: 5\n", "Error", "kvmd/gpio/scheme/b/pulse", "must be a mapping" },
        { "                switch: false\n", "                switch: false\n                inverted: maybe\n", "Error", "kvmd/gpio/scheme/b/inverted", "not a boolean" },
        { "                switch: false\n", "                switch: false\n                busy_delay: 0\n", "Error", "kvmd/gpio/scheme/b/busy_delay", "minimum" },
        { "                mode: input\n", "                mode: input\n                switch: false\n", "Warning", "kvmd/gpio/scheme/i/switch", "only applies to outputs" },
        { "                mode: input\n", "                mode: input\n                debounce: -1\n", "Error", "kvmd/gpio/scheme/i/debounce", "minimum" },
        { "            i:\n                driver: i\n                pin: 0\n                mode: input\n", "            i:\n                driver: i\n                pin: 0\n                mode: input\n            j:\n                driver: i\n                mode: input\n", "Warning", "kvmd/gpio/scheme/j", "does not show it" },
        { "        drivers:\n", "        drivers:\n            spare:\n                type: cmd\n                cmd: [\"/bin/true\"]\n", "Warning", "kvmd/gpio/drivers/spare", "used by no channel" },
        { "            b:\n                driver: b", "            b: 5\n            x:\n                driver: b", "Error", "kvmd/gpio/scheme/b", "must be a mapping" },
        { "        - [\"#Row\", \"i|green\", \"b|confirm|Go\"]", "        - \"#Row\"", "Warning", "kvmd/gpio/view/table[0]", "not a list of cells" },
        { "        - [\"#Row\", \"i|green\", \"b|confirm|Go\"]", "        - [\"#Row\", \"i|green\", \"b|confirm|Go\"]\n                - ~", "Warning", "kvmd/gpio/view/table[1]", "not a list of cells" },
        { "            table:\n                - [\"#Row\", \"i|green\", \"b|confirm|Go\"]", "            table: \"i b\"", "Warning", "kvmd/gpio/view/table", "must be a list of rows" },
        { "\"i|green\", \"b|confirm|Go\"]", "\"i|green\", \"b|confirm|Go\", true]", "Warning", "kvmd/gpio/view/table[0][3]", "'True'" },
        { "\"i|green\", \"b|confirm|Go\"]", "\"i|green\", \"b|confirm|Go\", \"missing|Text\"]", "Warning", "kvmd/gpio/view/table[0][3]", "silently drops" },
        { "\"i|green\"", "\"i|purple\"", "Warning", "kvmd/gpio/view/table[0][1]", "would be green" },
        { "\"i|green\"", "\"i|green|Text\"", "Warning", "kvmd/gpio/view/table[0][1]", "ignores 'Text'" },
        { "\"b|confirm|Go\"", "\"b|confirm\"", "Warning", "kvmd/gpio/view/table[0][2]", "text is 'confirm'" },
        { "\"b|confirm|Go\"", "\"b|Confirm, hide|Go\"", "Warning", "kvmd/gpio/view/table[0][2]", "'Confirm'" },
        { "title: \"Switches\"", "title: 123", "Warning", "kvmd/gpio/view/header/title", "not text" },
        { "title: \"Switches\"", "title: [\"#T\", \"b\"]", "Warning", "kvmd/gpio/view/header/title[1]", "names no input channel" },
        { "    gpio:\n", "    gpio:\n        state_poll: 0\n", "Error", "kvmd/gpio/state_poll", "minimum" },
        { "        drivers:\n            b:", "        drivers: ~\n        x:\n            b:", "Error", "kvmd/gpio/drivers", "must be a mapping" },
        { "        view:\n", "        view: ~\n        x:\n", "Error", "kvmd/gpio/view", "must be a mapping" },
        { "kvmd:\n    gpio:\n", "kvmd: ~\nx:\n    gpio:\n", "Error", "kvmd", "must be a mapping" },
        { "            b:\n                type: cmd\n", "            b:\n                <<: {type: cmd}\n", "Error", "kvmd/gpio/drivers/b/<<", "merge keys" },
        { "type: cmd\n", "type: !!python/name:os.system cmd\n", "Error", "kvmd/gpio/drivers/b/type", "tag" },
        { "type: cmd\n", "type: !include other.yaml\n", "Warning", "kvmd/gpio/drivers/b/type", "!include" },
        { "            b:\n                driver: b", "            ? [a, b]\n            : x\n            b:\n                driver: b", "Error", "kvmd/gpio/scheme", "key is a list" },
        { "                mode: input\n", "                mode: input\n                mode: output\n", "Error", "", "Duplicate key" },
        { "kvmd:\n", "kvmd: [\n", "Error", "", "not valid to kvmtool" },
        { "\"i|green\", \"b|confirm|Go\"]", "\"i|green\", :\"b|confirm|Go\"]", "Error", "kvmd/gpio/view/table[0][2]", "starts with ':'" },
        { "kvmd:\n", "---\nx: 1\n---\nkvmd:\n", "Error", "", "more than one YAML document" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void EachBrokenRuleIsReportedWithItsPathAndAFix(string old, string replacement, string severity, string path, string fragment)
    {
        var problems = Check(Mutate(old, replacement));
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Fix)));
        Assert.All(problems, p => Assert.Equal("gpio.yaml", p.File));
        var match = problems.Where(p => p.KvmdPath == path && p.Message.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(match.Count > 0, $"expected {severity} at '{path}' containing '{fragment}'; got:\n" + string.Join("\n", problems));
        Assert.Equal(severity, match[0].Severity.ToString());
        Assert.True(match[0].Line > 0, "the problem has a line number: " + match[0]);
    }

    /// <summary>Which driver types exist is the installed kvmd's to say: its plugins/ugpio modules.</summary>
    [Fact]
    public void DriverTypesAreTheInstalledKvmdsPlugins()
    {
        string ugpio = Path.Combine(Path.GetTempPath(), "kvmtool-ugpio-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(ugpio, "newdriver"));
        try
        {
            foreach (string name in new[] { "__init__.py", "cmd.py", "cmdret.py", "_helper.py", Path.Combine("newdriver", "__init__.py") })
            {
                File.WriteAllText(Path.Combine(ugpio, name), "");
            }
            var types = KvmdDriverTypes.In(ugpio)!;
            Assert.Equal(["cmd", "cmdret", "newdriver"], types.Names.Order(StringComparer.Ordinal));
            Assert.Null(KvmdDriverTypes.In(Path.Combine(ugpio, "newdriver", "missing")));

            string text = Mutate("type: cmd\n", "type: newdriver\n");
            Assert.DoesNotContain(GpioChecker.CheckText(text, "gpio.yaml", types), p => p.KvmdPath == "kvmd/gpio/drivers/b/type");
            var unknown = GpioChecker.CheckText(Mutate("type: cmd\n", "type: cmnd\n"), "gpio.yaml", types).Single(p => p.KvmdPath == "kvmd/gpio/drivers/b/type");
            Assert.Equal(Severity.Error, unknown.Severity);
            Assert.Contains($"its drivers are in {ugpio}", unknown.Message, StringComparison.Ordinal);
            // Without a kvmd to ask, kvmd 4.197's list: a type it lacks may be a newer kvmd's.
            Assert.Equal(Severity.Warning, GpioChecker.CheckText(text, "gpio.yaml", KvmdDriverTypes.BuiltIn).Single(p => p.KvmdPath == "kvmd/gpio/drivers/b/type").Severity);
        }
        finally
        {
            Directory.Delete(ugpio, recursive: true);
        }
    }

    [Fact]
    public void ATopLevelListIsRefused()
    {
        var problems = Check("- kvmd\n");
        Assert.Contains(problems, p => p.Severity == Severity.Error && p.Message.Contains("not a mapping", StringComparison.Ordinal));
    }

    [Fact]
    public void AnEmptyFileIsWhatKvmdReadsAsNothing() => Assert.Empty(Check(""));

    [Fact]
    public void LocationsPointAtTheOffendingText()
    {
        var problems = Check(Mutate("mode: output\n", "mode: sideways\n"));
        var p = Assert.Single(problems, p => p.KvmdPath == "kvmd/gpio/scheme/b/mode");
        Assert.Equal(14, p.Line);
        Assert.Equal(23, p.Column);
        Assert.StartsWith("error: gpio.yaml:14:23: kvmd/gpio/scheme/b/mode: ", p.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("off")]
    [InlineData("yes")]
    [InlineData("no")]
    public void WordsKvmdKeepsAsStringsAreFineInCommands(string word)
    {
        // kvmd removes PyYAML's yes/no/on/off booleans, so these stay text there (kvmtool quotes them anyway).
        Assert.Empty(Check(Mutate("\"relay\", \"r\", \"pulse\"]", $"\"relay\", \"r\", {word}]")));
    }

    [Fact]
    public void AnAliasBombIsStoppedNotExpanded()
    {
        var text = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++)
        {
            text.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }
        var problems = Check(text.ToString());
        Assert.Contains(problems, p => p.Severity == Severity.Error && p.Message.Contains("aliases", StringComparison.Ordinal));
    }

    [Fact]
    public void DeepNestingIsStopped()
    {
        string deep = new string('[', 200) + new string(']', 200) + "\n";
        var problems = Check("x: " + deep);
        Assert.Contains(problems, p => p.Severity == Severity.Error);
    }
}
