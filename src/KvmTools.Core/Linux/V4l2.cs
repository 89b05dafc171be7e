using System.Runtime.InteropServices;
using System.Text;

namespace KvmTools.Core.Linux;

/// <summary>What VIDIOC_QUERYCAP says about a video node (struct v4l2_capability).</summary>
public sealed record V4l2Capability(string Driver, string Card, string BusInfo, uint Version, uint Capabilities, uint DeviceCaps)
{
    public const uint CapVideoCapture = 0x00000001;
    public const uint CapVideoCaptureMplane = 0x00001000;
    public const uint CapDeviceCaps = 0x80000000;

    /// <summary>The node's own capabilities: device_caps when the driver fills it in, else the whole device's.</summary>
    public uint NodeCaps => (Capabilities & CapDeviceCaps) != 0 ? DeviceCaps : Capabilities;

    /// <summary>True for a node that delivers video frames (not a UVC metadata node).</summary>
    public bool CanCapture => (NodeCaps & (CapVideoCapture | CapVideoCaptureMplane)) != 0;
}

/// <summary>The one V4L2 call kvmtool makes: "are you a working video device?".</summary>
public static class V4l2
{
    /// <summary>sizeof(struct v4l2_capability): driver[16] card[32] bus_info[32] version capabilities device_caps reserved[3].</summary>
    internal const int CapabilitySize = 104;

    /// <summary>VIDIOC_QUERYCAP = _IOR('V', 0, struct v4l2_capability).</summary>
    internal static readonly nuint VidiocQuerycap = LibC.Ioc(2, 'V', 0, CapabilitySize);

    /// <summary>
    /// Opens <paramref name="path"/> (non-blocking, so a wedged driver cannot hold the open) and asks it VIDIOC_QUERYCAP.
    /// Opening a node that a streamer is using is allowed by V4L2 and does not disturb the stream.
    /// </summary>
    public static V4l2Capability QueryCapabilities(string path) =>
        TryQueryCapabilities(path) ?? throw new OperationFailedException(
            $"{path} is not a V4L2 video device (it does not answer VIDIOC_QUERYCAP).",
            "Point the watchdog's 'video:' at the capture node ('ls -l /dev/video* /dev/kvmd-video' shows them).");

    /// <summary>As <see cref="QueryCapabilities"/>, but null when the node opens and is not a V4L2 device at all.</summary>
    public static V4l2Capability? TryQueryCapabilities(string path)
    {
        using var file = DeviceFile.Open(path, write: true);
        Span<byte> buffer = stackalloc byte[CapabilitySize];
        buffer.Clear();
        int errno = Ioctl(file, buffer);
        if (errno == LibC.ENOTTY || errno == LibC.EINVAL)
        {
            return null;
        }
        if (errno != 0)
        {
            throw LinuxErrors.FromErrno(errno, "VIDIOC_QUERYCAP on", path);
        }
        return Parse(buffer);
    }

    /// <summary>The ioctl with its errno returned (0 on success), so "not a video device" can be told apart.</summary>
    private static unsafe int Ioctl(DeviceFile file, Span<byte> buffer)
    {
        while (true)
        {
            int r;
            fixed (byte* p = buffer)
            {
                r = LibC.Ioctl(file.Fd, VidiocQuerycap, p);
            }
            if (r >= 0)
            {
                return 0;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
            {
                return errno;
            }
        }
    }

    internal static V4l2Capability Parse(ReadOnlySpan<byte> b) => new(
        CString(b[..16]),
        CString(b[16..48]),
        CString(b[48..80]),
        MemoryMarshal.Read<uint>(b[80..]),
        MemoryMarshal.Read<uint>(b[84..]),
        MemoryMarshal.Read<uint>(b[88..]));

    private static string CString(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
