using System.Text.Json;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

public enum StreamerKind
{
    Off,
    /// <summary>uStreamer's own HTTP API: GET /state → result.source.online, result.stream.clients.</summary>
    Ustreamer,
    /// <summary>kvmd's API on its unix socket, where nginx's /api prefix is absent: GET /streamer → result.streamer (null while stopped).</summary>
    Kvmd,
}

/// <summary>
/// Asks the streamer whether the capture source is live. Only "the streamer answered and says offline" is a
/// failure: a streamer that is stopped, unreachable, refuses us or answers nonsense says nothing about the
/// dongle, so that is "unknown" and never resets anything. Also reports whether someone is watching
/// (stream clients), which holds back steps that would interrupt a live picture.
/// </summary>
public sealed class StreamerProbe(StreamerKind kind, string socketPath, TimeSpan timeout) : IWatchdogProbe
{
    public const string DefaultUstreamerSocket = "/run/kvmd/ustreamer.sock";
    public const string DefaultKvmdSocket = "/run/kvmd/kvmd.sock";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);

    public string Name => "streamer";

    public TimeSpan Timeout => timeout;

    public StreamerKind Kind => kind;

    public string SocketPath => socketPath;

    public static string DefaultSocket(StreamerKind kind) => kind == StreamerKind.Kvmd ? DefaultKvmdSocket : DefaultUstreamerSocket;

    public ProbeResult Check(Deadline deadline)
    {
        string path = kind == StreamerKind.Kvmd ? "/streamer" : "/state";
        HttpReply reply;
        try
        {
            reply = UnixSocketHttp.Get(socketPath, path, deadline);
        }
        catch (KvmToolException e)
        {
            return ProbeResult.Unknown("cannot ask the streamer: " + e.Message);
        }
        if (reply.Status is 401 or 403)
        {
            return ProbeResult.Unknown($"{socketPath} refused GET {path} (HTTP {reply.Status}): kvmd lets root and members of group " +
                "kvmd-selfauth in through its socket; run the watchdog as root or add its user to that group");
        }
        if (reply.Status != 200)
        {
            return ProbeResult.Unknown($"{socketPath} answered GET {path} with HTTP {reply.Status}");
        }
        return Interpret(kind, reply.Body, socketPath);
    }

    /// <summary>Reads the streamer's JSON; public for tests of the field paths.</summary>
    public static ProbeResult Interpret(StreamerKind kind, string body, string where)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
            {
                return ProbeResult.Unknown($"{where} answered without a 'result' object");
            }
            var state = result;
            if (kind == StreamerKind.Kvmd)
            {
                if (!result.TryGetProperty("streamer", out state) || state.ValueKind == JsonValueKind.Null)
                {
                    // kvmd starts uStreamer when someone opens the page and stops it a while after the last one leaves.
                    return ProbeResult.Unknown("kvmd's streamer is not running (nobody is watching), so it cannot say whether the source is live");
                }
                if (state.ValueKind != JsonValueKind.Object)
                {
                    return ProbeResult.Unknown($"{where} answered with a 'streamer' that is not an object");
                }
            }
            if (!state.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object
                || !source.TryGetProperty("online", out var online) || online.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return ProbeResult.Unknown($"{where} answered without source.online");
            }
            int clients = state.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.Object
                && stream.TryGetProperty("clients", out var c) && c.TryGetInt32(out int n) ? n : 0;
            // H.264 viewers (WebRTC through Janus) are not MJPEG clients; uStreamer reports them per sink.
            bool sinkClients = state.TryGetProperty("sinks", out var sinks) && sinks.ValueKind == JsonValueKind.Object
                && sinks.EnumerateObject().Any(sink => sink.Value.ValueKind == JsonValueKind.Object
                    && sink.Value.TryGetProperty("has_clients", out var has) && has.ValueKind == JsonValueKind.True);
            string resolution = source.TryGetProperty("resolution", out var r) && r.ValueKind == JsonValueKind.Object
                && r.TryGetProperty("width", out var w) && r.TryGetProperty("height", out var h) ? $"{w}x{h}, " : "";
            string fps = source.TryGetProperty("captured_fps", out var f) ? $"{f} fps, " : "";
            if (!online.GetBoolean())
            {
                return ProbeResult.Failed($"the streamer reports no live source ({clients} client(s) watching)");
            }
            return ProbeResult.Ok($"source live, {resolution}{fps}{clients} client(s) watching{(sinkClients ? ", H.264 sink in use" : "")}",
                userActive: clients > 0 || sinkClients);
        }
        catch (JsonException e)
        {
            return ProbeResult.Unknown($"{where} answered with malformed JSON ({e.Message})");
        }
    }
}
