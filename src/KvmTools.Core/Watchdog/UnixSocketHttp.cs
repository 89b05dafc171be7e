using System.Net.Sockets;
using System.Text;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>An HTTP reply: the status code and the body as text.</summary>
public sealed record HttpReply(int Status, string Body);

/// <summary>
/// A minimal HTTP/1.0 GET over a unix stream socket, for kvmd's and uStreamer's local APIs. HTTP/1.0 means the
/// server answers without chunking and closes the connection, so the reply is simply everything until EOF.
/// The whole exchange (connect, send, receive) is bounded by one deadline.
/// </summary>
public static class UnixSocketHttp
{
    /// <summary>kvmd's and uStreamer's state replies are a few KB; anything far larger is not what was asked for.</summary>
    public const int MaxReplyBytes = 1 << 20;

    public static HttpReply Get(string socketPath, string path, Deadline deadline)
    {
        if (!File.Exists(socketPath))
        {
            throw new NotFoundException($"The socket {socketPath} does not exist.", "Is the streamer (kvmd or ustreamer) running?");
        }
        using var cancel = new CancellationTokenSource(deadline.Remaining);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var reply = new MemoryStream();
        try
        {
            socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel.Token).AsTask().GetAwaiter().GetResult();
            byte[] request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.0\r\nHost: localhost\r\nAccept: application/json\r\nUser-Agent: kvmtool\r\n\r\n");
            int sent = 0;
            while (sent < request.Length)
            {
                sent += socket.SendAsync(request.AsMemory(sent), SocketFlags.None, cancel.Token).AsTask().GetAwaiter().GetResult();
            }
            byte[] buffer = new byte[16384];
            while (true)
            {
                int n = socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token).AsTask().GetAwaiter().GetResult();
                if (n == 0)
                {
                    break;
                }
                if (reply.Length + n > MaxReplyBytes)
                {
                    throw new OperationFailedException($"{socketPath} sent more than {MaxReplyBytes} bytes for {path}; that is not a state reply.");
                }
                reply.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException e)
        {
            throw new DeviceTimeoutException(
                $"{socketPath} did not answer GET {path} within {deadline.Budget.TotalMilliseconds:0} ms.",
                "The streamer is hung or overloaded; 'systemctl status kvmd' shows its state.", e);
        }
        catch (SocketException e)
        {
            if (e.SocketErrorCode is SocketError.AccessDenied)
            {
                throw new PermissionDeniedException($"Permission denied: cannot connect to {socketPath}.",
                    "Run as root or as a member of the socket's group (kvmd).", e);
            }
            throw new OperationFailedException($"Cannot GET {path} from {socketPath}: {e.Message}.",
                "Is the streamer (kvmd or ustreamer) running? 'systemctl status kvmd' shows it.", e);
        }
        return Parse(reply.ToArray(), socketPath, path);
    }

    internal static HttpReply Parse(byte[] raw, string socketPath, string path)
    {
        string text = Encoding.UTF8.GetString(raw);
        int headerEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        int bodyStart = headerEnd + 4;
        if (headerEnd < 0)
        {
            headerEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
            bodyStart = headerEnd + 2;
        }
        string statusLine = (headerEnd < 0 ? text : text[..headerEnd]).Split('\n')[0].TrimEnd('\r');
        string[] parts = statusLine.Split(' ', 3);
        if (headerEnd < 0 || parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal)
            || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int status))
        {
            string start = statusLine.Length > 60 ? statusLine[..60] + "..." : statusLine;
            throw new OperationFailedException($"{socketPath} did not answer GET {path} with HTTP (it sent \"{start}\").",
                "Check that the socket is the streamer's: kvmd's is /run/kvmd/kvmd.sock, uStreamer's /run/kvmd/ustreamer.sock.");
        }
        return new HttpReply(status, text[bodyStart..]);
    }
}
