namespace KvmTools.Core.Ch9329;

/// <summary>
/// One CH9329 serial frame: 57 AB, address, command, data length, data, and a checksum that is the low byte of
/// the sum of every byte before it. Pure functions only; the I/O lives in <see cref="Ch9329Chip"/>.
/// </summary>
public sealed record Ch9329Frame(byte Address, byte Command, byte[] Data)
{
    public const byte Head0 = 0x57;
    public const byte Head1 = 0xAB;

    /// <summary>57 AB, address, command, length.</summary>
    public const int HeaderLength = 5;

    /// <summary>The header plus the checksum: a frame with no data is 6 bytes.</summary>
    public const int Overhead = HeaderLength + 1;

    /// <summary>The protocol's limit on a frame's data; the 50-byte parameter block is the longest kvmtool meets.</summary>
    public const int MaxDataLength = 64;

    public bool IsError => (Command & Ch9329Command.ErrorFlag) == Ch9329Command.ErrorFlag;

    /// <summary>The status byte of a one-byte answer (0x00 success, E1..E6 error); null for longer answers.</summary>
    public byte? Status => Data.Length == 1 ? Data[0] : null;

    public byte[] Encode() => Encode(Address, Command, Data);

    public static byte[] Encode(byte address, byte command, ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxDataLength)
        {
            throw new ArgumentException($"A CH9329 frame carries at most {MaxDataLength} bytes of data, not {data.Length}.", nameof(data));
        }
        byte[] frame = new byte[Overhead + data.Length];
        frame[0] = Head0;
        frame[1] = Head1;
        frame[2] = address;
        frame[3] = command;
        frame[4] = (byte)data.Length;
        data.CopyTo(frame.AsSpan(HeaderLength));
        frame[^1] = Checksum(frame.AsSpan(0, frame.Length - 1));
        return frame;
    }

    public static byte Checksum(ReadOnlySpan<byte> bytes)
    {
        int sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }
        return (byte)sum;
    }

    /// <summary>
    /// Finds the first whole frame with a good checksum in <paramref name="buffer"/>, which may start with garbage,
    /// hold damaged frames, or end in the middle of a frame. Returns the frame (or null) and how many leading bytes
    /// the caller can drop: everything up to the end of the frame found, or, when none is whole yet, everything
    /// before the first place a frame could still be arriving.
    /// </summary>
    /// <remarks>
    /// A candidate that is still incomplete is given up when a whole, valid frame is found after it: frames on
    /// one wire never overlap, so the candidate was noise that happened to contain 57 AB. A candidate with a bad
    /// checksum is skipped by one byte only, so that a real frame starting inside it is still found.
    /// </remarks>
    public static DecodeResult TryDecode(ReadOnlySpan<byte> buffer)
    {
        int firstIncomplete = -1;
        var damaged = new List<int>();
        for (int p = 0; p < buffer.Length; p++)
        {
            if (buffer[p] != Head0)
            {
                continue;
            }
            if (p + 1 == buffer.Length)
            {
                firstIncomplete = firstIncomplete < 0 ? p : firstIncomplete;
                break;
            }
            if (buffer[p + 1] != Head1)
            {
                continue;
            }
            if (p + HeaderLength > buffer.Length)
            {
                firstIncomplete = firstIncomplete < 0 ? p : firstIncomplete;
                break;
            }
            int length = buffer[p + 4];
            if (length > MaxDataLength)
            {
                damaged.Add(p);
                continue;
            }
            int total = Overhead + length;
            if (p + total > buffer.Length)
            {
                firstIncomplete = firstIncomplete < 0 ? p : firstIncomplete;
                continue;
            }
            var candidate = buffer.Slice(p, total);
            if (Checksum(candidate[..^1]) != candidate[^1])
            {
                damaged.Add(p);
                continue;
            }
            var frame = new Ch9329Frame(candidate[2], candidate[3], candidate.Slice(HeaderLength, length).ToArray());
            return new DecodeResult(frame, p + total, p, damaged.Count);
        }
        int consumed = firstIncomplete < 0 ? buffer.Length : firstIncomplete;
        return new DecodeResult(null, consumed, consumed, damaged.Count(d => d < consumed));
    }
}

/// <param name="Frame">The frame found, or null.</param>
/// <param name="Consumed">How many leading bytes the caller may drop.</param>
/// <param name="Skipped">How many of those were not part of the frame found (garbage, damaged frames).</param>
/// <param name="Damaged">How many frame-like sequences among the skipped bytes had a bad checksum or length.</param>
public readonly record struct DecodeResult(Ch9329Frame? Frame, int Consumed, int Skipped, int Damaged);

/// <summary>
/// Turns a byte stream into frames: tolerates garbage, frames split across reads and damaged frames, and counts
/// what it threw away so that a failure can say what was on the wire.
/// </summary>
public sealed class Ch9329FrameDecoder
{
    private readonly List<byte> _buffer = [];

    /// <summary>Bytes dropped because they belonged to no valid frame.</summary>
    public int GarbageBytes { get; private set; }

    /// <summary>Frame-like sequences (57 AB ...) dropped for a bad checksum or length.</summary>
    public int DamagedFrames { get; private set; }

    /// <summary>Bytes held back because they may be the start of a frame still arriving.</summary>
    public int PendingBytes => _buffer.Count;

    public void Feed(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes)
        {
            _buffer.Add(b);
        }
    }

    public bool TryNext(out Ch9329Frame frame)
    {
        var result = Ch9329Frame.TryDecode(_buffer.ToArray());
        _buffer.RemoveRange(0, result.Consumed);
        GarbageBytes += result.Skipped;
        DamagedFrames += result.Damaged;
        frame = result.Frame!;
        return result.Frame is not null;
    }
}
