using System.Text.Json;
using KvmTools.Core.Relays;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Switching;

/// <summary>
/// 'kvmtool switch' on the usual low-cost build: an LCUS relay board on a serial port (a real pseudo-terminal, so the
/// test sees every byte) whose contact is across a 3-port HDMI switch's button.
/// </summary>
public sealed class SwitchCliTests : IDisposable
{
    private readonly SysfsFixture _fx = new();
    private readonly PseudoTerminal _pty = new();

    public void Dispose()
    {
        _pty.Dispose();
        _fx.Dispose();
    }

    private Dictionary<string, string> Env(string extraSwitches = "", int pressMs = 20, int gapMs = 20)
    {
        string config = Path.Combine(_fx.Root, "kvmtool.yaml");
        File.WriteAllText(config,
            $"relays:\n  hdmi-button:\n    port: {_pty.SlavePath}\n    channel: 1\n    channels: 1\n" +
            $"switches:\n  main:\n    backend: relay-button\n    ports: 3\n    port-names: [pc1, pc2, nas]\n" +
            $"    relay: hdmi-button\n    press-ms: {pressMs}\n    gap-ms: {gapMs}\n" + extraSwitches);
        var env = CliRunner.EnvFor(_fx, config);
        env.Remove("KVMTOOL_DEV_ROOT"); // the pty lives in the real /dev/pts
        return env;
    }

    /// <summary>The bytes on the relay's serial line, fed to a model of the HDMI switch's MCU.</summary>
    private (HdmiSwitchMcu Mcu, List<byte[]> Frames) Replay(int expectedFrames, int start)
    {
        byte[] stream = _pty.ReadAvailable(expectedFrames * 4, TimeSpan.FromSeconds(10));
        var frames = stream.Chunk(4).ToList();
        var mcu = new HdmiSwitchMcu(3, start);
        mcu.FeedLcus(frames, 1);
        return (mcu, frames);
    }

    [Fact]
    public void SyncThenSwitchPressesTheButtonAndTheStateFollows()
    {
        var env = Env();
        var sync = CliRunner.Run(env, "switch", "sync", "1");
        Assert.True(sync.ExitCode == 0, sync.Err);
        Assert.Contains("input 1 (pc1) recorded (was unknown)", sync.Out);

        var run = CliRunner.Run(env, "switch", "nas");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("main: input 3 (nas), 2 presses from input 1 (pc1).", run.Out);
        var (mcu, frames) = Replay(4, start: 1);
        Assert.Equal([LcusProtocol.Encode(1, true), LcusProtocol.Encode(1, false), LcusProtocol.Encode(1, true), LcusProtocol.Encode(1, false)], frames);
        Assert.Equal(3, mcu.Port);

        Assert.Equal(0, CliRunner.Run(env, "switch", "is", "3").ExitCode);
        var not = CliRunner.Run(env, "switch", "is", "pc1");
        Assert.Equal((1, "not active"), (not.ExitCode, not.Out.Trim()));

        var status = CliRunner.Run(env, "switch", "status", "--json");
        Assert.Equal(0, status.ExitCode);
        using var json = JsonDocument.Parse(status.Out);
        Assert.Equal(3, json.RootElement.GetProperty("port").GetInt32());
        Assert.Equal("nas", json.RootElement.GetProperty("portName").GetString());
        Assert.Equal("counted", json.RootElement.GetProperty("known").GetString());
        Assert.Equal("relay-button", json.RootElement.GetProperty("backend").GetString());

        // The relay's own state follows too: 'kvmtool relay hdmi-button status' says off.
        var relay = CliRunner.Run(env, "relay", "hdmi-button", "status");
        Assert.Equal("off", relay.Out.Trim());
    }

    [Fact]
    public void AfterBootTheInputIsUnknownAndSelectingIsRefused()
    {
        var env = Env();
        var run = CliRunner.Run(env, "switch", "2");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("current input is unknown", run.Err);
        Assert.Contains("kvmtool switch sync N --switch main", run.Err);
        Assert.Empty(_pty.ReadAvailable(0, TimeSpan.FromMilliseconds(200)));

        var status = CliRunner.Run(env, "switch", "status");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("unknown", status.Out);
        var isRun = CliRunner.Run(env, "switch", "is", "1");
        Assert.Equal((1, "unknown"), (isRun.ExitCode, isRun.Out.Trim()));
    }

    [Fact]
    public void NextWorksFromAnUnknownInput()
    {
        var env = Env();
        var run = CliRunner.Run(env, "switch", "next");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("1 press made; the input is still unknown", run.Out);
        Assert.Equal(2, Replay(2, start: 1).Mcu.Port);
    }

    [Fact]
    public void DryRunPrintsThePressesAndSendsNothing()
    {
        var env = Env();
        Assert.Equal(0, CliRunner.Run(env, "switch", "sync", "2").ExitCode);
        var run = CliRunner.Run(env, "switch", "1", "--dry-run");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("would press 2 times (20 ms each, 20 ms apart): input 2 (pc2) -> 3 (nas) -> 1 (pc1) (dry run: nothing done)", run.Out);
        var json = CliRunner.Run(env, "switch", "prev", "--dry-run", "--json");
        using var doc = JsonDocument.Parse(json.Out);
        Assert.Equal(2, doc.RootElement.GetProperty("presses").GetInt32());
        Assert.True(doc.RootElement.GetProperty("dryRun").GetBoolean());
        Assert.Empty(_pty.ReadAvailable(0, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(0, CliRunner.Run(env, "switch", "is", "2").ExitCode);
    }

    [Fact]
    public void WithTwoSwitchesOneMustBeNamed()
    {
        var env = Env("  rack:\n    backend: tesmart\n    ports: 8\n    host: 127.0.0.1\n");
        var run = CliRunner.Run(env, "switch", "2");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("main, rack", run.Err);
        Assert.Contains("--switch", run.Err);

        Assert.Equal(0, CliRunner.Run(env, "switch", "sync", "2", "--switch", "main").ExitCode);
        var list = CliRunner.Run(env, "switch", "list");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"main\s+relay-button\s+3\s+2 \(pc2\)\s+synced\s+pc1,pc2,nas", list.Out);
        Assert.Matches(@"rack\s+tesmart\s+8\s+-\s+unknown", list.Out);
    }

    [Theory]
    [InlineData(new[] { "switch", "4" }, "no input 4")]
    [InlineData(new[] { "switch", "tv" }, "'tv' is neither")]
    [InlineData(new[] { "switch", "is", "0" }, "no input 0")]
    [InlineData(new[] { "switch", "sync" }, "input")]
    [InlineData(new[] { "switch" }, "input")]
    [InlineData(new[] { "switch", "2", "--switch", "tv" }, "No switch is named 'tv'")]
    public void UsageErrorsExitTwo(string[] args, string expected)
    {
        var run = CliRunner.Run(Env(), args);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Err);
    }

    [Fact]
    public void AGpioSwitchWithoutItsChipIsNotFound()
    {
        string config = Path.Combine(_fx.Root, "gpio.yaml");
        File.WriteAllText(config, "switches:\n  sel:\n    backend: gpio-select\n    ports: 3\n    chip: gpiochip0\n    lines: [22, 23]\n" +
            "  btn:\n    backend: gpio-button\n    ports: 3\n    chip: pinctrl-bcm2711\n    line: 17\n");
        var env = CliRunner.EnvFor(_fx, config); // an empty fixture /dev: no GPIO chips
        var select = CliRunner.Run(env, "switch", "2", "--switch", "sel");
        Assert.Equal(3, select.ExitCode);
        Assert.Contains("The GPIO chip gpiochip0 does not exist", select.Err);
        Assert.Equal(0, CliRunner.Run(env, "switch", "sync", "1", "--switch", "btn").ExitCode);
        var press = CliRunner.Run(env, "switch", "next", "--switch", "btn");
        Assert.Equal(3, press.ExitCode);
        Assert.Contains("No GPIO chip is labelled 'pinctrl-bcm2711'", press.Err);
        // Nothing was pressed, so the input is still the synced one.
        Assert.Equal(0, CliRunner.Run(env, "switch", "is", "1", "--switch", "btn").ExitCode);
    }

    [Fact]
    public void ABadSwitchInTheConfigIsAConfigError()
    {
        string config = Path.Combine(_fx.Root, "bad.yaml");
        File.WriteAllText(config, "switches:\n  main:\n    backend: relay-button\n    ports: 3\n    relay: nope\n");
        var env = CliRunner.EnvFor(_fx, config);
        var run = CliRunner.Run(env, "switch", "status");
        Assert.Equal(6, run.ExitCode);
        Assert.Contains("bad.yaml:5:12: relay 'nope' is not defined", run.Err);
    }

    /// <summary>
    /// Clicks from several places at once: each process takes the relay board's lock for its whole press
    /// sequence, so the line carries whole presses (on, off) in whole sequences, and the state file ends at
    /// the input the presses reached.
    /// </summary>
    [Fact]
    public async Task ConcurrentSwitchesNeverInterleaveTheirPresses()
    {
        var env = Env(pressMs: 15, gapMs: 15);
        Assert.Equal(0, CliRunner.Run(env, "switch", "sync", "1").ExitCode);
        const int processes = 6;
        var outputs = new string[processes];
        var runs = Enumerable.Range(0, processes).Select(p => Task.Run(async () =>
        {
            using var process = CliRunner.Start(env, "switch", p % 2 == 0 ? "2" : "3", "--json");
            string output = await process.StandardOutput.ReadToEndAsync();
            string err = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, err);
            outputs[p] = output;
        })).ToArray();
        await Task.WhenAll(runs);

        var results = outputs.Select(o => JsonDocument.Parse(o).RootElement).ToList();
        int totalPresses = results.Sum(r => r.GetProperty("presses").GetInt32());
        var (mcu, frames) = Replay(totalPresses * 2, start: 1);
        Assert.Equal(totalPresses * 2, frames.Count);
        Assert.Empty(_pty.ReadAvailable(0, TimeSpan.FromMilliseconds(300)));

        // Whole presses: on, off, on, off ... never two closings in a row.
        for (int i = 0; i < frames.Count; i++)
        {
            Assert.Equal(LcusProtocol.Encode(1, i % 2 == 0), frames[i]);
        }
        // Whole sequences: replaying each process's presses in the order they ran, every one ended on its target.
        foreach (var r in results)
        {
            Assert.Equal(r.GetProperty("target").GetInt32(), r.GetProperty("port").GetInt32());
        }
        Assert.Equal(totalPresses, mcu.Presses);

        var status = CliRunner.Run(env, "switch", "status", "--json");
        using var json = JsonDocument.Parse(status.Out);
        Assert.Equal(mcu.Port, json.RootElement.GetProperty("port").GetInt32());
        Assert.Empty(Directory.GetFiles(Path.Combine(_fx.RuntimeDir, "switches"), "*.tmp"));
    }
}
