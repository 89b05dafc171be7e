using System.Text;
using KvmTools.Cli;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Tests.Config;
using Xunit.Abstractions;

namespace KvmTools.Tests.Kvmd;

/// <summary>kvmd's own loader and GPIO model against what kvmtool writes and what 'gpio check' says.</summary>
public class KvmdOracleTests(ITestOutputHelper output)
{
    public static TheoryData<string> Configs => new()
    {
        "kvmtool.yaml.example",
        "tests/KvmTools.Tests/Kvmd/Golden/full.kvmtool.yaml",
        "tests/KvmTools.Tests/Kvmd/Golden/layout.kvmtool.yaml",
        "tests/KvmTools.Tests/Kvmd/Golden/empty.kvmtool.yaml",
    };

    [SkippableTheory]
    [MemberData(nameof(Configs))]
    public void KvmdShowsWhatTheShippedAndGoldenConfigsAsk(string file)
    {
        KvmdOracle.Require();
        string path = ShippedExampleTests.RepoFile(file);
        foreach (string from in new[] { ConfigLoader.DefaultPath, "/home/pi/kvmtool.yaml" })
        {
            var config = ConfigLoader.Parse(File.ReadAllText(path), from);
            var model = GpioGenerator.Build(config);
            string text = GpioOverrideFile.Render(model, CliApp.Version);
            var readings = KvmdOracle.Read([text], KvmdOracle.Mains);
            for (int m = 0; m < readings.Count; m++)
            {
                KvmdOracle.AssertShowsWhatWasAsked(readings[m], config.Model.Kvmd!, model, $"{file} (as {from}) under {KvmdOracle.Mains[m]}");
            }
        }
    }

    /// <summary>Overrides a person might write or break: every kind of mistake kvmd's loader refuses, and a few it takes.</summary>
    private static IEnumerable<string> HandWritten()
    {
        const string Ok = "kvmd:\n  gpio:\n    drivers:\n      r: {type: cmdret, cmd: [/bin/true]}\n      b: {type: cmd, cmd: [/bin/true]}\n" +
                          "    scheme:\n      r: {driver: r, pin: 0, mode: input}\n      b: {driver: b, pin: 0, mode: output, switch: false, pulse: {delay: 0.1}}\n" +
                          "    view:\n      header: {title: T}\n      table:\n        - ['#x', r, 'b||Go']\n";
        yield return Ok;
        yield return "";
        yield return "# only a comment\n";
        yield return "kvmd: {}\n";
        yield return "kvmd:\n  gpio: {}\n";
        yield return "- a\n";
        yield return "just text\n";
        yield return "kvmd: [1, 2]\n";
        yield return "kvmd:\n  gpio:\n    drivers: {x: {type: nosuchdriver}}\n";
        yield return "kvmd:\n  gpio:\n    drivers: {x: {type: cmd}}\n    scheme: {x: {driver: x, pin: 0, mode: output}}\n";
        yield return Ok.Replace("mode: input", "mode: output", StringComparison.Ordinal);
        yield return Ok.Replace("mode: input", "mode: sideways", StringComparison.Ordinal);
        yield return Ok.Replace("driver: r,", "driver: nobody,", StringComparison.Ordinal);
        yield return Ok.Replace("pin: 0, mode: input", "pin: x, mode: input", StringComparison.Ordinal);
        yield return Ok.Replace("pin: 0, mode: input", "pin: -1, mode: input", StringComparison.Ordinal);
        yield return Ok.Replace("delay: 0.1", "delay: -1", StringComparison.Ordinal);
        yield return Ok.Replace("delay: 0.1", "delay: 1000", StringComparison.Ordinal);
        yield return Ok.Replace("delay: 0.1", "delay: fast", StringComparison.Ordinal);
        yield return Ok.Replace("switch: false", "switch: maybe", StringComparison.Ordinal);
        yield return Ok.Replace("switch: false", "switch: yes", StringComparison.Ordinal);
        yield return Ok.Replace("cmd: [/bin/true]}\n      b:", "cmd: []}\n      b:", StringComparison.Ordinal);
        yield return Ok.Replace("cmd: [/bin/true]}\n      b:", "cmd: /bin/true}\n      b:", StringComparison.Ordinal);
        yield return Ok.Replace("cmd: [/bin/true]}\n      b:", "cmd: [relative]}\n      b:", StringComparison.Ordinal);
        yield return Ok.Replace("cmd: [/bin/true]}\n      b:", "cmd: [/bin/true], frequency: 3}\n      b:", StringComparison.Ordinal);
        yield return Ok.Replace("header: {title: T}", "header: {title: [T, '#u']}", StringComparison.Ordinal);
        yield return Ok.Replace("header: {title: T}", "header: {}", StringComparison.Ordinal);
        yield return Ok.Replace("        - ['#x', r, 'b||Go']\n", "        - ['#x', nobody, 'b||Go']\n", StringComparison.Ordinal);
        yield return Ok.Replace("        - ['#x', r, 'b||Go']\n", "        - '#x'\n", StringComparison.Ordinal);
        yield return Ok.Replace("        - ['#x', r, 'b||Go']\n", "        - [1, 2]\n", StringComparison.Ordinal);
        yield return Ok.Replace("        - ['#x', r, 'b||Go']\n", "        - []\n        - [b]\n", StringComparison.Ordinal);
        yield return Ok.Replace("      table:\n        - ['#x', r, 'b||Go']\n", "      table: nope\n", StringComparison.Ordinal);
        yield return Ok + "    unknown: 1\n";
        yield return Ok + "  streamer: {quality: 80}\n";
        yield return Ok.Replace("kvmd:\n", "kvmd:\n  nonsense: 1\n", StringComparison.Ordinal);
        yield return Ok + "kvmd: {}\n";
        yield return Ok.Replace("[/bin/true]}\n      b:", "[/bin/true]}\n      r:", StringComparison.Ordinal);
        yield return Ok.Replace("      r: {type", "      r: &a {type", StringComparison.Ordinal).Replace("      b: {type: cmd, cmd: [/bin/true]}", "      b: *a", StringComparison.Ordinal);
        yield return Ok.Replace("{title: T}", "{title: !!binary aGVsbG8=}", StringComparison.Ordinal);
        yield return Ok.Replace("{title: T}", "{title: !python/object:os.system x}", StringComparison.Ordinal);
        yield return Ok.Replace("'b||Go'", "'b|confirm,hide|Go'", StringComparison.Ordinal);
        yield return Ok.Replace(", 'b||Go'", ", :'b||Go'", StringComparison.Ordinal);
        yield return Ok.Replace(", 'b||Go'", ",:b", StringComparison.Ordinal);
        yield return Ok.Replace(", 'b||Go'", ", ?b", StringComparison.Ordinal);
        yield return Ok.Replace("{title: T}", "{title: :T}", StringComparison.Ordinal);
        yield return Ok.Replace("pin: 0, mode: input", "pin: 0, mode: input, inverted: true, debounce: 0.5", StringComparison.Ordinal);
        yield return Ok.Replace("pin: 0, mode: input", "pin: 0, mode: input, inverted: sometimes", StringComparison.Ordinal);
        yield return "kvmd:\n  gpio:\n    drivers:\n      x: {type: cmd, cmd: [/bin/true]}\n      __gpio__: {type: cmd, cmd: [/bin/true]}\n";
        yield return "\t- tab\n";
        yield return "kvmd:\n  gpio:\n    drivers: {x: {type: cmd, cmd: [/bin/true]}}\n    drivers: {y: {type: cmd, cmd: [/bin/true]}}\n";
    }

    /// <summary>Broken copies of a valid generated file (fixed seed).</summary>
    private static IEnumerable<string> Mangled(int count)
    {
        var random = new Random(515);
        string valid = KvmdTestFiles.Generate(File.ReadAllText(Path.Combine(KvmdTestFiles.GoldenDir, "full.kvmtool.yaml")));
        const string Alphabet = "\n :-[]{}\"'|#!&*0x1.~";
        string[] words = ["mode: \"output\"", "pin: 99", "type: \"gpio\"", "cmd: []", "delay: 0", "\"kvmtool_pc1\":", "- []", "~", "null", "yes"];
        for (int i = 0; i < count; i++)
        {
            var text = new StringBuilder(valid);
            for (int n = random.Next(1, 4); n > 0; n--)
            {
                int at = random.Next(text.Length);
                switch (random.Next(3))
                {
                    case 0: text.Remove(at, Math.Min(random.Next(1, 12), text.Length - at)); break;
                    case 1: text.Insert(at, words[random.Next(words.Length)]); break;
                    default: text[at] = Alphabet[random.Next(Alphabet.Length)]; break;
                }
            }
            yield return text.ToString();
        }
    }

    /// <summary>
    /// 'gpio check' and kvmd agree, file by file, on which overrides kvmd loads: a file 'gpio check' passes must
    /// load in kvmd, and one it refuses must be one kvmd refuses too.
    /// </summary>
    [SkippableFact]
    public void GpioCheckAndKvmdAgreeOnEveryFile()
    {
        KvmdOracle.Require();
        var files = HandWritten().Concat(Mangled(400)).ToList();
        var readings = KvmdOracle.Read(files, KvmdOracle.Mains[0]);
        // 'gpio check' asks the installed kvmd which driver types it has; here kvmd's source stands for it.
        var types = KvmdOracle.DriverTypes();
        Assert.Contains("cmdret", types.Names);
        var disagreements = new List<string>();
        int accepted = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var problems = GpioChecker.CheckText(files[i], "gpio.yaml", types).Where(p => p.Severity == Severity.Error).ToList();
            bool kvmdLoads = readings[i].Ok;
            accepted += kvmdLoads ? 1 : 0;
            if (kvmdLoads != (problems.Count == 0))
            {
                disagreements.Add($"file #{i}: kvmd {(kvmdLoads ? "loads it" : "refuses it: " + readings[i].Error)}; gpio check says " +
                    (problems.Count == 0 ? "nothing" : string.Join("; ", problems.Select(p => p.ToString()))) + "\n" + files[i]);
            }
        }
        // kvmtool's YAML reader (YamlDotNet) is stricter than PyYAML in a few places; there 'gpio check' says that it
        // cannot check the file, not that kvmd refuses it. Everything else must agree.
        var readerOnly = disagreements.Where(d => d.Contains(KvmdYamlFile.ReaderFailure, StringComparison.Ordinal)).ToList();
        var real = disagreements.Except(readerOnly).ToList();
        Assert.True(real.Count == 0, $"{real.Count} of {files.Count} files:\n" + string.Join("\n----\n", real.Take(8)));
        Assert.True(readerOnly.Count <= files.Count / 100, $"{readerOnly.Count} files kvmd reads and kvmtool cannot:\n" + string.Join("\n----\n", readerOnly));
        output.WriteLine($"{files.Count} files, {accepted} loaded by kvmd; gpio check agrees on {files.Count - readerOnly.Count}, " +
            $"and cannot read {readerOnly.Count} that kvmd reads:\n" + string.Join("\n", readerOnly.Select(d => d.Split('\n')[0])));
        // Both sides are exercised.
        Assert.InRange(accepted, 10, files.Count - 50);
    }
}
