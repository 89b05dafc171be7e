using KvmTools.Core;
using KvmTools.Core.Relays;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Relays;

/// <summary>The LCUS serial board, driven through a real pseudo-terminal: the test reads what kvmtool wrote.</summary>
public sealed class SerialRelayTests : IDisposable
{
    private readonly SysfsFixture _fx = new();
    private readonly PseudoTerminal _pty = new();

    public void Dispose()
    {
        _pty.Dispose();
        _fx.Dispose();
    }

    private Dictionary<string, string> Env()
    {
        var env = CliRunner.EnvFor(_fx);
        env.Remove("KVMTOOL_DEV_ROOT"); // the pty lives in the real /dev/pts
        return env;
    }

    [Fact]
    public void OnWritesExactlyTheFourBytes()
    {
        var run = CliRunner.Run(Env(), "relay", "1", "on", "--port", _pty.SlavePath);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(new byte[] { 0xA0, 0x01, 0x01, 0xA2 }, _pty.ReadAvailable(4, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void PulseWritesOnThenOffAndStatusFollows()
    {
        var env = Env();
        Assert.Equal(0, CliRunner.Run(env, "relay", "2", "on", "--port", _pty.SlavePath).ExitCode);
        var status = CliRunner.Run(env, "relay", "2", "status", "--port", _pty.SlavePath);
        Assert.Equal((0, "on"), (status.ExitCode, status.Out.Trim()));

        Assert.Equal(0, CliRunner.Run(env, "relay", "2", "pulse", "--ms", "50", "--port", _pty.SlavePath).ExitCode);
        Assert.Equal(
            new byte[] { 0xA0, 2, 1, 0xA3, 0xA0, 2, 1, 0xA3, 0xA0, 2, 0, 0xA2 },
            _pty.ReadAvailable(12, TimeSpan.FromSeconds(2)));
        status = CliRunner.Run(env, "relay", "2", "status", "--port", _pty.SlavePath);
        Assert.Equal((1, "off"), (status.ExitCode, status.Out.Trim()));
    }

    [Fact]
    public void ANamedSerialRelayComesFromTheConfig()
    {
        string config = Path.Combine(_fx.Root, "named.yaml");
        File.WriteAllText(config, $"relays:\n  lamp:\n    port: {_pty.SlavePath}\n    channel: 3\n    channels: 4\n");
        var env = Env();
        env["KVMTOOL_CONFIG"] = config;
        Assert.Equal(0, CliRunner.Run(env, "relay", "lamp", "on").ExitCode);
        Assert.Equal(new byte[] { 0xA0, 3, 1, 0xA4 }, _pty.ReadAvailable(4, TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void AMissingPortIsNotFound()
    {
        var run = CliRunner.Run(Env(), "relay", "1", "on", "--port", "/dev/ttyUSB-does-not-exist");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("/dev/ttyUSB-does-not-exist", run.Err);
        Assert.Contains("fix:", run.Err);
    }

    [Fact]
    public void ATtyUnderAUsbAdapterReportsItsPort()
    {
        _fx.AddUsbDevice("1-1.2", 1, 4, 0x1a86, 0x7523, product: "USB Serial");
        _fx.AddTty("ttyUSB0", "1-1.2");
        string node = Path.Combine(_fx.DevRoot, "ttyUSB0");
        File.WriteAllText(node, "");
        var info = new RelayDiscovery(_fx.Paths, _ => throw new InvalidOperationException()).DescribeSerial(node, 2);
        Assert.Equal(RelayFamily.LcusSerial, info.Family);
        Assert.Equal("1-1.2", info.UsbPort);
        Assert.Equal("1a86:7523", info.Id);
        Assert.Equal(2, info.Channels);
        Assert.Equal("usb-1-1.2-tty", info.StateKey);
    }

    [Fact]
    public async Task ManyProcessesSwitchingOneChannelSerializeAndTheStateMatchesTheLastCommand()
    {
        var env = Env();
        const int processes = 6;
        const int commandsEach = 3;
        var runs = Enumerable.Range(0, processes).Select(p => Task.Run(async () =>
        {
            for (int i = 0; i < commandsEach; i++)
            {
                using var process = CliRunner.Start(env, "relay", "1", (p + i) % 2 == 0 ? "on" : "off", "--port", _pty.SlavePath);
                string err = await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, err);
            }
        })).ToArray();
        await Task.WhenAll(runs);

        byte[] stream = _pty.ReadAvailable(processes * commandsEach * 4, TimeSpan.FromSeconds(10));
        // Every command arrived whole: the lock kept the processes' writes from interleaving.
        Assert.Equal(processes * commandsEach * 4, stream.Length);
        var frames = stream.Chunk(4).ToList();
        Assert.All(frames, f => Assert.True(f.SequenceEqual(LcusProtocol.Encode(1, true)) || f.SequenceEqual(LcusProtocol.Encode(1, false))));

        bool lastOn = frames[^1][2] == 1;
        var status = CliRunner.Run(env, "relay", "1", "status", "--port", _pty.SlavePath);
        Assert.Equal(lastOn ? "on" : "off", status.Out.Trim());
        string stateFile = Directory.GetFiles(Path.Combine(_fx.RuntimeDir, "relays")).Single();
        Assert.Contains("1=" + (lastOn ? "on" : "off"), File.ReadAllLines(stateFile));
        Assert.Empty(Directory.GetFiles(Path.Combine(_fx.RuntimeDir, "relays"), "*.tmp"));
    }
}
