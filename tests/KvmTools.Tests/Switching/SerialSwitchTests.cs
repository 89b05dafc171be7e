using System.Text.Json;
using KvmTools.Core;
using KvmTools.Core.Switching;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Switching;

/// <summary>TESmart and ezcoo switches through the whole command line: simulators on real pseudo-terminals and on a loopback TCP port.</summary>
public sealed class SerialSwitchTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private Dictionary<string, string> Env(string switches)
    {
        string config = Path.Combine(_fx.Root, "kvmtool.yaml");
        File.WriteAllText(config, "switches:\n" + switches);
        var env = CliRunner.EnvFor(_fx, config);
        env.Remove("KVMTOOL_DEV_ROOT"); // the pty lives in the real /dev/pts
        return env;
    }

    [Fact]
    public void TesmartOnASerialPortSelectsAndReadsBack()
    {
        var sim = new TesmartSimulator(ports: 8, active: 1);
        using var pump = new PtySwitchPump(sim);
        var env = Env($"  rack:\n    backend: tesmart\n    ports: 8\n    port: {pump.Port}\n");

        var run = CliRunner.Run(env, "switch", "5");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(5, sim.Active);
        Assert.Contains("input 5, read back from the switch", run.Out);
        Assert.Equal(TesmartProtocol.EncodeSelect(5), sim.Frames[0]);
        Assert.All(sim.Frames.Skip(1), f => Assert.Equal(TesmartProtocol.EncodeQuery(), f));

        // Someone uses the switch's front panel; status asks the switch, and 'is' follows the last answer.
        sim.Feed(TesmartProtocol.EncodeSelect(2));
        Assert.Equal((0, "active"), Is(env, "5"));
        var status = CliRunner.Run(env, "switch", "status", "--json");
        Assert.Equal(0, status.ExitCode);
        using var json = JsonDocument.Parse(status.Out);
        Assert.Equal(2, json.RootElement.GetProperty("port").GetInt32());
        Assert.Equal("read-back", json.RootElement.GetProperty("known").GetString());
        Assert.Equal((0, "active"), Is(env, "2"));
        Assert.Equal((1, "not active"), Is(env, "5"));

        Assert.Equal(0, CliRunner.Run(env, "switch", "prev").ExitCode);
        Assert.Equal(1, sim.Active);
    }

    private static (int, string) Is(Dictionary<string, string> env, string port)
    {
        var run = CliRunner.Run(env, "switch", "is", port);
        return (run.ExitCode, run.Out.Trim());
    }

    [Fact]
    public void TesmartSelectWaitsUntilTheSwitchHasSwitched()
    {
        // Answers the select with the old input and needs two queries before it reports the new one.
        var sim = new TesmartSimulator(ports: 4, active: 1) { AnswersSelectWithOldInput = true, SwitchingQueries = 2 };
        using var pump = new PtySwitchPump(sim);
        var run = CliRunner.Run(Env($"  rack:\n    backend: tesmart\n    ports: 4\n    port: {pump.Port}\n"), "switch", "3");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(3, sim.Active);
        Assert.True(sim.Frames.Count >= 4, $"{sim.Frames.Count} frames");
    }

    [Fact]
    public void ATesmartThatRefusesAnInputIsAFailureNamingBoth()
    {
        var sim = new TesmartSimulator(ports: 4, active: 1);
        sim.Refused.Add(4);
        using var pump = new PtySwitchPump(sim);
        var env = Env($"  rack:\n    backend: tesmart\n    ports: 4\n    port: {pump.Port}\n");
        var run = CliRunner.Run(env, "switch", "4");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("told to select input 4 but reports input 1", run.Err);
        Assert.Contains("fix:", run.Err);
        // What the switch said is still recorded.
        Assert.Equal((0, "active"), Is(env, "1"));
    }

    [Fact]
    public void ASilentSwitchTimesOutWithExitFive()
    {
        var sim = new TesmartSimulator(ports: 4) { Mute = true };
        using var pump = new PtySwitchPump(sim);
        var run = CliRunner.Run(Env($"  rack:\n    backend: tesmart\n    ports: 4\n    port: {pump.Port}\n"), "switch", "status");
        Assert.Equal(5, run.ExitCode);
        Assert.Contains("did not report its active input", run.Err);
        Assert.Contains("9600", run.Err);
        Assert.Equal(ProtocolSwitch.QueryAttempts, sim.Frames.Count);
    }

    [Fact]
    public void TesmartOverTcpConnectsPerCommand()
    {
        var sim = new TesmartSimulator(ports: 8, active: 3);
        using var server = new TcpSwitchServer(sim);
        var env = Env($"  rack:\n    backend: tesmart\n    ports: 8\n    host: 127.0.0.1\n    tcp-port: {server.Port}\n");

        var status = CliRunner.Run(env, "switch", "status");
        Assert.True(status.ExitCode == 0, status.Err);
        Assert.Contains("input 3", status.Out);

        var run = CliRunner.Run(env, "switch", "next");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(4, sim.Active);
        Assert.True(server.Connections >= 4, $"{server.Connections} connections"); // status; next: query, select, confirm
    }

    [Fact]
    public void ARefusedTcpConnectionIsAClearFailure()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        var run = CliRunner.Run(Env($"  rack:\n    backend: tesmart\n    ports: 8\n    host: 127.0.0.1\n    tcp-port: {port}\n"), "switch", "2");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("refused the connection", run.Err);
    }

    [Fact]
    public void EzcooSelectsTwiceAndReadsTheRouteBack()
    {
        var sim = new EzcooSimulator(active: 1) { DropNext = 1 }; // the firmware loses the first copy
        using var pump = new PtySwitchPump(sim);
        var env = Env($"  desk:\n    backend: ezcoo\n    ports: 4\n    port-names: [work, home, nas, lab]\n    port: {pump.Port}\n");
        var run = CliRunner.Run(env, "switch", "nas");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(3, sim.Active);
        Assert.Contains("input 3 (nas)", run.Out);
        Assert.Equal(["EZS OUT1 VS IN3", "EZS OUT1 VS IN3"], sim.Lines.Take(2));
        Assert.Contains("EZG OUT1 VS", sim.Lines);

        var status = CliRunner.Run(env, "switch", "status");
        Assert.Contains("input 3 (nas), read back", status.Out);
    }

    [Fact]
    public void AMissingSerialPortIsNotFound()
    {
        var run = CliRunner.Run(Env("  desk:\n    backend: ezcoo\n    ports: 4\n    port: /dev/ttyUSB-not-here\n"), "switch", "2");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("/dev/ttyUSB-not-here", run.Err);
    }

    [Fact]
    public void SyncIsAUsageErrorOnASwitchThatReportsItsInput()
    {
        var run = CliRunner.Run(Env("  desk:\n    backend: ezcoo\n    ports: 4\n    port: /dev/ttyUSB0\n"), "switch", "sync", "2");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("nothing to sync", run.Err);
    }
}
