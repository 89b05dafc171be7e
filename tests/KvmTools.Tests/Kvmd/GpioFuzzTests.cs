using System.Diagnostics;
using System.Text;
using System.Text.Json;
using KvmTools.Cli;
using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KvmTools.Tests.Kvmd;

/// <summary>
/// Random and hostile configurations and override files, with fixed seeds: nothing crashes, and every file
/// kvmtool writes means, to kvmd, exactly what kvmtool meant.
/// </summary>
public class GpioFuzzTests
{
    private const int Configs = 2000;

    /// <summary>Text that YAML, kvmd's cell syntax or HTML could misread.</summary>
    private static readonly string[] Hostile =
    [
        "on", "off", "yes", "no", "true", "False", "~", "null", "0x10", "010", "1_000", "1:30", ".inf", "2024-01-02", "<<", "=",
        "|", "||", "a|b|c", "|confirm|", "confirm", "#", "# not a comment", "#label", "\"", "'", "\\", "\\n", "'\"'",
        "<b>bold</b>", "<script>alert(1)</script>", "&amp;", "&", "- item", "key: value", "{a: b}", "[1, 2]", "&anchor", "*alias",
        "!tag", "!!python/object", "%YAML", "@", "`", "?", ",", "  padded  ", "Ünïcödé", "ключ", "中文", "🖥️", "\U0001F600",
        "\u00A0", "\u200B", "\uFEFF", "e\u0301", "a\tb", "line\nbreak", "\r", "\u2028", "\u0085", "\u0007", "\0", "",
    ];

    private static string Pick(Random r, params string[] options) => options[r.Next(options.Length)];

    private static string Text(Random r)
    {
        // Mostly text a label may hold; now and then a line break or control character, which must be refused.
        var allowed = Hostile.Where(h => KvmdRules.TextProblem(h) is null).ToArray();
        var sb = new StringBuilder();
        for (int n = r.Next(0, 4); n >= 0; n--)
        {
            sb.Append(r.Next(3) == 0 ? Pick(r, "PC", "HDMI", "power", "x") : r.Next(15) == 0 ? Hostile[r.Next(Hostile.Length)] : allowed[r.Next(allowed.Length)]);
        }
        return sb.ToString();
    }

    /// <summary>One of the good options, or now and then the bad one.</summary>
    private static string Rarely(Random r, string bad, params string[] good) => r.Next(30) == 0 ? bad : Pick(r, good);

    private static string Name(Random r) => r.Next(40) == 0
        ? Hostile[r.Next(Hostile.Length)]
        : Pick(r, "a", "pc", "hdmi", "X_1", "b-2", "reset") + r.Next(50);

    /// <summary>A value as the user might write it: mostly quoted properly, sometimes raw (which may well be invalid YAML).</summary>
    private static string Scalar(Random r, string value) => r.Next(25) == 0 ? value : YamlQuote.Quote(value);

    private static string RandomConfig(Random r)
    {
        var y = new StringBuilder("relays:\n  r1: { channel: 1 }\n  r2: { channel: 2 }\nswitches:\n  main: { backend: relay-button, ports: 3, relay: r1 }\nusb:\n  devices:\n    capture: { id: \"534d:2109\" }\n    cam: { id: \"534d:2109\" }\n");
        if (r.Next(20) == 0)
        {
            return y.Append(Text(r)).ToString();
        }
        y.Append("kvmd:\n");
        if (r.Next(3) == 0) { y.Append("  title: ").Append(Scalar(r, Text(r))).Append('\n'); }
        if (r.Next(4) == 0) { y.Append("  kvmtool-path: ").Append(Scalar(r, Pick(r, "/usr/bin/kvmtool", "/opt/k tool/kvmtool", "kvmtool", "/ü/kvmtool"))).Append('\n'); }
        var buttons = new List<string>();
        var indicators = new List<string>();
        y.Append("  buttons:\n");
        for (int i = r.Next(0, 6); i > 0; i--)
        {
            string name = Name(r);
            buttons.Add(name);
            y.Append("    ").Append(Scalar(r, name)).Append(": { ");
            y.Append(r.Next(6) switch
            {
                0 => $"relay: {Rarely(r, "r3", "r1", "r2")}, action: {Scalar(r, Rarely(r, "toggle", "pulse", "on", "off"))}",
                1 => $"switch: main, port: {Scalar(r, Rarely(r, Pick(r, "0", "x y"), "1", "2", "12", "kvm-a"))}",
                2 => $"usb-reset: {Scalar(r, Pick(r, "capture", "cam"))}",
                3 => $"ch9329-reset: {Rarely(r, "false", "true")}",
                4 => "argv: [" + string.Join(", ", new[] { Rarely(r, "rel", "/usr/bin/x", "/x y/z") }.Concat(Enumerable.Range(0, r.Next(5)).Select(_ => Text(r))).Select(a => Scalar(r, a))) + "]",
                _ => Rarely(r, "", "relay: r1"),
            });
            if (r.Next(2) == 0) { y.Append(", label: ").Append(Scalar(r, Text(r))); }
            if (r.Next(3) == 0) { y.Append(", confirm: ").Append(Pick(r, "true", "false")); }
            y.Append(" }\n");
        }
        y.Append("  indicators:\n");
        for (int i = r.Next(0, 4); i > 0; i--)
        {
            string name = Name(r);
            indicators.Add(name);
            y.Append("    ").Append(Scalar(r, name)).Append(": { ");
            y.Append(r.Next(4) switch
            {
                0 => $"relay: {Rarely(r, "r3", "r1")}",
                1 => $"switch: main, port: {Scalar(r, Pick(r, "1", "2"))}",
                2 => $"capture-healthy: {Scalar(r, "capture")}",
                _ => "argv: [\"/usr/bin/check\", " + Scalar(r, Text(r)) + "]",
            });
            if (r.Next(2) == 0) { y.Append(", colour: ").Append(Rarely(r, "purple", "green", "red", "white")); }
            if (r.Next(2) == 0) { y.Append(", label: ").Append(Scalar(r, Text(r))); }
            y.Append(" }\n");
        }
        if (r.Next(2) == 0)
        {
            y.Append("  layout:\n");
            var all = buttons.Concat(indicators).ToList();
            for (int row = r.Next(0, 4); row >= 0; row--)
            {
                var cells = new List<string>();
                for (int c = r.Next(0, 4); c > 0; c--)
                {
                    cells.Add(r.Next(3) switch
                    {
                        0 => "#" + Text(r),
                        1 => "",
                        _ => all.Count > 0 && r.Next(30) != 0 ? all[r.Next(all.Count)] : "nobody",
                    });
                }
                if (row == 0)
                {
                    cells.AddRange(all);
                }
                y.Append("    - [").Append(string.Join(", ", cells.Select(c => Scalar(r, c)))).Append("]\n");
            }
        }
        return y.ToString();
    }

    private static readonly HashSet<string> StructuralPlain =
    [
        "kvmd", "gpio", "drivers", "scheme", "view", "header", "title", "table", "type", "cmd", "driver", "pin", "mode",
        "switch", "pulse", "delay", "min_delay", "max_delay", "0", "0.1", "false",
    ];

    /// <summary>A generated override with the section it came from.</summary>
    private sealed record Generated(int Index, string Yaml, KvmdConfig Kvmd, GpioOverride Model, string Text);

    /// <summary>The random configurations (seed 4242): each either refused, with a location, or generated.</summary>
    private static IEnumerable<Generated> Corpus(Action<int>? refused = null)
    {
        var random = new Random(4242);
        for (int i = 0; i < Configs; i++)
        {
            string yaml = RandomConfig(random);
            LoadedConfig config;
            try
            {
                config = ConfigLoader.Parse(yaml, "fuzz.yaml");
            }
            catch (ConfigException e)
            {
                Assert.StartsWith("fuzz.yaml", e.Message, StringComparison.Ordinal);
                refused?.Invoke(i);
                continue;
            }
            if (config.Model.Kvmd is null)
            {
                continue;
            }
            var model = GpioGenerator.Build(config);
            yield return new Generated(i, yaml, config.Model.Kvmd, model, GpioOverrideFile.Render(model, CliApp.Version));
        }
    }

    [Fact]
    public void RandomAndHostileConfigsEitherFailCleanlyOrGenerateExactlyWhatWasMeant()
    {
        int generated = 0, refused = 0;
        foreach (var g in Corpus(_ => refused++))
        {
            generated++;
            AssertMeansWhatWasMeant(g.Text, g.Model, $"config #{g.Index}:\n{g.Yaml}");
        }
        // The generator is exercised, not only the loader's refusals.
        Assert.True(generated > Configs / 5, $"only {generated} of {Configs} random configs were valid");
        Assert.True(refused > Configs / 10, $"only {refused} of {Configs} random configs were refused");
    }

    /// <summary>
    /// kvmd's own loader and GPIO model read every generated file of the corpus, under each of its main configs,
    /// and show exactly what the configuration asked for.
    /// </summary>
    [SkippableFact]
    public void KvmdShowsWhatEveryRandomConfigAsked()
    {
        KvmdOracle.Require();
        var corpus = Corpus().ToList();
        var readings = KvmdOracle.Read(corpus.Select(g => g.Text).ToList(), KvmdOracle.Mains);
        for (int i = 0; i < corpus.Count; i++)
        {
            for (int m = 0; m < KvmdOracle.Mains.Length; m++)
            {
                KvmdOracle.AssertShowsWhatWasAsked(readings[i * KvmdOracle.Mains.Length + m], corpus[i].Kvmd, corpus[i].Model,
                    $"config #{corpus[i].Index} under {KvmdOracle.Mains[m]}:\n{corpus[i].Yaml}");
            }
        }
    }

    private static void AssertMeansWhatWasMeant(string text, GpioOverride model, string context)
    {
        Assert.True(text.All(c => c is '\n' or (>= ' ' and <= '~')), "the file is printable ASCII: " + context);
        var problems = GpioChecker.CheckText(text, "gpio.yaml");
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n" + context);

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        foreach (var scalar in root.AllNodes.OfType<YamlScalarNode>())
        {
            if (scalar.Style == ScalarStyle.Plain)
            {
                Assert.True(StructuralPlain.Contains(scalar.Value!), $"unquoted '{scalar.Value}' at {scalar.Start}: {context}");
            }
            else
            {
                Assert.Equal(ScalarStyle.DoubleQuoted, scalar.Style);
            }
        }

        var gpio = (YamlMappingNode)((YamlMappingNode)root["kvmd"])["gpio"];
        var drivers = (YamlMappingNode)gpio["drivers"];
        Assert.Equal(model.Channels.Count, drivers.Children.Count);
        foreach (var channel in model.Channels)
        {
            var cmd = (YamlSequenceNode)((YamlMappingNode)drivers[channel.Name])["cmd"];
            Assert.Equal(channel.Argv, cmd.Children.Select(c => ((YamlScalarNode)c).Value!).ToList());
        }
        var view = (YamlMappingNode)gpio["view"];
        Assert.Equal(model.Title, ((YamlScalarNode)((YamlMappingNode)view["header"])["title"]).Value);
        var table = ((YamlSequenceNode)view["table"]).Children.Select(row => ((YamlSequenceNode)row).Children.Select(c => ((YamlScalarNode)c).Value!).ToList()).ToList();
        Assert.Equal(model.Table.Count, table.Count);

        for (int r = 0; r < table.Count; r++)
        {
            Assert.Equal(model.Table[r], table[r]);
        }
    }

    [Fact]
    public void CheckSurvivesRandomAndMangledFiles()
    {
        var random = new Random(777);
        string valid = KvmdTestFiles.Generate(File.ReadAllText(Path.Combine(KvmdTestFiles.GoldenDir, "full.kvmtool.yaml")));
        string alphabet = "kvmd:gpio-_ \n\t[]{}|#\"'\\!&*?,%@`~0123456789.<>=ü\u2028\0";
        for (int i = 0; i < Configs; i++)
        {
            string text = (i % 4) switch
            {
                0 => new string([.. Enumerable.Range(0, random.Next(200)).Select(_ => alphabet[random.Next(alphabet.Length)])]),
                1 => Mangle(random, valid),
                2 => Mangle(random, RandomConfig(random)),
                _ => string.Concat(Enumerable.Range(0, random.Next(30)).Select(_ => Hostile[random.Next(Hostile.Length)] + Pick(random, ": ", "\n", "\n  - ", " ", ", "))),
            };
            var problems = GpioChecker.CheckText(text, "f.yaml");
            Assert.All(problems, p => Assert.False(string.IsNullOrEmpty(p.Message)));
            try
            {
                ConfigLoader.Parse(text, "k.yaml");
            }
            catch (ConfigException)
            {
                // Refused with a location: what we want from bad input.
            }
        }
    }

    private const string Punctuation = "\n :-[]{}\"'|#";

    private static string Mangle(Random r, string text)
    {
        var chars = new StringBuilder(text);
        for (int n = r.Next(1, 6); n > 0 && chars.Length > 0; n--)
        {
            int at = r.Next(chars.Length);
            switch (r.Next(3))
            {
                case 0: chars.Remove(at, Math.Min(r.Next(1, 10), chars.Length - at)); break;
                case 1: chars.Insert(at, Hostile[r.Next(Hostile.Length)]); break;
                default: chars[at] = Punctuation[r.Next(Punctuation.Length)]; break;
            }
        }
        return chars.ToString();
    }

    [Fact]
    public void TenThousandButtonsGenerateAndCheck()
    {
        var y = new StringBuilder("relays:\n  r: { channel: 1 }\nkvmd:\n  buttons:\n");
        for (int i = 0; i < 10_000; i++)
        {
            y.Append($"    b{i}: {{ relay: r, label: \"Button {i} | <{i}> \\\"q\\\" #{i}\", indicator: i{i % 100} }}\n");
        }
        y.Append("  indicators:\n");
        for (int i = 0; i < 100; i++)
        {
            y.Append($"    i{i}: {{ relay: r, colour: red }}\n");
        }
        var model = GpioGenerator.Build(ConfigLoader.Parse(y.ToString(), "big.yaml"));
        string text = GpioOverrideFile.Render(model, CliApp.Version);
        Assert.Equal(10_100, model.Channels.Count);
        Assert.Equal(10_000 + 0, model.Table.Count);
        Assert.Empty(GpioChecker.CheckText(text, "big.yaml"));
        Assert.Equal(FileOrigin.Generated, GpioOverrideFile.Inspect(text));
        Assert.Equal("kvmtool_b9999||Button 9999 | <9999> \"q\" #9999", model.Table[^1][2]);
    }
}
