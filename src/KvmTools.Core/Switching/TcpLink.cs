using System.Net.Sockets;
using KvmTools.Core.Linux;
using KvmTools.Core.Serial;

namespace KvmTools.Core.Switching;

/// <summary>
/// A TCP connection used like a serial line: the LAN port of a TESmart switch is a UART bridge (a CH9120-like
/// chip) that passes the same frames. Every operation is bounded in time.
/// </summary>
public sealed class TcpLink : ISerialLink
{
    /// <summary>A switch on the local network answers a SYN in milliseconds; 3 s covers a busy Wi-Fi link.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    private static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(1);

    private readonly Socket _socket;

    private TcpLink(Socket socket, string name)
    {
        _socket = socket;
        PortName = name;
    }

    public string PortName { get; }

    public static TcpLink Connect(string host, int port, TimeSpan? timeout = null)
    {
        string name = $"{host}:{port}";
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using var cts = new CancellationTokenSource(timeout ?? ConnectTimeout);
            socket.ConnectAsync(host, port, cts.Token).AsTask().GetAwaiter().GetResult();
            socket.SendTimeout = (int)SendTimeout.TotalMilliseconds;
            return new TcpLink(socket, name);
        }
        catch (OperationCanceledException e)
        {
            socket.Dispose();
            throw new DeviceTimeoutException($"The switch at {name} did not accept a connection within {(timeout ?? ConnectTimeout).TotalSeconds:0.#} s.",
                "Check that it is powered and on this network ('ping " + host + "'), and its address in kvmtool.yaml.", e);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw e.SocketErrorCode switch
            {
                SocketError.HostNotFound or SocketError.NoData => new NotFoundException($"The host name '{host}' does not resolve.",
                    "Give the switch's IP address in kvmtool.yaml ('host:').", e),
                SocketError.ConnectionRefused => new OperationFailedException($"The switch at {name} refused the connection.",
                    "Check 'tcp-port:' (TESmart switches listen on 5000) and that no other program holds the switch's only connection.", e),
                SocketError.TimedOut => new DeviceTimeoutException($"Connecting to {name} timed out.", "Check that the switch is powered and reachable.", e),
                _ => new OperationFailedException($"Cannot connect to {name}: {e.Message}", "Check the switch's address and the network.", e),
            };
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            while (!data.IsEmpty)
            {
                int n = _socket.Send(data);
                data = data[n..];
            }
        }
        catch (SocketException e)
        {
            throw new OperationFailedException($"Sending to {PortName} failed: {e.Message}", "The switch closed the connection; try again.", e);
        }
    }

    public int Read(Span<byte> buffer, Deadline deadline)
    {
        try
        {
            if (!_socket.Poll(TimeSpan.FromMilliseconds(Math.Max(1, deadline.RemainingMilliseconds)), SelectMode.SelectRead))
            {
                return 0;
            }
            int n = _socket.Receive(buffer);
            if (n == 0)
            {
                throw new OperationFailedException($"The switch at {PortName} closed the connection without answering.",
                    "Another program may hold the switch's connection; try again.");
            }
            return n;
        }
        catch (SocketException e)
        {
            throw new OperationFailedException($"Reading from {PortName} failed: {e.Message}", "Try again; check the network.", e);
        }
    }

    public void DiscardInput()
    {
        var scratch = new byte[256];
        try
        {
            while (_socket.Available > 0 && _socket.Receive(scratch) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // Nothing to discard on a broken connection; the next read reports it.
        }
    }

    public void Dispose() => _socket.Dispose();
}
