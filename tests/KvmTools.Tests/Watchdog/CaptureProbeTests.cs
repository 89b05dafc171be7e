using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Watchdog;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Watchdog;

public sealed class CaptureProbeTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    /// <summary>Adds /sys/class/video4linux/videoN below the USB device's first interface, as uvcvideo makes it.</summary>
    private string AddVideo(string usbDir, string port, int number, int index)
    {
        string node = Path.Combine(usbDir, port + ":1.0", "video4linux", "video" + number);
        Directory.CreateDirectory(node);
        File.WriteAllText(Path.Combine(node, "index"), index + "\n");
        string classDir = _fx.Sys("class", "video4linux");
        Directory.CreateDirectory(classDir);
        File.CreateSymbolicLink(Path.Combine(classDir, "video" + number), Path.GetRelativePath(classDir, node));
        string dev = Path.Combine(_fx.DevRoot, "video" + number);
        File.WriteAllText(dev, "");
        return dev;
    }

    private CaptureDeviceLocator Locator(string? id = "534d:2109", string? port = null) =>
        new(_fx.Paths, CaptureSelector.Parse(id, port));

    [Fact]
    public void TheDongleIsFoundByIdOrPortAndIsOk()
    {
        _fx.AddUsbDevice("1-1.2", 1, 4, 0x534d, 0x2109, product: "USB Video");
        _fx.AddUsbDevice("1-1.4", 1, 5, 0x5131, 0x2007);
        var byId = new UsbPresenceProbe(Locator()).Check(Deadline.After(TimeSpan.FromSeconds(1)));
        Assert.Equal(ProbeStatus.Ok, byId.Status);
        Assert.Equal("534d:2109 at 1-1.2 (bus 1 device 4), authorized", byId.Detail);
        Assert.Equal("1-1.2", Locator(id: null, port: "1-1.2").Find().PortPath);
        Assert.Throws<NotFoundException>(() => Locator(port: "1-1.4").Find());
    }

    [Fact]
    public void AnAbsentDongleIsNotFound()
    {
        var e = Assert.Throws<NotFoundException>(() => new UsbPresenceProbe(Locator()).Check(Deadline.After(TimeSpan.FromSeconds(1))));
        Assert.Equal("The capture device 534d:2109 is not on the USB bus.", e.Message);
    }

    [Fact]
    public void ADeauthorizedDongleFails()
    {
        string dir = _fx.AddUsbDevice("1-1.2", 1, 4, 0x534d, 0x2109);
        File.WriteAllText(Path.Combine(dir, "authorized"), "0\n");
        var result = new UsbPresenceProbe(Locator()).Check(Deadline.After(TimeSpan.FromSeconds(1)));
        Assert.Equal(ProbeStatus.Failed, result.Status);
        Assert.Contains("not authorized", result.Detail);
    }

    [Fact]
    public void TwoDonglesWithOneIdAreAmbiguous()
    {
        _fx.AddUsbDevice("1-1.2", 1, 4, 0x534d, 0x2109);
        _fx.AddUsbDevice("1-1.3", 1, 6, 0x534d, 0x2109);
        var e = Assert.Throws<UsageException>(() => Locator().Find());
        Assert.Contains("1-1.2, 534d:2109 at 1-1.3", e.Message);
        Assert.Contains("usb-port:", e.Hint);
    }

    [Fact]
    public void TheCaptureNodeIsTheOneWithIndexZeroUnderTheDongle()
    {
        string dir = _fx.AddUsbDevice("1-1.2", 1, 4, 0x534d, 0x2109);
        string other = _fx.AddUsbDevice("1-1.3", 1, 6, 0x046d, 0x0825);
        AddVideo(other, "1-1.3", 0, 0);
        AddVideo(dir, "1-1.2", 2, 0);
        AddVideo(dir, "1-1.2", 3, 1);
        var locator = Locator();
        Assert.Equal(Path.Combine(_fx.DevRoot, "video2"), locator.FindVideoNode(locator.Find()));
    }

    [Fact]
    public void TheVideoCheckFailsWhenTheDongleHasNoNode()
    {
        _fx.AddUsbDevice("1-1.2", 1, 4, 0x534d, 0x2109);
        var e = Assert.Throws<NotFoundException>(() => new VideoNodeProbe(_fx.Paths, null, Locator()).Check(Deadline.After(TimeSpan.FromSeconds(1))));
        Assert.Contains("has no video node", e.Message);
    }

    [Fact]
    public void TheVideoCheckFailsWhenTheConfiguredNodeIsMissing()
    {
        var e = Assert.Throws<NotFoundException>(() => new VideoNodeProbe(_fx.Paths, "/dev/kvmd-video", null).Check(Deadline.After(TimeSpan.FromSeconds(1))));
        Assert.Equal($"The video node {Path.Combine(_fx.DevRoot, "kvmd-video")} does not exist.", e.Message);
    }

    [Fact]
    public void ANodeThatIsNoVideoDeviceCannotTellAndSaysWhy()
    {
        // The fixture's node is a plain file: it opens, and VIDIOC_QUERYCAP is refused as on any non-V4L2 file.
        string dir = _fx.AddUsbDevice("1-1.2", 1, 4, 0x534d, 0x2109);
        AddVideo(dir, "1-1.2", 0, 0);
        var result = new VideoNodeProbe(_fx.Paths, null, Locator()).Check(Deadline.After(TimeSpan.FromSeconds(1)));
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Equal($"{Path.Combine(_fx.DevRoot, "video0")} is not a V4L2 video device; point the watchdog's 'video:' at the capture node", result.Detail);
    }

    [Fact]
    public void SelectorsParseAndDescribe()
    {
        Assert.Equal("534d:2109 at 1-1.2", CaptureSelector.Parse("534d:2109", "1-1.2").Describe());
        Assert.Equal("1-1.2", CaptureSelector.Parse(null, "1-1.2").Describe());
        Assert.Throws<UsageException>(() => CaptureSelector.Parse("534d2109", null));
        Assert.False(CaptureSelector.TryParseId("534d:21090", out _, out _));
    }
}
