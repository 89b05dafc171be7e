using KvmTools.Core;
using KvmTools.Core.Usb;

namespace KvmTools.Tests.Usb;

/// <summary>
/// Resets against fixture trees: the fake control writes the fixture's sysfs files and plays the kernel's
/// reaction (devices vanish, come back with new numbers, drivers rebind); the scripted clock makes every wait
/// deterministic, so "did it come back" is decided by what sysfs shows, never by timing.
/// </summary>
public sealed class UsbResetTests : IDisposable
{
    private const string Port = "1-1.4";
    private readonly UsbTree _tree = UsbTestKit.KvmBox();
    private readonly FakeUsbControl _control = new();
    private readonly ScriptedClock _clock = new();

    public void Dispose() => _tree.Dispose();

    private UsbService Service(UsbConfig? config = null) => UsbTestKit.Service(_tree, _control, _clock, config);

    private UsbResetResult Reset(string selector, UsbResetMethod method, double seconds = 5, bool yes = false) =>
        Assert.Single(Service().Reset(selector, UsbTestKit.Options(method, seconds, yes)));

    private string Hub => Path.Combine(_tree.Fx.DevRoot, "bus", "usb", "001", "002");

    private void PerPortHub() => _control.HubDescriptors[Hub] = FakeUsbControl.Usb2Hub(4, 0x0009);

    private void GangedHub() => _control.HubDescriptors[Hub] = FakeUsbControl.Usb2Hub(4, 0x0008);

    /// <summary>The kernel's disable store: 1 disconnects the device; 0 lets it enumerate again, later, with a new number.</summary>
    private void KernelPortPower(int newDev, int enumerateMs = 300, int nodesMs = 200)
    {
        var spec = _tree.Spec(Port);
        _control.OnWrite = (path, value) =>
        {
            if (path != _tree.DisableFile(Port))
            {
                return;
            }
            if (value == "1" && _tree.IsPlugged(Port))
            {
                _tree.Unplug(Port);
            }
            else if (value == "0")
            {
                _clock.After(enumerateMs, () =>
                {
                    _tree.Replug(spec, newDev);
                    _tree.RemoveDevFiles(Port);
                    _clock.After(nodesMs, () => _tree.RestoreDevFiles(Port));
                });
            }
        };
    }

    // ioctl

    [Fact]
    public void IoctlResetInPlaceWaitsForTheDriversAndNodesToComeBack()
    {
        _control.OnReset = node =>
        {
            // uvcvideo has no reset hooks: the kernel unbinds it and binds it again; udev lags a little.
            _tree.Unbind(Port, "1.0");
            _clock.After(200, () => _tree.Bind(Port, "1.0"));
        };
        var r = Reset("534d:2109", UsbResetMethod.Ioctl);

        Assert.Equal(["reset " + _tree.DevfsNode(Port)], _control.Calls);
        Assert.True(r.CameBack);
        Assert.False(r.Renumbered);
        Assert.Equal(UsbResetMethod.Ioctl, r.SucceededWith);
        Assert.Equal((1, 5), (r.After!.BusNumber, r.After.DeviceNumber));
        Assert.Contains("same address", r.Evidence);
        Assert.Contains("video0", r.Evidence);
        Assert.True(_clock.Elapsed >= TimeSpan.FromMilliseconds(200), "it returned before the nodes were back");
        Assert.Null(r.Problem);
    }

    [Fact]
    public void IoctlWaitsForUdevToCreateTheNodesAgain()
    {
        _tree.Plug(UsbTree.Ftdi());
        _control.OnReset = _ =>
        {
            _tree.RemoveDevFiles("1-1.3");
            _clock.After(300, () => _tree.RestoreDevFiles("1-1.3"));
        };
        var r = Reset("SN:A50285BI", UsbResetMethod.Ioctl);

        Assert.True(r.CameBack);
        Assert.True(_clock.Elapsed >= TimeSpan.FromMilliseconds(300), "it returned before /dev/ttyUSB0 was back");
        Assert.True(Assert.Single(r.After!.Nodes).Exists);
    }

    [Fact]
    public void IoctlSeesAReEnumerationWithANewDeviceNumber()
    {
        var spec = _tree.Spec(Port);
        _control.OnReset = node =>
        {
            // New descriptors after the reset: the kernel disconnects the device, ENODEV, and enumerates it anew.
            _tree.Unplug(Port);
            _clock.After(300, () => _tree.Replug(spec, 9));
            throw new NotFoundException("Cannot USBDEVFS_RESET on " + node + ": No such device");
        };
        var r = Reset("/dev/kvmd-video", UsbResetMethod.Ioctl);

        Assert.True(r.CameBack);
        Assert.True(r.Renumbered);
        Assert.Equal(9, r.After!.DeviceNumber);
        Assert.Contains("re-enumerated", r.Evidence);
        Assert.Contains("as bus 1 device 9", r.Evidence);
        Assert.Equal(Path.Combine(_tree.Fx.DevRoot, "kvmd-video"), r.After.Nodes[0].Aliases.Single());
    }

    [Fact]
    public void IoctlReportsADeviceThatNeverCameBack()
    {
        _control.OnReset = _ => _tree.Unplug(Port);
        var r = Reset("534d:2109", UsbResetMethod.Ioctl, seconds: 2);

        Assert.False(r.CameBack);
        Assert.Null(r.After);
        Assert.Null(r.SucceededWith);
        Assert.Contains("did not come back healthy within 2 s after USBDEVFS_RESET", r.Problem);
        Assert.Contains("nothing is attached at 1-1.4", r.Problem);
        Assert.Contains("--method authorize", r.Hint);
        Assert.True(_clock.Elapsed >= TimeSpan.FromSeconds(2));
        Assert.Equal(UsbAttemptOutcome.NotBack, Assert.Single(r.Attempts).Outcome);
    }

    [Fact]
    public void IoctlDoesNotCallADeviceWithoutItsDriverBack()
    {
        _control.OnReset = _ => _tree.Unbind(Port, "1.0");
        var r = Reset("534d:2109", UsbResetMethod.Ioctl, seconds: 1);
        Assert.False(r.CameBack);
        Assert.Contains("uvcvideo is not bound to 1-1.4:1.0", r.Problem);
        Assert.Contains("0 of 2 video4linux nodes are back", r.Problem);
        Assert.Contains("kvmd-video does not point at the device", r.Problem);
    }

    [Fact]
    public void IoctlPermissionHintNamesTheRuleForThisDevice()
    {
        _control.Denied.Add(_tree.DevfsNode(Port));
        var e = Assert.Throws<PermissionDeniedException>(() => Reset("534d:2109", UsbResetMethod.Ioctl));
        Assert.Contains(_tree.DevfsNode(Port), e.Message);
        Assert.Contains("60-kvmtool.rules", e.Hint);
        Assert.Contains("ATTR{idVendor}==\"534d\", ATTR{idProduct}==\"2109\", GROUP=\"kvmd\"", e.Hint);
        Assert.Contains("sudo kvmtool usb reset 534d:2109", e.Hint);
        Assert.Empty(_control.Calls);
    }

    [Fact]
    public void ARootHubIsNeverReset()
    {
        var e = Assert.Throws<UsageException>(() => Reset("1d6b:0002", UsbResetMethod.Ioctl));
        Assert.Contains("root hub", e.Message);
        Assert.Empty(_control.Calls);
    }

    // authorize

    [Fact]
    public void AuthorizeWritesZeroThenOneAndWaitsForTheInterfaces()
    {
        _control.OnWrite = (path, value) =>
        {
            if (path == _tree.AuthorizedFile(Port) && value == "0")
            {
                _tree.Deconfigure(Port);
            }
            else if (path == _tree.AuthorizedFile(Port) && value == "1")
            {
                _clock.After(150, () => _tree.Configure(Port));
            }
        };
        var r = Reset("1-1.4", UsbResetMethod.Authorize);

        Assert.Equal([$"write 0 > {_tree.AuthorizedFile(Port)}", $"write 1 > {_tree.AuthorizedFile(Port)}"], _control.Calls);
        Assert.Equal("1", File.ReadAllText(_tree.AuthorizedFile(Port)).Trim());
        Assert.True(r.CameBack);
        Assert.Contains("deauthorized (its interfaces went away) and authorized again", r.Evidence);
        Assert.Equal(5, r.After!.DeviceNumber);
    }

    [Fact]
    public void AuthorizeThatTheKernelIgnoredIsNotCalledASuccess()
    {
        var r = Reset("1-1.4", UsbResetMethod.Authorize, seconds: 1);
        Assert.False(r.CameBack);
        Assert.Contains("the kernel did not deauthorize it", r.Problem);
        // Whatever happened, the device is not left deauthorized.
        Assert.Equal($"write 1 > {_tree.AuthorizedFile(Port)}", _control.Calls[^1]);
    }

    [Fact]
    public void AuthorizeNeedsRoot()
    {
        _control.Denied.Add(_tree.AuthorizedFile(Port));
        var e = Assert.Throws<PermissionDeniedException>(() => Reset("1-1.4", UsbResetMethod.Authorize));
        Assert.Contains(_tree.AuthorizedFile(Port), e.Message);
        Assert.Contains("sudo kvmtool usb reset 1-1.4 --method authorize", e.Hint);
        Assert.Empty(_control.Calls);
    }

    // rebind

    [Fact]
    public void RebindUnbindsEachDriverOnceAndProbesTheInterfaces()
    {
        string probe = _tree.Fx.Sys("bus", "usb", "drivers_probe");
        _control.OnWrite = (path, value) =>
        {
            if (path.EndsWith("/unbind", StringComparison.Ordinal))
            {
                // One driver owns both of its interfaces: unbinding the first releases the second.
                string driver = Path.GetFileName(Path.GetDirectoryName(path)!);
                foreach (var i in _tree.Spec(Port).Interfaces.Where(i => i.Driver == driver))
                {
                    _tree.Unbind(Port, i.Number);
                }
            }
            else if (path == probe)
            {
                string number = value[(Port.Length + 1)..];
                string driver = _tree.Spec(Port).Interfaces.Single(i => i.Number == number).Driver!;
                foreach (var i in _tree.Spec(Port).Interfaces.Where(i => i.Driver == driver))
                {
                    _tree.Bind(Port, i.Number);
                }
            }
        };
        var r = Reset("534d:2109", UsbResetMethod.Rebind);

        Assert.Equal(
            [
                $"write 1-1.4:1.0 > {_tree.Fx.Sys("bus", "usb", "drivers", "uvcvideo", "unbind")}",
                $"write 1-1.4:1.2 > {_tree.Fx.Sys("bus", "usb", "drivers", "snd-usb-audio", "unbind")}",
                $"write 1-1.4:1.0 > {probe}",
                $"write 1-1.4:1.2 > {probe}",
            ],
            _control.Calls);
        Assert.True(r.CameBack);
        Assert.Contains("uvcvideo, snd-usb-audio were unbound and probed again", r.Evidence);
    }

    [Fact]
    public void RebindThatDidNotUnbindIsNotCalledASuccess()
    {
        var r = Reset("534d:2109", UsbResetMethod.Rebind, seconds: 1);
        Assert.False(r.CameBack);
        Assert.Contains("its drivers did not unbind", r.Problem);
    }

    // power

    [Fact]
    public void PowerCyclesThePortThroughSysfsAndSeesTheDeviceReEnumerate()
    {
        PerPortHub();
        KernelPortPower(newDev: 12);
        var r = Reset("534d:2109", UsbResetMethod.Power);

        string disable = _tree.DisableFile(Port);
        Assert.Equal([$"hub-descriptor {Hub}", $"write 1 > {disable}", $"write 0 > {disable}"], _control.Calls);
        Assert.Equal("0", File.ReadAllText(disable).Trim());
        Assert.True(r.CameBack);
        Assert.True(r.Renumbered);
        Assert.Equal((5, 12), (r.Before!.DeviceNumber, r.After!.DeviceNumber));
        Assert.Contains("Port 4 of hub 1-1 was switched off for 1.0 s and on again through sysfs", r.Evidence);
        Assert.Contains("re-enumerated at 1-1.4 as bus 1 device 12", r.Evidence);
        Assert.All(r.After.Nodes, n => Assert.True(n.Exists));
        Assert.Empty(r.Disturbed);
        Assert.True(_clock.Elapsed >= UsbResetter.PowerOffTime + TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public void PowerSwitchesTheSuperSpeedTwinToo()
    {
        _tree.AddRootHub(2, 4, speed: "5000");
        _tree.Peer("1-1", "2-1");
        var spec = _tree.Spec("1-1");
        // The hub at 1-1 sits on usb1's port 1, whose twin is usb2's port 1: reset the hub itself.
        _control.HubDescriptors[Path.Combine(_tree.Fx.DevRoot, "bus", "usb", "001", "001")] = FakeUsbControl.Usb2Hub(1, 0x0009);
        _control.OnWrite = (path, value) =>
        {
            if (path == _tree.DisableFile("1-1") && value == "1")
            {
                _tree.Unplug("1-1.4");
                _tree.Unplug("1-1.2");
                _tree.Unplug("1-1");
            }
            else if (path == _tree.DisableFile("1-1") && value == "0")
            {
                _clock.After(100, () => _tree.Replug(spec, 20));
            }
        };
        var r = Reset("1-1", UsbResetMethod.Power);

        Assert.Equal(
            [
                $"hub-descriptor {Path.Combine(_tree.Fx.DevRoot, "bus", "usb", "001", "001")}",
                $"write 1 > {_tree.DisableFile("1-1")}",
                $"write 1 > {_tree.DisableFile("2-1")}",
                $"write 0 > {_tree.DisableFile("2-1")}",
                $"write 0 > {_tree.DisableFile("1-1")}",
            ],
            _control.Calls);
        Assert.True(r.CameBack);
        Assert.Contains("Port 1 of hub usb1 and its SuperSpeed twin port 1 of hub usb2 were switched off", r.Evidence);
    }

    [Fact]
    public void PowerOnAGangedHubNeedsYesAndNamesTheNeighbours()
    {
        GangedHub();
        var e = Assert.Throws<UsageException>(() => Reset("534d:2109", UsbResetMethod.Power));
        Assert.Contains("ganged power switching", e.Message);
        Assert.Contains("5131:2007 at 1-1.2", e.Message);
        Assert.Contains("--yes", e.Hint);
        Assert.DoesNotContain(_control.Calls, c => c.StartsWith("write", StringComparison.Ordinal));
    }

    [Fact]
    public void PowerOnAGangedHubWithYesReportsTheNeighboursItDisturbed()
    {
        GangedHub();
        var relay = _tree.Spec("1-1.2");
        KernelPortPower(newDev: 12);
        var portOnly = _control.OnWrite!;
        _control.OnWrite = (path, value) =>
        {
            portOnly(path, value);
            // This hub cuts every port: the relay re-enumerates too.
            if (path == _tree.DisableFile(Port) && value == "1")
            {
                _tree.Unplug("1-1.2");
                _clock.After(400, () => _tree.Replug(relay, 13));
            }
        };
        var r = Reset("534d:2109", UsbResetMethod.Power, yes: true);

        Assert.True(r.CameBack);
        Assert.Equal("1-1.2", Assert.Single(r.Disturbed).PortPath);
    }

    [Fact]
    public void ARaspberryPi4sOnboardHubIsGangedWhateverItsDescriptorSays()
    {
        _tree.SetBoardModel("Raspberry Pi 4 Model B Rev 1.4");
        using var pi = new UsbTree();
        pi.SetBoardModel("Raspberry Pi 4 Model B Rev 1.4");
        pi.AddRootHub(1, 1);
        pi.AddHub("1-1", 1, 2, 4, vid: 0x2109, pid: 0x3431);
        pi.Plug(UsbTree.Capture());
        var control = new FakeUsbControl();
        control.HubDescriptors[Path.Combine(pi.Fx.DevRoot, "bus", "usb", "001", "002")] = FakeUsbControl.Usb2Hub(4, 0x0009);
        var service = UsbTestKit.Service(pi, control, new ScriptedClock());

        var e = Assert.Throws<UsageException>(() => service.Reset("534d:2109", UsbTestKit.Options(UsbResetMethod.Power)));
        Assert.Contains("on a Raspberry Pi 4 Model B Rev 1.4 all onboard USB ports share one power switch", e.Message);
    }

    [Fact]
    public void PowerWhereTheHubCannotSwitchIsRefused()
    {
        _control.HubDescriptors[Hub] = FakeUsbControl.Usb2Hub(4, 0x000a);
        var e = Assert.Throws<OperationFailedException>(() => Reset("534d:2109", UsbResetMethod.Power));
        Assert.Contains("hub 1-1 reports no port power switching", e.Message);
    }

    [Fact]
    public void PowerWhereTheHubDescriptorIsUnreadableNeedsYes()
    {
        var e = Assert.Throws<UsageException>(() => Reset("534d:2109", UsbResetMethod.Power));
        Assert.Contains("could not be read", e.Message);
        Assert.Contains("cannot tell", e.Message);
    }

    [Fact]
    public void PowerThatNeverTookTheDeviceAwayIsNotCalledASuccess()
    {
        PerPortHub();
        var r = Reset("534d:2109", UsbResetMethod.Power, seconds: 1);
        Assert.False(r.CameBack);
        Assert.Contains("it never went away", r.Problem);
        Assert.Equal("0", File.ReadAllText(_tree.DisableFile(Port)).Trim());
    }

    [Fact]
    public void PowerBeforeLinux6GoesThroughTheHubsUsbdevfsNode()
    {
        using var old = UsbTestKit.KvmBox(disableFiles: false);
        var control = new FakeUsbControl();
        var clock = new ScriptedClock();
        string hub = Path.Combine(old.Fx.DevRoot, "bus", "usb", "001", "002");
        control.HubDescriptors[hub] = FakeUsbControl.Usb2Hub(4, 0x0009);
        var spec = old.Spec(Port);
        control.OnPortPower = (node, port, on) =>
        {
            if (!on)
            {
                // hub_wq notices the port change a little later and disconnects the device.
                clock.After(100, () => old.Unplug(Port));
            }
            else
            {
                clock.After(300, () => old.Replug(spec, 7));
            }
        };
        var r = Assert.Single(UsbTestKit.Service(old, control, clock).Reset("534d:2109", UsbTestKit.Options(UsbResetMethod.Power)));

        Assert.Equal([$"hub-descriptor {hub}", $"port-power {hub} 4 off", $"port-power {hub} 4 on"], control.Calls);
        Assert.True(r.CameBack);
        Assert.Equal(7, r.After!.DeviceNumber);
        Assert.Contains("with Clear/SetPortFeature(PORT_POWER)", r.Evidence);
    }

    [Fact]
    public void PowerNeedsRootForTheDisableFile()
    {
        PerPortHub();
        _control.Denied.Add(_tree.DisableFile(Port));
        var e = Assert.Throws<PermissionDeniedException>(() => Reset("534d:2109", UsbResetMethod.Power));
        Assert.Contains("sudo kvmtool usb reset 534d:2109 --method power", e.Hint);
    }

    [Fact]
    public void PowerBringsBackAConfiguredDeviceThatFellOffTheBus()
    {
        PerPortHub();
        var spec = _tree.Spec(Port);
        _tree.Unplug(Port);
        _control.OnWrite = (path, value) =>
        {
            if (path == _tree.DisableFile(Port) && value == "0")
            {
                _clock.After(300, () => _tree.Replug(spec, 30));
            }
        };
        var config = new UsbConfig { Devices = { ["capture"] = new UsbDeviceConfig { Id = "534d:2109", UsbPort = Port, ResetMethod = "power" } } };
        var r = Assert.Single(Service(config).Reset("capture", new UsbResetOptions()));

        Assert.Null(r.Before);
        Assert.True(r.CameBack);
        Assert.Equal(30, r.After!.DeviceNumber);
        Assert.Equal(UsbResetMethod.Power, r.Method);
    }

    [Fact]
    public void AnEmptyPortIsNotFoundForMethodsThatNeedTheDevice()
    {
        _tree.Unplug(Port);
        var e = Assert.Throws<NotFoundException>(() => Reset("1-1.4", UsbResetMethod.Ioctl));
        Assert.Contains("No USB device matches 1-1.4", e.Message);
    }

    // auto

    [Fact]
    public void AutoClimbsUntilTheDeviceIsBack()
    {
        string probe = _tree.Fx.Sys("bus", "usb", "drivers_probe");
        // The reset leaves uvcvideo unbound; the rebind step brings it back.
        _control.OnReset = _ => _tree.Unbind(Port, "1.0");
        _control.OnWrite = (path, value) =>
        {
            if (path.EndsWith("/unbind", StringComparison.Ordinal))
            {
                string number = value[(Port.Length + 1)..];
                _tree.Unbind(Port, number);
            }
            else if (path == probe)
            {
                _tree.Bind(Port, value[(Port.Length + 1)..]);
            }
        };
        var r = Reset("534d:2109", UsbResetMethod.Auto, seconds: 1);

        Assert.True(r.CameBack);
        Assert.Equal(UsbResetMethod.Auto, r.Method);
        Assert.Equal(UsbResetMethod.Rebind, r.SucceededWith);
        Assert.Equal([(UsbResetMethod.Ioctl, UsbAttemptOutcome.NotBack), (UsbResetMethod.Rebind, UsbAttemptOutcome.Back)],
            r.Attempts.Select(a => (a.Method, a.Outcome)));
        Assert.Contains("uvcvideo is not bound", r.Attempts[0].Detail);
    }

    [Fact]
    public void AutoSkipsPowerOnAGangedHubWithoutYesAndSaysSo()
    {
        GangedHub();
        _control.OnReset = _ => _tree.Unplug(Port);
        var r = Reset("534d:2109", UsbResetMethod.Auto, seconds: 1);

        Assert.False(r.CameBack);
        Assert.Equal(
            [
                (UsbResetMethod.Ioctl, UsbAttemptOutcome.NotBack), (UsbResetMethod.Rebind, UsbAttemptOutcome.Skipped),
                (UsbResetMethod.Authorize, UsbAttemptOutcome.Skipped), (UsbResetMethod.Power, UsbAttemptOutcome.Skipped),
            ],
            r.Attempts.Select(a => (a.Method, a.Outcome)));
        Assert.Contains("--yes", r.Attempts[3].Detail);
        Assert.Contains("is not back after trying ioctl (not back), rebind (skipped), authorize (skipped), power (skipped)", r.Problem);
        Assert.Contains("Re-plug", r.Hint);
    }

    [Fact]
    public void AutoWithNoPrivilegesAtAllIsAPermissionError()
    {
        PerPortHub();
        _control.Denied.Add(_tree.DevfsNode(Port));
        _control.Denied.Add(_tree.AuthorizedFile(Port));
        _control.Denied.Add(_tree.Fx.Sys("bus", "usb", "drivers_probe"));
        _control.Denied.Add(_tree.DisableFile(Port));
        var e = Assert.Throws<PermissionDeniedException>(() => Reset("534d:2109", UsbResetMethod.Auto));
        Assert.Contains("No reset method could be used", e.Message);
        Assert.Contains("60-kvmtool.rules", e.Hint);
        Assert.DoesNotContain(_control.Calls, c => !c.StartsWith("hub-descriptor", StringComparison.Ordinal));
    }

    // options and selection

    [Fact]
    public void SeveralMatchesAreRefusedUnlessAll()
    {
        _tree.Plug(UsbTree.Capture(port: "1-1.3", dev: 9, video: 2, card: 2, alias: null));
        Assert.Throws<UsageException>(() => Reset("534d:2109", UsbResetMethod.Ioctl));
        Assert.Empty(_control.Calls);

        var results = Service().Reset("534d:2109", UsbTestKit.Options(UsbResetMethod.Ioctl, all: true));
        Assert.Equal(["1-1.3", "1-1.4"], results.Select(r => r.PortPath));
        Assert.All(results, r => Assert.True(r.CameBack));
        Assert.Equal(["reset " + _tree.DevfsNode("1-1.3"), "reset " + _tree.DevfsNode(Port)], _control.Calls);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(31)]
    public void TimeoutsOutsideTheRangeAreUsageErrors(double seconds) =>
        Assert.Throws<UsageException>(() => Reset("534d:2109", UsbResetMethod.Ioctl, seconds));

    [Fact]
    public void ANamedDevicesResetMethodIsTheDefault()
    {
        var config = new UsbConfig { Devices = { ["capture"] = new UsbDeviceConfig { UsbPort = Port, ResetMethod = "authorize" } } };
        _control.OnWrite = (path, value) =>
        {
            if (value == "0")
            {
                _tree.Deconfigure(Port);
            }
            else
            {
                _tree.Configure(Port);
            }
        };
        var r = Assert.Single(Service(config).Reset("capture", new UsbResetOptions()));
        Assert.Equal(UsbResetMethod.Authorize, r.Method);
        Assert.True(r.CameBack);

        var overridden = Assert.Single(Service(config).Reset("capture", new UsbResetOptions(UsbResetMethod.Ioctl)));
        Assert.Equal(UsbResetMethod.Ioctl, overridden.Method);
    }

    [Fact]
    public void TheResetHoldsThePortsLockFile()
    {
        bool lockExisted = false;
        _control.OnReset = _ => lockExisted = File.Exists(Path.Combine(_tree.Fx.RuntimeDir, "locks", "usb-1-1.4.lock"));
        Reset("534d:2109", UsbResetMethod.Ioctl);
        Assert.True(lockExisted);
    }
}
