using KvmTools.Core.Config;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;
using KvmTools.Core.Watchdog;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Watchdog;

public sealed class RelayPowerStepTests : IDisposable
{
    private readonly SysfsFixture _fx = new();
    private readonly DcttechSimulator _board = new("PWR01", 2);

    public RelayPowerStepTests()
    {
        _fx.AddUsbDevice("1-1.3", 1, 9, 0x16c0, 0x05df, product: "USBRelay2", manufacturer: "www.dcttech.com");
        _fx.AddHidraw(1, "1-1.3", 0x16c0, 0x05df, hidName: "www.dcttech.com USBRelay2");
    }

    public void Dispose() => _fx.Dispose();

    private RelayService Relays() => new(_fx.Paths, new RelayDiscovery(_fx.Paths, _ => _board), info => new DcttechBoard(info, _board));

    private static readonly RelayConfig PowerRelay = new() { UsbPort = "1-1.3", Channel = 2 };

    [Fact]
    public void ThePowerIsCutForTheGivenTimeThenRestored()
    {
        var during = new List<(TimeSpan, byte)>();
        var step = new RelayPowerStep(Relays, "capture-power", PowerRelay, TimeSpan.FromSeconds(3), t => during.Add((t, _board.Mask)));
        Assert.Equal("relay capture-power", step.Target);
        Assert.True(step.InterruptsVideo);
        step.Run(Deadline.After(step.Timeout));
        Assert.Equal([(TimeSpan.FromSeconds(3), (byte)0b10)], during);
        Assert.Equal(0, _board.Mask);
    }

    [Fact]
    public void RestoringThePowerIsRetriedOnce()
    {
        int sleeps = 0;
        // The board ignores the first "off" (read back still on), then works again.
        var step = new RelayPowerStep(Relays, "capture-power", PowerRelay, TimeSpan.FromSeconds(3), _ => _board.Stuck = ++sleeps == 1);
        step.Run(Deadline.After(step.Timeout));
        Assert.Equal(2, sleeps);
        Assert.Equal(0, _board.Mask);
    }
}
