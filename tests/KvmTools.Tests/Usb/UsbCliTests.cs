using System.Text.Json;
using KvmTools.Cli;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Usb;

/// <summary>The command line over fixture trees, with the real kernel calls (which fixture files answer with errors).</summary>
public sealed class UsbCliTests : IDisposable
{
    private readonly UsbTree _tree = UsbTestKit.KvmBox();

    public void Dispose() => _tree.Dispose();

    private CliRun Run(params string[] args) => CliRunner.Run(CliRunner.EnvFor(_tree.Fx), args);

    private CliRun RunWithConfig(string yaml, params string[] args)
    {
        string config = Path.Combine(_tree.Fx.Root, "usb.yaml");
        File.WriteAllText(config, yaml);
        return CliRunner.Run(CliRunner.EnvFor(_tree.Fx, config), args);
    }

    [Fact]
    public void ListWithNoUsbBusSaysSoAndSucceeds()
    {
        using var fx = new SysfsFixture();
        Directory.Delete(fx.Sys("bus", "usb"), recursive: true);
        var run = CliRunner.Run(CliRunner.EnvFor(fx), "usb", "list");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        Assert.Contains("No USB devices found", run.Out);
        Assert.Equal("", run.Err);

        var json = CliRunner.Run(CliRunner.EnvFor(fx), "usb", "list", "--json");
        Assert.Equal(ExitCodes.Ok, json.ExitCode);
        Assert.Equal("[]", json.Out.Trim());
    }

    [Fact]
    public void ListPrintsATableWithNodesSymlinksAndNames()
    {
        var run = RunWithConfig("usb:\n  devices:\n    capture:\n      id: \"534d:2109\"\n", "usb", "list");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        string[] lines = run.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("BUS/DEV", lines[0]);
        string capture = lines.Single(l => l.Contains("534d:2109"));
        Assert.Contains("001/005", capture);
        Assert.Contains("1-1.4", capture);
        Assert.Contains("480M", capture);
        Assert.Contains("uvcvideo,snd-usb-audio", capture);
        Assert.Contains("video0 (kvmd-video), video1, snd/controlC1, snd/pcmC1D0c", capture);
        Assert.Contains("capture", capture);
        Assert.Contains("MACROSILICON USB Video", capture);
        Assert.Contains("hidraw0 (kvmd-hid)", lines.Single(l => l.Contains("5131:2007")));
    }

    [Fact]
    public void ListJsonHasEveryField()
    {
        var run = RunWithConfig("usb:\n  devices:\n    capture:\n      usb-port: \"1-1.4\"\n", "usb", "list", "--json");
        Assert.Equal(ExitCodes.Ok, run.ExitCode);
        using var doc = JsonDocument.Parse(run.Out);
        var capture = doc.RootElement.EnumerateArray().Single(d => d.GetProperty("portPath").GetString() == "1-1.4");
        Assert.Equal(1, capture.GetProperty("busNumber").GetInt32());
        Assert.Equal(5, capture.GetProperty("deviceNumber").GetInt32());
        Assert.Equal("534d", capture.GetProperty("vendorId").GetString());
        Assert.Equal("2109", capture.GetProperty("productId").GetString());
        Assert.Equal("480", capture.GetProperty("speedMbps").GetString());
        Assert.True(capture.GetProperty("authorized").GetBoolean());
        Assert.Equal(_tree.DevfsNode("1-1.4"), capture.GetProperty("devfsPath").GetString());
        Assert.Equal(["capture"], capture.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        var video0 = capture.GetProperty("nodes")[0];
        Assert.Equal(Path.Combine(_tree.Fx.DevRoot, "video0"), video0.GetProperty("path").GetString());
        Assert.Equal("video4linux", video0.GetProperty("subsystem").GetString());
        Assert.Equal(Path.Combine(_tree.Fx.DevRoot, "kvmd-video"), video0.GetProperty("aliases")[0].GetString());
        Assert.Equal("uvcvideo", capture.GetProperty("interfaces")[0].GetProperty("driver").GetString());
        Assert.Equal("0e", capture.GetProperty("interfaces")[0].GetProperty("class").GetString());
    }

    [Fact]
    public void ResetWithNoMatchExitsThreeAndListsWhatIsThere()
    {
        var run = Run("usb", "reset", "046d:c31c");
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains("No USB device matches 046d:c31c", run.Err);
        Assert.Contains("534d:2109", run.Err);
        Assert.Contains("fix:", run.Err);
    }

    [Fact]
    public void ResetOfAmbiguousDevicesExitsTwoAndListsThem()
    {
        _tree.Plug(UsbTree.Capture(port: "1-1.3", dev: 9, video: 2, card: 2, alias: null));
        var run = Run("usb", "reset", "534d:2109");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("2 USB devices match 534d:2109", run.Err);
        Assert.Contains("at 1-1.3 ", run.Err);
        Assert.Contains("at 1-1.4 ", run.Err);
        Assert.Contains("--all", run.Err);
    }

    [Fact]
    public void ResetRunsTheRealIoctlAndDoesNotClaimSuccessWhenItFails()
    {
        // The fixture's usbdevfs node is a regular file: the kernel answers USBDEVFS_RESET with ENOTTY.
        var run = Run("usb", "reset", "/dev/kvmd-video");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("USBDEVFS_RESET", run.Err);
        Assert.Contains(_tree.DevfsNode("1-1.4"), run.Err);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public void ResetOfANamedDeviceResolvesTheName()
    {
        var run = RunWithConfig("usb:\n  devices:\n    capture:\n      id: \"534d:2109\"\n      usb-port: \"1-1.4\"\n", "usb", "reset", "capture");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains(_tree.DevfsNode("1-1.4"), run.Err);
    }

    [Fact]
    public void PowerOnAHubThatCannotBeAskedNeedsYes()
    {
        // The fixture cannot answer GetHubDescriptor, so kvmtool cannot tell whether the port switches alone.
        var run = Run("usb", "reset", "1-1.4", "--method", "power");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("cannot tell whether port 4 of hub 1-1 switches on its own", run.Err);
        Assert.Contains("5131:2007", run.Err);
        Assert.Contains("--yes", run.Err);
        Assert.Equal("0", File.ReadAllText(_tree.DisableFile("1-1.4")).Trim());
    }

    [Theory]
    [InlineData("--method", "reboot")]
    [InlineData("--timeout", "abc")]
    public void BadOptionsAreUsageErrors(string option, string value)
    {
        var run = Run("usb", "reset", "534d:2109", option, value);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(value, run.Err);
    }

    [Fact]
    public void ATimeoutBeyondTheLimitIsAUsageError()
    {
        var run = Run("usb", "reset", "534d:2109", "--timeout", "45");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("--timeout between 0.1 and 30", run.Err);
    }

    [Fact]
    public void ResetNeedsASelector()
    {
        var run = Run("usb", "reset");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("selector", run.Err);
    }
}

/// <summary>'usb status', the capture-healthy indicator kvmd polls: sysfs only, exit 0 only when present and authorized.</summary>
public sealed class UsbStatusTests : IDisposable
{
    private readonly UsbTree _tree = UsbTestKit.KvmBox();

    public void Dispose() => _tree.Dispose();

    private CliRun Status(string selector)
    {
        string config = Path.Combine(_tree.Fx.Root, "usb.yaml");
        File.WriteAllText(config, "usb:\n  devices:\n    capture:\n      id: \"534d:2109\"\n      usb-port: \"1-1.4\"\n");
        return CliRunner.Run(CliRunner.EnvFor(_tree.Fx, config), "usb", "status", selector);
    }

    [Fact]
    public void APresentAuthorizedDeviceIsHealthy()
    {
        var run = Status("capture");
        Assert.Equal((ExitCodes.Ok, "present"), (run.ExitCode, run.Out.Trim()));
        Assert.Equal(ExitCodes.Ok, Status("534d:2109").ExitCode);
    }

    [Fact]
    public void ADeauthorizedDeviceIsNot()
    {
        File.WriteAllText(_tree.AuthorizedFile("1-1.4"), "0\n");
        var run = Status("capture");
        Assert.Equal((ExitCodes.Failed, "not authorized"), (run.ExitCode, run.Out.Trim()));
    }

    [Fact]
    public void AMissingDeviceIsAnAnswerNotAnError()
    {
        _tree.Unplug("1-1.4");
        var run = Status("capture");
        Assert.Equal((ExitCodes.Failed, "missing"), (run.ExitCode, run.Out.Trim()));
        Assert.Equal("", run.Err);
    }
}
