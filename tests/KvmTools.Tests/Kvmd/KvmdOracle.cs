using System.Diagnostics;
using System.Text.Json;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Tests.Config;

namespace KvmTools.Tests.Kvmd;

/// <summary>What kvmd's own code made of one override file (tests/kvmd/oracle.py): refused with kvmd's words, or
/// its drivers and the UserGpio model its web page receives.</summary>
internal sealed record KvmdReading(bool Ok, string? Error, JsonElement Drivers, JsonElement Scheme, JsonElement View);

/// <summary>
/// kvmd's real config loader and GPIO model as the oracle for what kvmtool writes: files go, in one batch, to
/// tests/kvmd/oracle.py, which loads each as the only file in override.d on top of kvmd's own main configs.
/// Where kvmd's source (KVMD_SRC) or its Python modules are missing the tests say "skipped", except under CI.
/// </summary>
internal static class KvmdOracle
{
    /// <summary>kvmd's main configs each file is read with: a v2 Pi 4 with an HDMI-USB dongle, and a V3 HAT.</summary>
    public static readonly string[] Mains = ["v2-hdmiusb-rpi4.yaml", "v3-hdmi-rpi4.yaml"];

    private static readonly Lazy<string?> WhyUnavailable = new(() =>
    {
        var (code, _, stderr) = RunOracle("{\"mains\": [], \"files\": []}");
        return code == 0 ? null : $"kvmd's code cannot be run: {stderr.Trim()}";
    });

    /// <summary>kvmd's driver types as its source has them: what 'gpio check' asks of an installed kvmd.</summary>
    public static KvmdDriverTypes DriverTypes()
    {
        Require();
        string src = Environment.GetEnvironmentVariable("KVMD_SRC") is { Length: > 0 } s ? s
            : Path.Combine(Path.GetDirectoryName(ShippedExampleTests.RepoFile("."))!, "..", "shared", "upstream", "kvmd-4.197");
        return KvmdDriverTypes.In(Path.Combine(src, "kvmd", "plugins", "ugpio"))
            ?? throw new Xunit.Sdk.XunitException($"no kvmd/plugins/ugpio under {src}");
    }

    private static string Python => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>Skips the calling test where kvmd is absent; fails it under CI, which must run it.</summary>
    public static void Require()
    {
        if (WhyUnavailable.Value is not { } why)
        {
            return;
        }
        Assert.True(Environment.GetEnvironmentVariable("CI") is null or "", why + " (CI must run the tests that use kvmd's code)");
        Skip.If(true, why);
    }

    /// <summary>kvmd's reading of each file under each of <paramref name="mains"/>: files.Count × mains.Length readings, file by file.</summary>
    public static IReadOnlyList<KvmdReading> Read(IReadOnlyList<string> files, params string[] mains)
    {
        Require();
        string request = JsonSerializer.Serialize(new Dictionary<string, object> { ["mains"] = mains, ["files"] = files });
        var (code, stdout, stderr) = RunOracle(request);
        Assert.True(code == 0, "tests/kvmd/oracle.py failed:\n" + stderr);
        using var json = JsonDocument.Parse(stdout);
        var readings = json.RootElement.EnumerateArray().Select(e => e.GetProperty("ok").GetBoolean()
            ? new KvmdReading(true, null, e.GetProperty("drivers").Clone(), e.GetProperty("scheme").Clone(), e.GetProperty("view").Clone())
            : new KvmdReading(false, e.GetProperty("error").GetString(), default, default, default)).ToList();
        Assert.Equal(files.Count * mains.Length, readings.Count);
        return readings;
    }

    private static (int Code, string Stdout, string Stderr) RunOracle(string request)
    {
        var info = new ProcessStartInfo(Python, [ShippedExampleTests.RepoFile(Path.Combine("tests", "kvmd", "oracle.py"))])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(info)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        python.StandardInput.Write(request);
        python.StandardInput.Close();
        if (!python.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            python.Kill(entireProcessTree: true);
            return (-1, "", "tests/kvmd/oracle.py did not finish within 5 minutes");
        }
        return (python.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>
    /// Asserts that kvmd read <paramref name="reading"/> as kvmtool.yaml's 'kvmd:' section asked: one driver per
    /// button and indicator running its command, and every menu cell showing the asked label, dot (with its
    /// colour) or button (with its text and confirmation), in the asked order.
    /// </summary>
    public static void AssertShowsWhatWasAsked(KvmdReading reading, KvmdConfig kvmd, GpioOverride model, string context)
    {
        Assert.True(reading.Ok, $"kvmd refused the generated file: {reading.Error}\n{context}");
        foreach (var channel in model.Channels)
        {
            Assert.True(reading.Drivers.TryGetProperty(channel.Name, out var driver), $"kvmd has no driver {channel.Name}: {context}");
            Assert.Equal(channel.IsButton ? "cmd" : "cmdret", driver.GetProperty("type").GetString());
            Assert.Equal(channel.Argv, driver.GetProperty("cmd").EnumerateArray().Select(a => a.GetString()!).ToList());
            var side = reading.Scheme.GetProperty(channel.IsButton ? "outputs" : "inputs");
            Assert.True(side.TryGetProperty(channel.Name, out _), $"{channel.Name} is not among kvmd's {(channel.IsButton ? "outputs" : "inputs")}: {context}");
        }
        var title = reading.View.GetProperty("header").GetProperty("title").EnumerateArray().ToList();
        Assert.Equal([KvmdRules.HtmlEscape((kvmd.Title ?? KvmdConfig.DefaultTitle).Trim())], title.Select(t => t.GetProperty("text").GetString()));

        var asked = GpioGenerator.Layout(kvmd);
        var shown = reading.View.GetProperty("table").EnumerateArray().ToList();
        Assert.True(asked.Count == shown.Count, $"kvmd shows {shown.Count} rows, {asked.Count} were asked: {context}");
        for (int r = 0; r < asked.Count; r++)
        {
            if (asked[r].Count == 0)
            {
                Assert.True(shown[r].ValueKind == JsonValueKind.Null, $"row {r} should be a separator: {context}");
                continue;
            }
            var cells = shown[r].EnumerateArray().Select(Describe).ToList();
            var expected = asked[r].Select(cell => Expected(kvmd, cell)).ToList();
            Assert.True(expected.SequenceEqual(cells),
                $"row {r}: kvmd shows [{string.Join(", ", cells)}], asked [{string.Join(", ", expected)}]: {context}");
        }
    }

    private static string Describe(JsonElement item) => item.GetProperty("type").GetString() switch
    {
        "label" => "label:" + item.GetProperty("text").GetString(),
        "input" => $"dot:{item.GetProperty("channel").GetString()}:{item.GetProperty("color").GetString()}",
        "output" => $"button:{item.GetProperty("channel").GetString()}:confirm={item.GetProperty("confirm").GetBoolean()}:" +
                    $"hide={item.GetProperty("hide").GetBoolean()}:{item.GetProperty("text").GetString()}",
        var other => "unknown:" + other,
    };

    /// <summary>What a layout cell of kvmtool.yaml asks kvmd to show. Labels are HTML to kvmd, so their text is escaped.</summary>
    private static string Expected(KvmdConfig kvmd, string cell)
    {
        if (cell.Length == 0)
        {
            return "label:";
        }
        if (cell.StartsWith('#'))
        {
            return "label:" + KvmdRules.HtmlEscape(cell[1..].Trim());
        }
        if (kvmd.Buttons.TryGetValue(cell, out var b))
        {
            return $"button:{GpioGenerator.ChannelName(cell)}:confirm={b!.Confirm is true}:hide=False:{(b.Label ?? cell).Trim()}";
        }
        return $"dot:{GpioGenerator.ChannelName(cell)}:{kvmd.Indicators[cell]!.Colour ?? "green"}";
    }
}
