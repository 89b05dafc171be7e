using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Relays;

public sealed class RelayServiceTests : IDisposable
{
    private readonly SysfsFixture _fx = new();
    private readonly Dictionary<string, IHidDevice> _devices = [];

    public void Dispose() => _fx.Dispose();

    private RelayService Service() => new(_fx.Paths, new RelayDiscovery(_fx.Paths, h => _devices[h.DevicePath]), OpenBoard);

    private IRelayBoard OpenBoard(RelayBoardInfo info) => info.Family switch
    {
        RelayFamily.LcusHid => new LcusHidBoard(info, _devices[info.Device]),
        RelayFamily.Dcttech => new DcttechBoard(info, _devices[info.Device]),
        _ => throw new InvalidOperationException(),
    };

    private RecordingHidDevice AddLcus(int node, string port, int devnum = 5, string? serial = null)
    {
        _fx.AddUsbDevice(port, 1, devnum, 0x5131, 0x2007, serial: serial);
        string path = _fx.AddHidraw(node, port, 0x5131, 0x2007);
        var device = new RecordingHidDevice(path);
        _devices[path] = device;
        return device;
    }

    private DcttechSimulator AddDcttech(int node, string port, string id = "ABCDE", int channels = 2)
    {
        _fx.AddUsbDevice(port, 1, 9, 0x16c0, 0x05df, product: $"USBRelay{channels}", manufacturer: "www.dcttech.com");
        string path = _fx.AddHidraw(node, port, 0x16c0, 0x05df, hidName: $"www.dcttech.com USBRelay{channels}");
        var sim = new DcttechSimulator(id, channels);
        _devices[path] = sim;
        return sim;
    }

    [Fact]
    public void ListFindsRelayBoardsAndHidesAKeyboard()
    {
        AddLcus(0, "1-1.4");
        AddDcttech(1, "1-1.3", id: "QWERT", channels: 4);
        _fx.AddUsbDevice("1-1.2", 1, 3, 0x046d, 0xc31c);
        _fx.AddHidraw(2, "1-1.2", 0x046d, 0xc31c, hidName: "Logitech USB Keyboard");

        var boards = Service().Discovery.ListHid();
        Assert.Equal(2, boards.Count);
        var lcus = boards.Single(b => b.Family == RelayFamily.LcusHid);
        Assert.Equal("1-1.4", lcus.UsbPort);
        Assert.Equal(8, lcus.Channels);
        Assert.False(lcus.ChannelsKnown);
        var dct = boards.Single(b => b.Family == RelayFamily.Dcttech);
        Assert.Equal("QWERT", dct.Serial);
        Assert.Equal(4, dct.Channels);
        Assert.True(dct.ChannelsKnown);

        var all = Service().Discovery.ListHid(includeOthers: true);
        Assert.Equal(3, all.Count);
        Assert.False(all.Single(b => b.VendorId == 0x046d).IsRelay);
    }

    [Fact]
    public void A16c0BoardThatIsNotAUsbRelayIsNotListed()
    {
        _fx.AddUsbDevice("1-2", 1, 3, 0x16c0, 0x05df, product: "DigiSpark");
        _fx.AddHidraw(0, "1-2", 0x16c0, 0x05df, hidName: "digistump.com DigiSpark");
        Assert.Empty(Service().Discovery.ListHid());
    }

    [Fact]
    public void OnOffAndPulseWriteTheLcusReportsInOrder()
    {
        var dev = AddLcus(0, "1-1.4");
        var service = Service();
        service.Set(new BoardSelector(), 1, true);
        service.Set(new BoardSelector(), 2, false);
        service.Pulse(new BoardSelector(), 1, TimeSpan.FromMilliseconds(20));
        Assert.Equal(
            [[0xA0, 1, 1, 0xA2], [0xA0, 2, 0, 0xA2], [0xA0, 1, 1, 0xA2], [0xA0, 1, 0, 0xA1]],
            dev.Reports);
    }

    [Fact]
    public void LcusStatusIsUnknownUntilSwitchedThenRemembered()
    {
        AddLcus(0, "1-1.4");
        var service = Service();
        Assert.Equal(RelayState.Unknown, service.Status(new BoardSelector(), 1).State);
        service.Set(new BoardSelector(), 1, true);
        Assert.Equal(RelayState.On, service.Status(new BoardSelector(), 1).State);
        Assert.Equal(RelayState.Unknown, service.Status(new BoardSelector(), 2).State);
        service.Set(new BoardSelector(), 1, false);
        var status = service.Status(new BoardSelector(), 1);
        Assert.Equal(RelayState.Off, status.State);
        Assert.False(status.ReadBack);
    }

    [Fact]
    public void StatusDoesNoDeviceIoOnLcusBoards()
    {
        var dev = AddLcus(0, "1-1.4");
        Service().Set(new BoardSelector(), 1, true);
        dev.FailWith = new InvalidOperationException("status must not touch the device");
        Assert.Equal(RelayState.On, Service().Status(new BoardSelector(), 1).State);
    }

    [Fact]
    public void ARePluggedBoardForgetsItsRememberedState()
    {
        AddLcus(0, "1-1.4", devnum: 5);
        Service().Set(new BoardSelector(), 1, true);
        // Re-plugging gives the board a new device number; its relays are off again, so the old state must not count.
        File.WriteAllText(Path.Combine(_fx.Sys("bus", "usb", "devices", "1-1.4"), "devnum"), "6\n");
        Assert.Equal(RelayState.Unknown, Service().Status(new BoardSelector(), 1).State);
    }

    [Fact]
    public void ToggleNeedsAKnownState()
    {
        var dev = AddLcus(0, "1-1.4");
        var e = Assert.Throws<OperationFailedException>(() => Service().Toggle(new BoardSelector(), 1));
        Assert.Contains("unknown", e.Message);
        Assert.Empty(dev.Reports);
        Service().Set(new BoardSelector(), 1, false);
        Assert.Equal(RelayState.On, Service().Toggle(new BoardSelector(), 1).State);
        Assert.Equal(RelayState.Off, Service().Toggle(new BoardSelector(), 1).State);
        Assert.Equal([0xA0, 1, 0, 0xA1], dev.Reports[^1]);
    }

    [Fact]
    public void AllOffSwitchesEveryChannelOfAnLcusBoard()
    {
        var dev = AddLcus(0, "1-1.4");
        Service().AllOff(new BoardSelector(Channels: 4));
        Assert.Equal(
            [[0xA0, 1, 0, 0xA1], [0xA0, 2, 0, 0xA2], [0xA0, 3, 0, 0xA3], [0xA0, 4, 0, 0xA4]],
            dev.Reports);
        Assert.Equal(RelayState.Off, Service().Status(new BoardSelector(Channels: 4), 4).State);
    }

    [Fact]
    public void DcttechStateIsReadBackFromTheBoard()
    {
        var sim = AddDcttech(0, "1-1.3");
        var service = Service();
        var result = service.Set(new BoardSelector(), 2, true);
        Assert.True(result.ReadBack);
        Assert.Equal(0b10, sim.Mask);
        Assert.Equal(RelayState.On, service.Status(new BoardSelector(), 2).State);
        Assert.Equal(RelayState.Off, service.Status(new BoardSelector(), 1).State);
        // Someone else switched relay 1 on: status reports the board, not a memory.
        sim.Mask = 0b11;
        Assert.Equal(RelayState.On, service.Status(new BoardSelector(), 1).State);
        service.AllOff(new BoardSelector());
        Assert.Equal(0, sim.Mask);
        Assert.Equal(new byte[] { 0, 0xFC, 0, 0, 0, 0, 0, 0, 0 }, sim.Sent[^1]);
    }

    [Fact]
    public void ADcttechBoardThatDoesNotSwitchIsAFailure()
    {
        var sim = AddDcttech(0, "1-1.3");
        sim.Stuck = true;
        var e = Assert.Throws<OperationFailedException>(() => Service().Set(new BoardSelector(), 1, true));
        Assert.Contains("did not switch on", e.Message);
    }

    [Fact]
    public void ChannelsAreValidatedAgainstTheBoard()
    {
        AddDcttech(0, "1-1.3", channels: 2);
        var e = Assert.Throws<UsageException>(() => Service().Set(new BoardSelector(), 3, true));
        Assert.Contains("has 2 channels", e.Message);
        Assert.Throws<UsageException>(() => Service().Set(new BoardSelector(), 0, true));
    }

    [Fact]
    public void LcusChannelsFollowTheConfiguredCount()
    {
        AddLcus(0, "1-1.4");
        var e = Assert.Throws<UsageException>(() => Service().Set(new BoardSelector(Channels: 2), 3, true));
        Assert.Contains("2 channels", e.Message);
        Assert.Throws<UsageException>(() => Service().Set(new BoardSelector(), 9, true));
    }

    [Fact]
    public void TwoBoardsWithoutASelectorIsAnErrorListingBoth()
    {
        AddLcus(0, "1-1.4");
        AddLcus(1, "1-1.3", devnum: 6);
        var e = Assert.Throws<UsageException>(() => Service().Set(new BoardSelector(), 1, true));
        Assert.Contains("--usb-port 1-1.4", e.Message);
        Assert.Contains("--usb-port 1-1.3", e.Message);
    }

    [Fact]
    public void SelectorsPickOneOfSeveralBoards()
    {
        var a = AddLcus(0, "1-1.4", serial: "AAA");
        var b = AddLcus(1, "1-1.3", devnum: 6, serial: "BBB");
        var service = Service();
        service.Set(new BoardSelector(UsbPort: "1-1.3"), 1, true);
        service.Set(new BoardSelector(Serial: "AAA"), 2, true);
        service.Set(new BoardSelector(Device: Path.Combine(_fx.DevRoot, "hidraw1")), 2, false);
        Assert.Equal([[0xA0, 2, 1, 0xA3]], a.Reports);
        Assert.Equal([[0xA0, 1, 1, 0xA2], [0xA0, 2, 0, 0xA2]], b.Reports);
    }

    [Fact]
    public void ASelectorThatMatchesNothingIsNotFoundAndSaysWhatWasFound()
    {
        AddLcus(0, "1-1.4");
        var e = Assert.Throws<NotFoundException>(() => Service().Set(new BoardSelector(Serial: "NOPE"), 1, true));
        Assert.Contains("--serial NOPE", e.Message);
        Assert.Contains("1-1.4", e.Message);
        Assert.Throws<NotFoundException>(() => Service().Set(new BoardSelector(Device: "/dev/hidraw9"), 1, true));
    }

    [Fact]
    public void NoBoardAtAllIsNotFound()
    {
        var e = Assert.Throws<NotFoundException>(() => Service().Set(new BoardSelector(), 1, true));
        Assert.Contains("No relay board", e.Message);
    }

    [Fact]
    public void ADeviceThatIsNotARelayIsRefusedUnlessTheFamilyIsForced()
    {
        _fx.AddUsbDevice("1-2", 1, 3, 0x1234, 0x5678);
        string path = _fx.AddHidraw(0, "1-2", 0x1234, 0x5678, hidName: "Clone relay");
        var dev = new RecordingHidDevice(path);
        _devices[path] = dev;
        Assert.Throws<UsageException>(() => Service().Set(new BoardSelector(Device: path), 1, true));
        Service().Set(new BoardSelector(Device: path, Family: RelayFamily.LcusHid), 1, true);
        Assert.Equal([[0xA0, 1, 1, 0xA2]], dev.Reports);
    }

    [Fact]
    public void AFailedWriteIsReportedAndTheStateIsNotClaimed()
    {
        var dev = AddLcus(0, "1-1.4");
        Service().Set(new BoardSelector(), 1, false);
        dev.FailWith = new DeviceTimeoutException("write timed out");
        Assert.Throws<DeviceTimeoutException>(() => Service().Set(new BoardSelector(), 1, true));
        dev.FailWith = null;
        Assert.Equal(RelayState.Unknown, Service().Status(new BoardSelector(), 1).State);
    }

    [Fact]
    public void PulseLengthIsBounded()
    {
        AddLcus(0, "1-1.4");
        Assert.Throws<UsageException>(() => Service().Pulse(new BoardSelector(), 1, TimeSpan.Zero));
        Assert.Throws<UsageException>(() => Service().Pulse(new BoardSelector(), 1, TimeSpan.FromSeconds(11)));
    }

    [Fact]
    public void AHeldLockTimesOutWithABusyError()
    {
        AddLcus(0, "1-1.4");
        var service = new RelayService(_fx.Paths, new RelayDiscovery(_fx.Paths, h => _devices[h.DevicePath]), OpenBoard,
            TimeSpan.FromMilliseconds(200));
        var board = service.Discovery.Select(new BoardSelector());
        using var held = FileLock.Acquire(service.LockPath(board), TimeSpan.FromSeconds(1));
        // flock locks belong to the open file, so a second open in this process contends like another process would.
        var e = Assert.Throws<DeviceTimeoutException>(() => service.Set(new BoardSelector(), 1, true));
        Assert.Contains("Another kvmtool", e.Message);
    }
}
