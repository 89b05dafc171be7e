using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>The dongle is on the USB bus and authorized (a de-authorized device has no drivers bound).</summary>
public sealed class UsbPresenceProbe(CaptureDeviceLocator locator) : IWatchdogProbe
{
    public string Name => "usb";

    /// <summary>Only sysfs reads: never slow.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(2);

    public ProbeResult Check(Deadline deadline)
    {
        var device = locator.Find();
        string? authorized = SysfsFile.ReadTrimmed(Path.Combine(device.SysPath, "authorized"));
        string where = $"{device.Id} at {device.PortPath} (bus {device.BusNumber} device {device.DeviceNumber})";
        return authorized == "0"
            ? ProbeResult.Failed($"{where} is on the bus but not authorized (no driver can use it)")
            : ProbeResult.Ok($"{where}, authorized");
    }
}

/// <summary>The video node exists, opens, and answers VIDIOC_QUERYCAP as a capture device.</summary>
public sealed class VideoNodeProbe(SystemPaths paths, string? configuredNode, CaptureDeviceLocator? locator) : IWatchdogProbe
{
    public string Name => "video";

    /// <summary>open() and one ioctl; a wedged driver answers within the kernel's own USB timeouts.</summary>
    public TimeSpan Timeout => TimeSpan.FromSeconds(5);

    public ProbeResult Check(Deadline deadline)
    {
        string node;
        if (configuredNode is not null)
        {
            node = paths.MapDevPath(configuredNode);
        }
        else if (locator is not null)
        {
            var device = locator.Find();
            node = locator.FindVideoNode(device)
                ?? throw new NotFoundException($"{device.Id} at {device.PortPath} has no video node (its uvcvideo driver is not bound).",
                    "A USB reset usually brings it back; 'dmesg' says why the driver let go.");
        }
        else
        {
            throw new UsageException("The video check needs 'video:', 'id:' or 'usb-port:' in the watchdog's capture section.");
        }
        if (!File.Exists(node))
        {
            throw new NotFoundException($"The video node {node} does not exist.", "The capture device is gone or its driver is not bound.");
        }
        // A node that is no video device, or not a capture one, is a configuration mistake that no reset can fix.
        if (V4l2.TryQueryCapabilities(node) is not { } caps)
        {
            return ProbeResult.Unknown($"{node} is not a V4L2 video device; point the watchdog's 'video:' at the capture node");
        }
        if (!caps.CanCapture)
        {
            return ProbeResult.Unknown($"{node} ({caps.Driver}, \"{caps.Card}\") cannot capture video (a metadata node?); point 'video:' at the capture node");
        }
        return ProbeResult.Ok($"{node}: {caps.Driver}, \"{caps.Card}\", {caps.BusInfo}");
    }
}
