using KvmTools.Core.Linux;

namespace KvmTools.Tests.Fakes;

/// <summary>An LCUS board's hidraw node: it records output reports and never answers, like the real board.</summary>
public sealed class RecordingHidDevice(string path = "/dev/hidraw0") : IHidDevice
{
    public List<byte[]> Reports { get; } = [];

    public Exception? FailWith { get; set; }

    public string Path => path;

    public void WriteOutputReport(ReadOnlySpan<byte> report)
    {
        if (FailWith is not null)
        {
            throw FailWith;
        }
        Reports.Add(report.ToArray());
    }

    public void SendFeatureReport(ReadOnlySpan<byte> report) => throw new InvalidOperationException("LCUS boards have no feature reports.");

    public int GetFeatureReport(Span<byte> buffer) => throw new InvalidOperationException("LCUS boards have no feature reports.");

    public void Dispose()
    {
    }
}

/// <summary>
/// A dcttech USBRelay board as its firmware behaves: FF/FD n switch relay n, FE/FC switch all, and the
/// 8-byte feature report carries the 5-character id and the state bitmask in byte 7.
/// </summary>
public sealed class DcttechSimulator(string id = "ABCDE", int channels = 2) : IHidDevice
{
    public byte Mask { get; set; }

    /// <summary>When set, commands are acknowledged but no relay moves (a board with a dead coil driver).</summary>
    public bool Stuck { get; set; }

    public List<byte[]> Sent { get; } = [];

    public string Path => "/dev/hidraw1";

    public void WriteOutputReport(ReadOnlySpan<byte> report) => throw new InvalidOperationException("USBRelay boards take feature reports.");

    public void SendFeatureReport(ReadOnlySpan<byte> report)
    {
        Sent.Add(report.ToArray());
        if (report.Length != 9 || report[0] != 0)
        {
            return; // the firmware ignores malformed requests
        }
        if (Stuck)
        {
            return;
        }
        byte mask = (byte)((1 << channels) - 1);
        switch (report[1])
        {
            case 0xFF when report[2] >= 1 && report[2] <= channels:
                Mask |= (byte)(1 << (report[2] - 1));
                break;
            case 0xFD when report[2] >= 1 && report[2] <= channels:
                Mask &= (byte)~(1 << (report[2] - 1));
                break;
            case 0xFE:
                Mask = mask;
                break;
            case 0xFC:
                Mask = 0;
                break;
        }
    }

    public int GetFeatureReport(Span<byte> buffer)
    {
        // With a non-zero report number the kernel returns the 8 data bytes from the start of the buffer.
        byte[] report = new byte[8];
        System.Text.Encoding.ASCII.GetBytes(id).AsSpan(0, Math.Min(5, id.Length)).CopyTo(report);
        report[7] = Mask;
        report.AsSpan(0, Math.Min(8, buffer.Length)).CopyTo(buffer);
        return Math.Min(8, buffer.Length);
    }

    public void Dispose()
    {
    }
}
