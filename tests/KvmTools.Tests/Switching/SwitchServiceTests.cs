using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;
using KvmTools.Core.Switching;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Switching;

/// <summary>
/// The switch commands against the usual low-cost hardware, simulated: an LCUS HID relay board whose contact presses
/// the button of a 3-port HDMI switch's MCU, a GPIO line on the same button, and GPIO lines on S1/S2.
/// </summary>
public sealed class SwitchServiceTests : IDisposable
{
    private readonly SysfsFixture _fx = new();
    private readonly HdmiSwitchMcu _mcu = new(ports: 3, start: 1);
    private readonly InMemoryGpio _gpio = new();
    private readonly RelayContact _relay;

    public SwitchServiceTests()
    {
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        _relay = new RelayContact(_fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007), _mcu, channel: 1);
    }

    public void Dispose() => _fx.Dispose();

    private const string Relays = "relays:\n  hdmi-button:\n    usb-port: 1-1.4\n    channel: 1\n    channels: 2\n";

    private static LoadedConfig Config(string switches) => ConfigLoader.Parse(Relays + "switches:\n" + switches, "k.yaml");

    private static SwitchDefinition RelaySwitch(int ports = 3) => SwitchDefinition.Resolve(Config(
        $"  main:\n    backend: relay-button\n    ports: {ports}\n    port-names: [{string.Join(", ", Enumerable.Range(1, ports).Select(p => "pc" + p))}]\n" +
        "    relay: hdmi-button\n    press-ms: 10\n    gap-ms: 10\n"), "main");

    private static SwitchDefinition GpioButtonSwitch() => SwitchDefinition.Resolve(Config(
        "  main:\n    backend: gpio-button\n    ports: 3\n    chip: gpiochip0\n    line: 17\n    active-low: true\n    press-ms: 10\n    gap-ms: 10\n"), "main");

    private static SwitchDefinition SelectSwitch(string extra = "") => SwitchDefinition.Resolve(Config(
        "  main:\n    backend: gpio-select\n    ports: 3\n    chip: gpiochip0\n    lines: [22, 23]\n" + extra), "main");

    private RelayService RelayServiceOnFixture() => new(_fx.Paths, new RelayDiscovery(_fx.Paths, _ => _relay),
        info => new LcusHidBoard(info, _relay), TimeSpan.FromSeconds(5));

    private SwitchService Service(TimeSpan? lockTimeout = null)
    {
        var config = Config("  main:\n    backend: relay-button\n    ports: 3\n    relay: hdmi-button\n");
        var relays = RelayServiceOnFixture();
        return new SwitchService(_fx.Paths,
            sw => sw.Backend == SwitchBackend.RelayButton
                ? RelayButtonDriver.FromConfig(relays, sw, config)
                : new GpioButtonDriver(_gpio, sw),
            sw => new GpioSelectSwitch(_gpio, sw),
            lockTimeout ?? TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void SelectPressesTheRelayTheCountedNumberOfTimes()
    {
        var service = Service();
        var sw = RelaySwitch();
        service.Sync(sw, 1);

        var result = service.Select(sw, 3);
        Assert.Equal((3, PortSource.Counted, 2, 1), (result.State.Port, result.State.Source, result.Presses, result.From));
        Assert.Equal(3, _mcu.Port);
        Assert.Equal(2, _mcu.Presses);
        // Each press is the contact closing and opening: A0 01 01 A2, A0 01 00 A1.
        Assert.Equal(4, _relay.Reports.Count);
        Assert.Equal([LcusProtocol.Encode(1, true), LcusProtocol.Encode(1, false), LcusProtocol.Encode(1, true), LcusProtocol.Encode(1, false)], _relay.Reports);

        service.Select(sw, 2); // 3 -> 1 -> 2: two presses, wrapping
        Assert.Equal((2, 4), (_mcu.Port, _mcu.Presses));
        Assert.Equal(2, service.Status(sw).State.Port);

        var again = service.Select(sw, 2);
        Assert.Equal(0, again.Presses);
        Assert.Equal(4, _mcu.Presses);
    }

    [Fact]
    public void PressesWaitForTheRelayBoardsLock()
    {
        var service = Service(TimeSpan.FromMilliseconds(300));
        var sw = RelaySwitch();
        service.Sync(sw, 1);
        var board = new RelayDiscovery(_fx.Paths, _ => _relay).Select(new BoardSelector(UsbPort: "1-1.4"));
        // Another kvmtool ('kvmtool relay hdmi-button pulse') holds the board.
        using (FileLock.Acquire(RelayServiceOnFixture().LockPath(board), TimeSpan.FromSeconds(1)))
        {
            var e = Assert.Throws<DeviceTimeoutException>(() => service.Select(sw, 2));
            Assert.Contains(RelayServiceOnFixture().LockPath(board), e.Message);
            Assert.Empty(_relay.Reports);
            Assert.Equal(1, service.Status(sw).State.Port);
            // Recording the input needs only the switch's own lock, not the board.
            service.Sync(sw, 3);
        }
        service.Select(sw, 1);
        Assert.Equal(2, _relay.Reports.Count);
    }

    [Fact]
    public void AnUnknownInputIsRefusedEvenWithTheBoardGone()
    {
        var service = Service();
        var sw = RelaySwitch();
        Directory.Delete(_fx.Sys("class", "hidraw"), recursive: true);
        Directory.CreateDirectory(_fx.Sys("class", "hidraw"));
        var e = Assert.Throws<OperationFailedException>(() => service.Select(sw, 2));
        Assert.Contains("unknown", e.Message);
        service.Sync(sw, 2);
        Assert.Equal(0, service.Select(sw, 2).Presses);
        Assert.Throws<NotFoundException>(() => service.Select(sw, 3));
        Assert.Equal(2, service.Status(sw).State.Port);
    }

    [Fact]
    public void TheRelayStateFileFollowsThePresses()
    {
        var service = Service();
        var sw = RelaySwitch();
        service.Sync(sw, 1);
        service.Select(sw, 2);
        var info = new RelayDiscovery(_fx.Paths, _ => _relay).Select(new BoardSelector(UsbPort: "1-1.4", Channels: 2));
        Assert.False(new RelayStateStore(_fx.Paths).Load(info)[1]);
    }

    [Fact]
    public void AnUnknownInputIsRefusedWithoutPressing()
    {
        var service = Service();
        var sw = RelaySwitch();
        var e = Assert.Throws<OperationFailedException>(() => service.Select(sw, 2));
        Assert.Contains("unknown", e.Message);
        Assert.Contains("kvmtool switch sync N --switch main", e.Hint);
        Assert.Empty(_relay.Reports);
        Assert.Equal("unknown", IndicatorQueries.SwitchIs(service.Store, sw, 1).Word);
    }

    [Fact]
    public void NextAndPrevWorkWithoutAKnownInputAndLeaveItUnknown()
    {
        var service = Service();
        var sw = RelaySwitch();
        var next = service.Step(sw, forward: true);
        Assert.Equal((1, 2), (next.Presses, _mcu.Port));
        Assert.False(next.State.Known);

        service.Sync(sw, 2);
        var prev = service.Step(sw, forward: false);
        Assert.Equal((2, 1), (prev.Presses, _mcu.Port));
        Assert.Equal((1, PortSource.Counted), (prev.State.Port, prev.State.Source));
    }

    [Fact]
    public void AFailureMidSequenceLeavesTheInputUnknownNotWrong()
    {
        var service = Service();
        var sw = RelaySwitch();
        service.Sync(sw, 1);
        // The board vanishes after the first press and the second closing: the contact may or may not have closed.
        _relay.FailAfter = 3;
        Assert.ThrowsAny<KvmToolException>(() => service.Select(sw, 3));

        var state = service.Status(sw).State;
        Assert.False(state.Known);
        Assert.Equal(2, state.InterruptedFrom);
        Assert.Contains("shows input 2 (pc2) or 3 (pc3)", state.Reason);
        Assert.Equal("unknown", IndicatorQueries.SwitchIs(service.Store, sw, 2).Word);
        Assert.Throws<OperationFailedException>(() => service.Select(sw, 1));

        // The user looks, sees input 3, and says so.
        service.Sync(sw, 3);
        Assert.Equal(new IndicatorAnswer("active", true), IndicatorQueries.SwitchIs(service.Store, sw, 3));
        Assert.Equal(new IndicatorAnswer("not active", false), IndicatorQueries.SwitchIs(service.Store, sw, 1));
    }

    [Fact]
    public void DriftIsFixedBySync()
    {
        var service = Service();
        var sw = RelaySwitch();
        service.Sync(sw, 1);
        _mcu.AutoAdvance(); // input 1's computer went to sleep; the MCU moved to 2 on its own
        service.Select(sw, 3);
        Assert.Equal(1, _mcu.Port); // two presses from 2, not from 1: the count was off by one
        Assert.Equal(3, service.Status(sw).State.Port);

        service.Sync(sw, 1);
        service.Select(sw, 3);
        Assert.Equal(3, _mcu.Port);
    }

    [Fact]
    public void ADryRunPlansWithoutPressingOrWriting()
    {
        var service = Service();
        var sw = RelaySwitch();
        service.Sync(sw, 2);
        string before = File.ReadAllText(service.Store.PathFor(sw));
        var plan = service.Select(sw, 1, dryRun: true);
        Assert.Equal((2, true, 2), (plan.Presses, plan.DryRun, plan.From));
        Assert.Empty(_relay.Reports);
        Assert.Equal(before, File.ReadAllText(service.Store.PathFor(sw)));
    }

    [Fact]
    public void AChangedPortCountForgetsTheInput()
    {
        var service = Service();
        service.Sync(RelaySwitch(3), 3);
        var state = service.Status(RelaySwitch(4)).State;
        Assert.False(state.Known);
        Assert.Contains("configuration changed", state.Reason);
    }

    [Fact]
    public void TheGapIsKeptBetweenPressesOfSeparateCommands()
    {
        var service = Service();
        var sw = SwitchDefinition.Resolve(Config(
            "  main:\n    backend: relay-button\n    ports: 3\n    relay: hdmi-button\n    press-ms: 10\n    gap-ms: 300\n"), "main");
        service.Sync(sw, 1);
        service.Select(sw, 2);
        service.Select(sw, 3);
        // The second command's press started at least gap-ms after the first command's press ended.
        var closes = _relay.Stamps.Where((_, i) => i % 2 == 0).ToList();
        var opens = _relay.Stamps.Where((_, i) => i % 2 == 1).ToList();
        Assert.True(closes[1] - opens[0] >= 290, $"gap was {closes[1] - opens[0]} ms");
    }

    [Fact]
    public void SyncIsRefusedOnASwitchThatReportsItsInput()
    {
        var e = Assert.Throws<UsageException>(() => Service().Sync(SelectSwitch(), 1));
        Assert.Contains("nothing to sync", e.Message);
    }

    [Fact]
    public void AGpioButtonPressesTheMcuThroughAnActiveLowLine()
    {
        _gpio.LevelChanged += (offset, level) =>
        {
            if (offset == 17)
            {
                _mcu.Button(!level); // active-low: the button is pressed while the line is low
            }
        };
        _gpio.Drive(17, true);
        var service = Service();
        var sw = GpioButtonSwitch();
        service.Sync(sw, 1);
        var result = service.Select(sw, 3);
        Assert.Equal((3, 2, 3), (result.State.Port, _mcu.Presses, _mcu.Port));
        Assert.Equal([true, false, true, false, true], _gpio[17].History);
        // Released, pulled up: the button stays released after kvmtool exits.
        Assert.Null(_gpio[17].Holder);
        Assert.True(_gpio[17].Level);
        Assert.True(_gpio[17].Pull);
    }

    [Fact]
    public void AGpioLineHeldByKvmdIsReportedAsBusy()
    {
        _gpio.Hold(17, "kvmd::gpio");
        var service = Service();
        var sw = GpioButtonSwitch();
        service.Sync(sw, 1);
        var e = Assert.Throws<DeviceTimeoutException>(() => service.Select(sw, 2));
        Assert.Contains("kvmd::gpio", e.Message);
        Assert.Equal(1, service.Status(sw).State.Port);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GpioSelectDrivesTheCodeAndReadsItBack(bool releasedLinesKeepLevel)
    {
        _gpio.ReleasedLinesKeepLevel = releasedLinesKeepLevel;
        var service = Service();
        var sw = SelectSwitch();
        var result = service.Select(sw, 3);
        Assert.Equal((3, PortSource.ReadBack), (result.State.Port, result.State.Source));
        // Port 3 is binary 2: first line low, second high; the levels hold after the lines are released.
        Assert.Equal((false, true), (_gpio[22].Level, _gpio[23].Level));
        Assert.Equal((false, true), (_gpio[22].Pull, _gpio[23].Pull));

        var status = service.Status(sw);
        Assert.Equal(3, status.State.Port);
        Assert.Equal((false, true), (_gpio[22].Level, _gpio[23].Level));
        Assert.Equal(new IndicatorAnswer("active", true), IndicatorQueries.SwitchIs(service.Store, sw, 3));

        var next = service.Step(sw, forward: true);
        Assert.Equal((3, 1), (next.From, next.State.Port));
        Assert.Equal((false, false), (_gpio[22].Level, _gpio[23].Level));
    }

    [Fact]
    public void GpioSelectUsesTheConfiguredCodesAndActiveLow()
    {
        var service = Service();
        var sw = SelectSwitch("    active-low: true\n    codes: {1: [1, 1], 2: [0, 1], 3: [1, 0]}\n");
        service.Select(sw, 2);
        // Logical [0, 1] on active-low lines: physical high, low.
        Assert.Equal((true, false), (_gpio[22].Level, _gpio[23].Level));
        Assert.Equal(2, service.Status(sw).State.Port);
    }

    [Fact]
    public void GpioSelectLinesShowingNoCodeAreReported()
    {
        var service = Service();
        var sw = SelectSwitch();
        _gpio.Drive(22, true);
        _gpio.Drive(23, true); // binary 3 = port 4, which a 3-port switch does not have
        var e = Assert.Throws<OperationFailedException>(() => service.Status(sw));
        Assert.Contains("[1, 1]", e.Message);
    }

    /// <summary>An LCUS HID board whose first channel's contact is across the MCU's button.</summary>
    private sealed class RelayContact(string path, HdmiSwitchMcu mcu, int channel) : IHidDevice
    {
        public List<byte[]> Reports { get; } = [];

        public List<long> Stamps { get; } = [];

        public int FailAfter { get; set; } = int.MaxValue;

        public string Path => path;

        public void WriteOutputReport(ReadOnlySpan<byte> report)
        {
            if (Reports.Count >= FailAfter)
            {
                throw new NotFoundException("Cannot write /dev/hidraw0 (the device is gone).", "Re-plug it.");
            }
            Reports.Add(report.ToArray());
            Stamps.Add(Environment.TickCount64);
            mcu.FeedLcus([report.ToArray()], channel);
        }

        public void SendFeatureReport(ReadOnlySpan<byte> report) => throw new InvalidOperationException();

        public int GetFeatureReport(Span<byte> buffer) => throw new InvalidOperationException();

        public void Dispose()
        {
        }
    }
}
