using System.Net.Sockets;
using System.Text;
using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Watchdog;

namespace KvmTools.Tests.Watchdog;

/// <summary>A unix-socket HTTP server that answers every request with the same bytes (or, when slow, never).</summary>
public sealed class CannedHttpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public CannedHttpServer(string path, string? reply, bool silent = false)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(4);
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptAsync(_stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }
                using (client)
                {
                    var request = new StringBuilder();
                    byte[] buffer = new byte[4096];
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        int n = await client.ReceiveAsync(buffer, SocketFlags.None);
                        if (n == 0)
                        {
                            break;
                        }
                        request.Append(Encoding.ASCII.GetString(buffer, 0, n));
                    }
                    Requests.Add(request.ToString());
                    if (silent)
                    {
                        // A hung streamer: holds the connection and says nothing.
                        try
                        {
                            await Task.Delay(Timeout.Infinite, _stop.Token);
                        }
                        catch (OperationCanceledException)
                        {
                        }
                        return;
                    }
                    await client.SendAsync(Encoding.UTF8.GetBytes(reply!), SocketFlags.None);
                    client.Shutdown(SocketShutdown.Both);
                }
            }
        });
    }

    public string Path { get; }

    public List<string> Requests { get; } = [];

    public static string Http(string body, int status = 200) =>
        $"HTTP/1.0 {status} {(status == 200 ? "OK" : "Nope")}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}";

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}

public sealed class StreamerProbeTests : IDisposable
{
    /// <summary>uStreamer's /state, shaped as its HTTP server prints it.</summary>
    private const string UstreamerState =
        "{\"ok\": true, \"result\": { \"instance_id\": \"\", \"encoder\": {\"type\": \"CPU\", \"quality\": 80}," +
        " \"source\": {\"resolution\": {\"width\": 1920, \"height\": 1080}, \"online\": ONLINE, \"desired_fps\": 30, \"captured_fps\": 29}," +
        " \"stream\": {\"queued_fps\": 29, \"clients\": CLIENTS, \"clients_stat\": {}}}}";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "kvmtool-st-" + Guid.NewGuid().ToString("N")[..12]);

    public StreamerProbeTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Sock => Path.Combine(_dir, "s.sock");

    private static string Ustreamer(bool online, int clients) =>
        UstreamerState.Replace("ONLINE", online ? "true" : "false", StringComparison.Ordinal).Replace("CLIENTS", clients.ToString(), StringComparison.Ordinal);

    /// <summary>kvmd's /streamer: its own fields around uStreamer's result, which is null while uStreamer is stopped.</summary>
    private static string Kvmd(string? streamer) =>
        "{\n    \"ok\": true,\n    \"result\": {\n        \"features\": {\"h264\": true},\n        \"params\": {\"quality\": 80},\n" +
        $"        \"snapshot\": {{\"saved\": null}},\n        \"streamer\": {streamer ?? "null"}\n    }}\n}}";

    private ProbeResult Check(StreamerKind kind, int timeoutMs = 2000) =>
        new StreamerProbe(kind, Sock, TimeSpan.FromMilliseconds(timeoutMs)).Check(Deadline.After(TimeSpan.FromMilliseconds(timeoutMs)));

    [Fact]
    public void ALiveUstreamerSourceIsOkAndAsksForState()
    {
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http(Ustreamer(online: true, clients: 0)));
        var result = Check(StreamerKind.Ustreamer);
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.False(result.UserActive);
        Assert.Contains("1920x1080", result.Detail);
        Assert.StartsWith("GET /state HTTP/1.0\r\n", server.Requests.Single());
    }

    [Fact]
    public void AnOfflineSourceFails()
    {
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http(Ustreamer(online: false, clients: 2)));
        var result = Check(StreamerKind.Ustreamer);
        Assert.Equal(ProbeStatus.Failed, result.Status);
        Assert.Contains("no live source", result.Detail);
        // Someone watching a dead picture is helped, not disturbed, by a recovery.
        Assert.False(result.UserActive);
    }

    [Fact]
    public void ClientsOnALiveSourceMeanSomeoneIsWatching()
    {
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http(Ustreamer(online: true, clients: 1)));
        Assert.True(Check(StreamerKind.Ustreamer).UserActive);
    }

    [Fact]
    public void AnH264SinkWithClientsMeansSomeoneIsWatching()
    {
        string body = Ustreamer(online: true, clients: 0).Replace("\"source\"", "\"sinks\": {\"jpeg\": {\"has_clients\": false}, \"h264\": {\"has_clients\": true}}, \"source\"", StringComparison.Ordinal);
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http(body));
        var result = Check(StreamerKind.Ustreamer);
        Assert.Equal(ProbeStatus.Ok, result.Status);
        Assert.True(result.UserActive);
    }

    [Fact]
    public void KvmdIsAskedForStreamerAndItsNestedSourceIsRead()
    {
        string inner = Ustreamer(online: true, clients: 0);
        inner = inner[(inner.IndexOf("\"result\": ", StringComparison.Ordinal) + "\"result\": ".Length)..^1];
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http(Kvmd(inner)));
        Assert.Equal(ProbeStatus.Ok, Check(StreamerKind.Kvmd).Status);
        Assert.StartsWith("GET /streamer HTTP/1.0\r\n", server.Requests.Single());
    }

    [Fact]
    public void AStoppedKvmdStreamerCannotTell()
    {
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http(Kvmd(null)));
        var result = Check(StreamerKind.Kvmd);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("not running", result.Detail);
    }

    [Fact]
    public void ASlowStreamerHitsTheTimeoutAndCannotTell()
    {
        using var server = new CannedHttpServer(Sock, null, silent: true);
        var result = Check(StreamerKind.Ustreamer, timeoutMs: 300);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("did not answer GET /state within 300 ms", result.Detail);
    }

    [Fact]
    public void AReplyThatIsNotHttpIsReportedAndCannotTell()
    {
        using var server = new CannedHttpServer(Sock, "SSH-2.0-OpenSSH_9.2\r\n");
        var result = Check(StreamerKind.Ustreamer);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("did not answer GET /state with HTTP", result.Detail);
        Assert.Contains("SSH-2.0", result.Detail);
    }

    [Theory]
    [InlineData("{\"ok\": true, \"result\": {\"source\": {\"online\": tru")]
    [InlineData("{\"ok\": true, \"result\": {\"source\": {}}}")]
    [InlineData("{\"ok\": true}")]
    [InlineData("[1, 2, 3]")]
    public void MalformedJsonCannotTell(string body)
    {
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http(body));
        Assert.Equal(ProbeStatus.Unknown, Check(StreamerKind.Ustreamer).Status);
    }

    [Fact]
    public void KvmdRefusingUsExplainsWhoItLetsIn()
    {
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http("{\"ok\": false, \"result\": {\"error\": \"UnauthorizedError\"}}", 401));
        var result = Check(StreamerKind.Kvmd);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("kvmd-selfauth", result.Detail);
    }

    [Fact]
    public void AMissingSocketCannotTell()
    {
        var result = Check(StreamerKind.Ustreamer);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("does not exist", result.Detail);
    }

    [Fact]
    public void ASocketNobodyListensOnCannotTell()
    {
        // A socket that is bound but not listening, like one left by a crashed streamer: connect is refused.
        using var bound = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        bound.Bind(new UnixDomainSocketEndPoint(Sock));
        var result = Check(StreamerKind.Ustreamer);
        Assert.Equal(ProbeStatus.Unknown, result.Status);
        Assert.Contains("Cannot GET /state", result.Detail);
    }

    [Fact]
    public void TheHttpClientReturnsStatusAndBody()
    {
        using var server = new CannedHttpServer(Sock, CannedHttpServer.Http("{\"a\": 1}", 404));
        var reply = UnixSocketHttp.Get(Sock, "/x", Deadline.After(TimeSpan.FromSeconds(2)));
        Assert.Equal(404, reply.Status);
        Assert.Equal("{\"a\": 1}", reply.Body);
        Assert.Throws<DeviceTimeoutException>(() =>
        {
            using var slow = new CannedHttpServer(Path.Combine(_dir, "slow.sock"), null, silent: true);
            UnixSocketHttp.Get(slow.Path, "/x", Deadline.After(TimeSpan.FromMilliseconds(200)));
        });
    }
}
