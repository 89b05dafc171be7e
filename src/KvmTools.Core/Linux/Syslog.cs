using System.Net.Sockets;
using System.Text;

namespace KvmTools.Core.Linux;

/// <summary>
/// Sends lines to the local syslog daemon over its unix datagram socket (/dev/log), in the RFC 3164 form
/// every Linux syslog and journald accept: "&lt;PRI&gt;kvmtool[pid]: message". Best effort: a missing or
/// full socket loses the line and never fails the caller, because logging must not stop a recovery.
/// </summary>
public sealed class Syslog : IDisposable
{
    public const int FacilityDaemon = 3;
    public const int SeverityError = 3;
    public const int SeverityWarning = 4;
    public const int SeverityNotice = 5;
    public const int SeverityInfo = 6;

    /// <summary>Datagrams longer than this are cut; syslog daemons accept at least 1024 bytes.</summary>
    private const int MaxMessageBytes = 1024;

    private readonly string _path;
    private readonly string _tag;
    private Socket? _socket;
    private bool _failed;

    public Syslog(string path, string tag = "kvmtool")
    {
        _path = path;
        _tag = tag;
    }

    public static string Format(int facility, int severity, string tag, int pid, string message) =>
        $"<{facility * 8 + severity}>{tag}[{pid}]: {message.ReplaceLineEndings(" ")}";

    public void Write(int severity, string message)
    {
        if (_failed)
        {
            return;
        }
        try
        {
            if (_socket is null)
            {
                _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.Connect(new UnixDomainSocketEndPoint(_path));
                // A full receive queue must not block a recovery: drop the line instead.
                _socket.Blocking = false;
            }
            byte[] bytes = Encoding.UTF8.GetBytes(Format(FacilityDaemon, severity, _tag, Environment.ProcessId, message));
            _socket.Send(bytes.AsSpan(0, Math.Min(bytes.Length, MaxMessageBytes)));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            // The daemon is behind: this line is lost, the next may get through.
        }
        catch (SocketException)
        {
            // No syslog daemon here (containers, chroots) or its queue is full: stop trying for this run.
            _failed = true;
            Dispose();
        }
    }

    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
    }
}
