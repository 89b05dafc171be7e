using System.Buffers.Binary;

namespace KvmTools.Core.Linux;

/// <summary>The report-level operations a relay board needs from a HID device.</summary>
public interface IHidDevice : IDisposable
{
    string Path { get; }

    /// <summary>Writes an output report exactly as given (for devices without report IDs, no leading ID byte).</summary>
    void WriteOutputReport(ReadOnlySpan<byte> report);

    /// <summary>Sends a feature report; the first byte is the report number (0 when the device has none).</summary>
    void SendFeatureReport(ReadOnlySpan<byte> report);

    /// <summary>Reads a feature report into <paramref name="buffer"/> whose first byte is the report number.</summary>
    int GetFeatureReport(Span<byte> buffer);
}

/// <summary>/dev/hidrawN through the kernel's hidraw ioctls (linux/hidraw.h).</summary>
public sealed class HidrawDevice : IHidDevice
{
    /// <summary>USB HID transfers are bounded by the kernel at 5 s; a little more than that covers queueing.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(6);

    private readonly DeviceFile _file;
    private readonly TimeSpan _timeout;

    private HidrawDevice(DeviceFile file, TimeSpan timeout)
    {
        _file = file;
        _timeout = timeout;
    }

    public string Path => _file.Path;

    /// <summary>
    /// Opens the node and checks with HIDIOCGRAWINFO that it is still the device enumeration found:
    /// hidraw numbers are reused when devices come and go between listing and opening.
    /// </summary>
    public static HidrawDevice Open(string path, ushort vendorId, ushort productId, TimeSpan? timeout = null)
    {
        var file = DeviceFile.Open(path);
        try
        {
            var (_, vid, pid) = GetRawInfo(file);
            if (vid != vendorId || pid != productId)
            {
                throw new NotFoundException(
                    $"{path} is now {vid:x4}:{pid:x4}, not the {vendorId:x4}:{productId:x4} board that was found a moment ago.",
                    "Devices were re-plugged while kvmtool ran; run the command again.");
            }
            return new HidrawDevice(file, timeout ?? DefaultTimeout);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>HIDIOCGRAWINFO: bus type, vendor and product of an open hidraw node.</summary>
    public static (uint Bus, ushort Vendor, ushort Product) GetRawInfo(DeviceFile file)
    {
        Span<byte> info = stackalloc byte[8];
        file.Ioctl(LibC.Ioc(2, 'H', 0x03, 8), info, "HIDIOCGRAWINFO");
        return (BinaryPrimitives.ReadUInt32LittleEndian(info),
            BinaryPrimitives.ReadUInt16LittleEndian(info[4..]),
            BinaryPrimitives.ReadUInt16LittleEndian(info[6..]));
    }

    public void WriteOutputReport(ReadOnlySpan<byte> report) => _file.Write(report, Deadline.After(_timeout));

    public void SendFeatureReport(ReadOnlySpan<byte> report)
    {
        Span<byte> buffer = stackalloc byte[report.Length];
        report.CopyTo(buffer);
        _file.Ioctl(LibC.Ioc(3, 'H', 0x06, (uint)buffer.Length), buffer, "HIDIOCSFEATURE");
    }

    public int GetFeatureReport(Span<byte> buffer) =>
        _file.Ioctl(LibC.Ioc(3, 'H', 0x07, (uint)buffer.Length), buffer, "HIDIOCGFEATURE");

    public void Dispose() => _file.Dispose();
}
