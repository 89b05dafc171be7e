using System.IO.Ports;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Serial;

/// <summary>A byte pipe to a serial device, every operation bounded in time.</summary>
public interface ISerialLink : IDisposable
{
    string PortName { get; }

    /// <summary>Writes a whole frame in one call (protocols such as CH9329 end a frame on a 3 ms gap).</summary>
    void Write(ReadOnlySpan<byte> data);

    /// <summary>Reads what arrives before the deadline; returns 0 when nothing did.</summary>
    int Read(Span<byte> buffer, Deadline deadline);

    /// <summary>Drops bytes that arrived before the command that is about to be sent.</summary>
    void DiscardInput();
}

/// <summary>A serial port through System.IO.Ports, opened 8N1 without flow control.</summary>
public sealed class SerialLink : ISerialLink
{
    /// <summary>9600 baud moves ~1 byte/ms; a second covers any frame kvmtool sends.</summary>
    private static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(1);

    private readonly SerialPort _port;

    private SerialLink(SerialPort port) => _port = port;

    public string PortName => _port.PortName;

    public static SerialLink Open(string portName, int baudRate)
    {
        var port = new SerialPort(portName, baudRate, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            WriteTimeout = (int)WriteTimeout.TotalMilliseconds,
            ReadTimeout = 50,
            DtrEnable = false,
            RtsEnable = false,
        };
        try
        {
            port.Open();
        }
        catch (UnauthorizedAccessException e)
        {
            port.Dispose();
            throw new PermissionDeniedException(
                $"Permission denied, or the port is held exclusively by another program: cannot open {portName}.",
                "Run as root, or install kvmtool's udev rules and add the user to group kvmd (or dialout for generic " +
                "serial ports); if another program has the port open exclusively, stop it first.", e);
        }
        catch (IOException e) when (!File.Exists(portName))
        {
            port.Dispose();
            throw new NotFoundException($"The serial port {portName} does not exist.",
                "Check the cable; 'ls /dev/ttyUSB* /dev/ttyACM*' lists the serial ports that are attached.", e);
        }
        catch (IOException e)
        {
            port.Dispose();
            throw new OperationFailedException($"Cannot open the serial port {portName}: {e.Message}", null, e);
        }
        catch (ArgumentException e)
        {
            port.Dispose();
            throw new UsageException($"Cannot open the serial port {portName}: {e.Message}",
                "Give the path of a serial device, such as /dev/ttyUSB0.");
        }
        return new SerialLink(port);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            _port.BaseStream.Write(data);
            _port.BaseStream.Flush();
        }
        catch (TimeoutException e)
        {
            throw new DeviceTimeoutException($"Writing to {PortName} timed out.",
                "The USB-serial adapter is not taking data; re-plug it or reset it with 'kvmtool usb reset'.", e);
        }
        catch (IOException e)
        {
            throw new OperationFailedException($"Writing to {PortName} failed: {e.Message}",
                "The adapter may have been unplugged; check 'kvmtool usb list'.", e);
        }
    }

    public int Read(Span<byte> buffer, Deadline deadline)
    {
        while (!deadline.Expired)
        {
            try
            {
                _port.ReadTimeout = Math.Max(1, deadline.RemainingMilliseconds);
                return _port.BaseStream.Read(buffer);
            }
            catch (TimeoutException)
            {
                return 0;
            }
            catch (IOException e)
            {
                throw new OperationFailedException($"Reading from {PortName} failed: {e.Message}",
                    "The adapter may have been unplugged; check 'kvmtool usb list'.", e);
            }
        }
        return 0;
    }

    public void DiscardInput() => _port.DiscardInBuffer();

    public void Dispose() => _port.Dispose();
}
