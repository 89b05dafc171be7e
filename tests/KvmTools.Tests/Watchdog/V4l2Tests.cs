using KvmTools.Core;
using KvmTools.Core.Linux;

namespace KvmTools.Tests.Watchdog;

public sealed class V4l2Tests
{
    [Fact]
    public void TheIoctlNumberIsTheKernels()
    {
        // _IOR('V', 0, struct v4l2_capability), as <linux/videodev2.h> defines it.
        Assert.Equal((nuint)0x80685600, V4l2.VidiocQuerycap);
    }

    [Fact]
    public void ACharacterDeviceThatIsNoVideoDeviceSaysSo()
    {
        Assert.Null(V4l2.TryQueryCapabilities("/dev/null"));
        var e = Assert.Throws<OperationFailedException>(() => V4l2.QueryCapabilities("/dev/null"));
        Assert.Equal("/dev/null is not a V4L2 video device (it does not answer VIDIOC_QUERYCAP).", e.Message);
        Assert.Contains("video:", e.Hint);
    }

    [Fact]
    public void AFixtureFileIsNoVideoDeviceEither()
    {
        string path = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<OperationFailedException>(() => V4l2.QueryCapabilities(path));
            Assert.Contains("is not a V4L2 video device", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AMissingNodeIsNotFound() =>
        Assert.Throws<NotFoundException>(() => V4l2.QueryCapabilities("/dev/video-kvmtool-test-none"));

    [Fact]
    public void TheCapabilityStructIsDecoded()
    {
        var raw = new byte[V4l2.CapabilitySize];
        "uvcvideo"u8.CopyTo(raw);
        "USB Video: USB Video"u8.CopyTo(raw.AsSpan(16));
        "usb-0000:01:00.0-1.2"u8.CopyTo(raw.AsSpan(48));
        BitConverter.GetBytes(0x00060100u).CopyTo(raw, 80);
        BitConverter.GetBytes(0x84A00001u).CopyTo(raw, 84);
        BitConverter.GetBytes(0x04200001u).CopyTo(raw, 88);
        var caps = V4l2.Parse(raw);
        Assert.Equal("uvcvideo", caps.Driver);
        Assert.Equal("USB Video: USB Video", caps.Card);
        Assert.Equal("usb-0000:01:00.0-1.2", caps.BusInfo);
        Assert.True(caps.CanCapture);

        // A UVC metadata node: device_caps says META_CAPTURE only.
        BitConverter.GetBytes(0x04800000u).CopyTo(raw, 88);
        Assert.False(V4l2.Parse(raw).CanCapture);
    }
}
