using KvmTools.Core.Linux;

namespace KvmTools.Core.Usb;

/// <summary>
/// Every change a USB reset makes to the system, behind one seam: tests run the reset logic against fixture
/// sysfs trees and watch what it writes; the tool uses <see cref="SystemUsbControl"/>.
/// </summary>
public interface IUsbControl
{
    /// <summary>Whether this user may write the file (a usbdevfs node or a sysfs attribute).</summary>
    bool CanWrite(string path);

    /// <summary>USBDEVFS_RESET on /dev/bus/usb/BBB/DDD.</summary>
    void ResetDevice(string devfsNode);

    /// <summary>Writes a sysfs attribute: authorized, a driver's bind/unbind, drivers_probe, a port's disable.</summary>
    void WriteAttribute(string path, string value);

    /// <summary>The hub's class descriptor through usbdevfs, or null when it cannot be read.</summary>
    byte[]? ReadHubDescriptor(string hubDevfsNode, bool superSpeed);

    /// <summary>Set/ClearPortFeature(PORT_POWER) through the hub's usbdevfs node (kernels before 6.0).</summary>
    void SetPortPower(string hubDevfsNode, int port, bool on);
}

/// <summary>The real thing: usbdevfs ioctls and sysfs writes.</summary>
public sealed class SystemUsbControl : IUsbControl
{
    /// <summary>Hubs answer class requests in microseconds; one second bounds a sick one.</summary>
    public static readonly TimeSpan HubRequestTimeout = TimeSpan.FromSeconds(1);

    public bool CanWrite(string path) => SysfsWriter.CanWrite(path);

    public void ResetDevice(string devfsNode) => UsbDevfs.Reset(devfsNode);

    public void WriteAttribute(string path, string value) => SysfsWriter.Write(path, value);

    public byte[]? ReadHubDescriptor(string hubDevfsNode, bool superSpeed)
    {
        var buffer = new byte[HubRequests.DescriptorLength];
        try
        {
            int n = UsbDevfs.Control(hubDevfsNode, HubRequests.GetHubDescriptor(superSpeed), buffer, HubRequestTimeout, "GetHubDescriptor");
            return buffer[..Math.Clamp(n, 0, buffer.Length)];
        }
        catch (KvmToolException)
        {
            return null;
        }
    }

    public void SetPortPower(string hubDevfsNode, int port, bool on) =>
        UsbDevfs.Control(hubDevfsNode, on ? HubRequests.SetPortPower(port) : HubRequests.ClearPortPower(port), [],
            HubRequestTimeout, on ? "SetPortFeature(PORT_POWER)" : "ClearPortFeature(PORT_POWER)");
}

/// <summary>Time as a reset sees it: the monotonic clock and real sleeps in the tool, a scripted clock in tests.</summary>
public interface IResetClock
{
    TimeSpan Elapsed { get; }

    void Sleep(TimeSpan interval);
}

public sealed class SystemResetClock : IResetClock
{
    private readonly long _start = System.Diagnostics.Stopwatch.GetTimestamp();

    public TimeSpan Elapsed => System.Diagnostics.Stopwatch.GetElapsedTime(_start);

    public void Sleep(TimeSpan interval) => Thread.Sleep(interval);
}
