using KvmTools.Core.Linux;
using KvmTools.Core.Serial;

namespace KvmTools.Core.Ch9329;

/// <summary>
/// A CH9329 behind a serial link: requests written as whole frames (a 3 ms gap ends a frame at the chip), replies
/// read by resynchronising on 57 AB and matching the command byte, everything else ignored, every wait bounded.
/// </summary>
/// <remarks>
/// kvmd's CH9329 plugin may hold the same port: it polls GET_INFO about every 0.1 s and reads whatever answer
/// comes, so it can take a reply meant for kvmtool, and its own answers (0x81, 0x82, 0x84, 0x85) reach kvmtool.
/// Hence a request is sent up to <see cref="RequestTries"/> times, and frames answering other requests are skipped.
/// </remarks>
public sealed class Ch9329Chip
{
    /// <summary>WCH tells hosts to treat 500 ms without a reply as a failure.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromMilliseconds(500);

    /// <summary>kvmd reads the same port and may take a reply; a second and third try make up for it.</summary>
    public const int RequestTries = 3;

    /// <summary>GET_USB_STRING's kinds.</summary>
    public const byte ManufacturerString = 0x00;
    public const byte ProductString = 0x01;
    public const byte SerialString = 0x02;

    private readonly ISerialLink _link;
    private readonly Ch9329FrameDecoder _decoder = new();
    private readonly byte[] _readBuffer = new byte[256];

    public Ch9329Chip(ISerialLink link, int baudRate, byte address)
    {
        _link = link;
        BaudRate = baudRate;
        Address = address;
    }

    public int BaudRate { get; }

    public byte Address { get; }

    public string PortName => _link.PortName;

    /// <summary>How long to wait for an answer: WCH's 500 ms plus the time both frames take on the wire.</summary>
    public TimeSpan ReplyWait(int requestBytes, int replyDataLength) =>
        ReplyTimeout + Ch9329BaudRate.WireTime(requestBytes + Ch9329Frame.Overhead + replyDataLength, BaudRate);

    /// <summary>Sends one request and waits for its answer, at most <paramref name="wait"/> (default: <see cref="ReplyWait"/>).</summary>
    public Ch9329Exchange Exchange(byte command, ReadOnlySpan<byte> data, int replyDataLength, TimeSpan? wait = null)
    {
        byte[] frame = Ch9329Frame.Encode(Address, command, data);
        var exchange = new Ch9329Exchange(command, BaudRate);
        int garbageBefore = _decoder.GarbageBytes;
        int damagedBefore = _decoder.DamagedFrames;
        var deadline = Deadline.After(wait ?? ReplyWait(frame.Length, replyDataLength));
        _link.Write(frame);
        while (true)
        {
            while (_decoder.TryNext(out var reply))
            {
                if (reply.Command == Ch9329Command.SuccessReply(command))
                {
                    exchange.Reply = reply;
                }
                else if (reply.Command == Ch9329Command.ErrorReply(command))
                {
                    exchange.ErrorStatus = reply.Data.Length > 0 ? reply.Data[0] : (byte)0xFF;
                }
                else
                {
                    exchange.OtherReplies.Add(reply.Command);
                    continue;
                }
                return Finish(exchange, garbageBefore, damagedBefore, pending: 0);
            }
            if (deadline.Expired)
            {
                return Finish(exchange, garbageBefore, damagedBefore, _decoder.PendingBytes);
            }
            int n = _link.Read(_readBuffer, deadline);
            if (n > 0)
            {
                _decoder.Feed(_readBuffer.AsSpan(0, n));
            }
        }
    }

    private Ch9329Exchange Finish(Ch9329Exchange exchange, int garbageBefore, int damagedBefore, int pending)
    {
        exchange.GarbageBytes = _decoder.GarbageBytes - garbageBefore;
        exchange.DamagedFrames = _decoder.DamagedFrames - damagedBefore;
        exchange.IncompleteBytes = pending;
        return exchange;
    }

    /// <summary>
    /// Sends a request until it is answered (up to <see cref="RequestTries"/> times) and returns the answer's data.
    /// Error answers that mean the frame was damaged on the way are retried; the others fail at once.
    /// </summary>
    public byte[] Request(byte command, ReadOnlySpan<byte> data, int replyDataLength)
    {
        var tries = new List<Ch9329Exchange>();
        for (int attempt = 0; attempt < RequestTries; attempt++)
        {
            var exchange = Exchange(command, data, replyDataLength);
            tries.Add(exchange);
            if (exchange.Reply is { } reply)
            {
                return reply.Data;
            }
            if (exchange.ErrorStatus is byte status && !Ch9329Status.IsTransient(status))
            {
                break;
            }
        }
        throw Ch9329Failures.NoAnswer(PortName, BaudRate, Address, command, tries);
    }

    /// <summary>Sends a command whose answer is a status byte, and fails unless it is 0x00.</summary>
    public void Command(byte command, ReadOnlySpan<byte> data)
    {
        byte[] answer = Request(command, data, 1);
        if (answer.Length != 1 || answer[0] != Ch9329Status.Success)
        {
            throw new OperationFailedException(
                $"The CH9329 on {PortName} answered {Ch9329Command.Name(command)} with status " +
                (answer.Length == 0 ? "(none)" : Ch9329Status.Describe(answer[0])) + ".",
                "Run 'kvmtool ch9329 reset' and try again.");
        }
    }

    public Ch9329Info GetInfo() => Ch9329Info.Parse(Request(Ch9329Command.GetInfo, [], Ch9329Info.DataLength));

    public Ch9329Parameters GetParameters() =>
        Ch9329Parameters.Parse(Request(Ch9329Command.GetParameters, [], Ch9329Parameters.Length));

    public void SetParameters(Ch9329Parameters parameters) => Command(Ch9329Command.SetParameters, parameters.Bytes);

    public void RestoreDefaults() => Command(Ch9329Command.RestoreDefaults, []);

    /// <summary>
    /// Reads one USB string descriptor (answer: kind, length, characters); null when the chip refuses, since the
    /// strings are extra information, not the point of any command.
    /// </summary>
    public string? TryGetUsbString(byte kind)
    {
        const int longest = 23;
        byte[] data;
        try
        {
            data = Request(Ch9329Command.GetUsbString, [kind], 2 + longest);
        }
        catch (KvmToolException)
        {
            return null;
        }
        if (data.Length < 2 || data[0] != kind || data[1] > data.Length - 2)
        {
            return null;
        }
        return System.Text.Encoding.ASCII.GetString(data, 2, data[1]);
    }
}
