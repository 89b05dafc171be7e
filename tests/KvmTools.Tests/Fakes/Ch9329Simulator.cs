using System.Buffers.Binary;
using System.Diagnostics;

namespace KvmTools.Tests.Fakes;

/// <summary>The wire a simulated chip sits on: a pty master in unit tests, a unix socket for the QEMU guest.</summary>
public interface ICh9329Wire
{
    /// <summary>Reads what arrives within <paramref name="timeoutMs"/>: 0 when nothing did, -1 when the wire is gone for good.</summary>
    int Read(Span<byte> buffer, int timeoutMs);

    void Write(ReadOnlySpan<byte> data);

    /// <summary>The host side's line speed, when the wire has one (a pty does, a socket does not).</summary>
    int? HostBaud { get; }
}

/// <summary>Ways the simulated chip or its line misbehaves; tests switch them on and off at any time.</summary>
public sealed class Ch9329Faults
{
    /// <summary>A wedged chip: it hears and answers nothing.</summary>
    public bool Silent { get; set; }

    /// <summary>Bytes of line noise (including a false 57 AB header) before each answer.</summary>
    public int GarbageBeforeReply { get; set; }

    /// <summary>Answers written a few bytes at a time with pauses, so the host reads partial frames.</summary>
    public bool SplitReplies { get; set; }

    /// <summary>Frames answering another program (kvmd's keyboard and mouse) before each answer.</summary>
    public int ForeignBeforeReply { get; set; }

    /// <summary>Answers that arrive with a wrong checksum.</summary>
    public bool CorruptReplies { get; set; }

    /// <summary>Requests that are carried out but whose answers never reach the host (another reader took them).</summary>
    public HashSet<byte> Unanswered { get; } = [];

    /// <summary>Like <see cref="Unanswered"/>, once per command.</summary>
    public HashSet<byte> UnansweredOnce { get; } = [];

    /// <summary>Answer these commands with this error status instead.</summary>
    public Dictionary<byte, byte> ErrorFor { get; } = [];

    /// <summary>This many RESET frames are lost without effect (no answer, no reset).</summary>
    public int IgnoreResets { get; set; }

    /// <summary>After acknowledging RESET the chip never comes back (until a power cycle).</summary>
    public bool DeadAfterReset { get; set; }

    /// <summary>A reset applies the stored block except its baud rate.</summary>
    public bool KeepBaudAfterReset { get; set; }

    /// <summary>How long the chip is deaf after acknowledging RESET.</summary>
    public TimeSpan ResetSilence { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Send kvmd-like keyboard and mouse acknowledgements on the wire every so often, asked or not.</summary>
    public TimeSpan? Chatter { get; set; }
}

/// <summary>
/// A CH9329 as WCH's protocol describes it, on the far side of a wire. It parses frames delimited by a 3 ms gap,
/// checks addresses and checksums and answers with WCH's status codes (E1 incomplete frame, E3 unknown command,
/// E4 checksum, E5 parameters, E6 failed), keeps its parameter block in "flash" and applies it only at a reset,
/// goes deaf for a while after RESET, and, on a pty, hears and speaks garbage when the host's line speed is not
/// its own. A block written with the pin-selected mode values (0x8n) is taken and reported but, like on the
/// real chip, not kept over a power cycle. It never reports E2, whose trigger WCH does not describe.
/// </summary>
public sealed class Ch9329Simulator : IDisposable
{
    public const int FrameGapMs = 3;

    public const byte ManufacturerString = 0;
    public const byte ProductString = 1;
    public const byte SerialString = 2;

    /// <summary>
    /// The block a factory-fresh chip reports: modes chosen by its pins (0x80), address 0, 9600 baud, reserved 08 00,
    /// a 3 ms packet gap, USB id 1a86:e129 (stored low byte first), enter character 0x0D.
    /// </summary>
    public static byte[] FactoryBlock()
    {
        byte[] block = new byte[50];
        block[0] = 0x80;
        block[1] = 0x80;
        BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(3), 9600);
        block[7] = 0x08;
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(9), 3);
        block[11] = 0x86;
        block[12] = 0x1A;
        block[13] = 0x29;
        block[14] = 0xE1;
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(17), 1);
        block[20] = 0x0D;
        return block;
    }

    private static readonly int[] SupportedBauds = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
    private static readonly string[] FactoryStrings = ["WCH", "CH9329 keyboard/mouse", ""];

    private readonly object _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Random _random = new(9329);
    private byte[] _flash;
    private byte[] _stored;
    private byte[] _active;
    private string[] _strings = (string[])FactoryStrings.Clone();
    private long _silentUntilMs;
    private bool _rebootPending;
    private long _nextChatterMs;
    private Thread? _thread;
    private volatile bool _stop;

    public Ch9329Simulator()
    {
        _flash = FactoryBlock();
        _stored = (byte[])_flash.Clone();
        _active = (byte[])_flash.Clone();
    }

    public Ch9329Faults Faults { get; } = new();

    public byte Version { get; set; } = 0x31;

    /// <summary>The target computer is on and its USB cable plugged in: a reset makes the chip enumerate again.</summary>
    public bool TargetConnected { get; set; } = true;

    /// <summary>Whether the target has enumerated the chip now (false: e.g. its USB side is wedged).</summary>
    public bool UsbEnumerated { get; set; } = true;

    /// <summary>The target's lock-key LEDs: bit 0 Num, bit 1 Caps, bit 2 Scroll.</summary>
    public byte Leds { get; set; }

    private readonly List<byte[]> _frames = [];

    /// <summary>A copy of every well-formed frame addressed to the chip, in order (what the chip understood).</summary>
    public List<byte[]> Frames
    {
        get
        {
            lock (_gate)
            {
                return _frames.Select(f => (byte[])f.Clone()).ToList();
            }
        }
    }

    public int Resets { get; private set; }

    /// <summary>Bursts that arrived while the host's line speed was not the chip's.</summary>
    public int WrongSpeedBursts { get; private set; }

    public string? LastError { get; private set; }

    public int ActiveBaud
    {
        get
        {
            lock (_gate)
            {
                return (int)BinaryPrimitives.ReadUInt32BigEndian(_active.AsSpan(3));
            }
        }
    }

    public byte ActiveAddress
    {
        get
        {
            lock (_gate)
            {
                return _active[2];
            }
        }
    }

    public byte[] StoredBlock
    {
        get
        {
            lock (_gate)
            {
                return (byte[])_stored.Clone();
            }
        }
    }

    public List<byte[]> FramesOf(byte command)
    {
        lock (_gate)
        {
            return _frames.Where(f => f[3] == command).Select(f => (byte[])f.Clone()).ToList();
        }
    }

    /// <summary>A chip that was configured earlier (properly, so that it persists): it runs at these settings now.</summary>
    public void Configure(int baud, byte address = 0)
    {
        lock (_gate)
        {
            byte[] block = FactoryBlock();
            block[0] = 0x00;
            block[1] = 0x00;
            block[2] = address;
            BinaryPrimitives.WriteUInt32BigEndian(block.AsSpan(3), (uint)baud);
            _flash = block;
            _stored = (byte[])block.Clone();
            _active = (byte[])block.Clone();
        }
    }

    /// <summary>Power off and on: what only reached RAM is lost, the flash block is applied, the chip answers at once.</summary>
    public void PowerCycle()
    {
        lock (_gate)
        {
            _stored = (byte[])_flash.Clone();
            _active = (byte[])_flash.Clone();
            _rebootPending = false;
            _silentUntilMs = 0;
            UsbEnumerated = TargetConnected;
        }
    }

    public void Start(ICh9329Wire wire)
    {
        _thread = new Thread(() => Run(wire)) { IsBackground = true, Name = "ch9329-simulator" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop = true;
        _thread?.Join(TimeSpan.FromSeconds(5));
    }

    /// <summary>Serves the wire until it closes or the simulator is disposed.</summary>
    public void Run(ICh9329Wire wire)
    {
        var burst = new List<byte>();
        byte[] buffer = new byte[4096];
        while (!_stop)
        {
            int n = wire.Read(buffer, burst.Count > 0 ? FrameGapMs : 10);
            if (n < 0)
            {
                return;
            }
            lock (_gate)
            {
                long now = _clock.ElapsedMilliseconds;
                if (_rebootPending && now >= _silentUntilMs)
                {
                    FinishReboot();
                }
                if (n > 0)
                {
                    if (now < _silentUntilMs || Faults.Silent)
                    {
                        continue; // a rebooting or wedged chip hears nothing
                    }
                    var bytes = buffer.AsSpan(0, n);
                    if (WrongSpeed(wire))
                    {
                        WrongSpeedBursts++;
                        foreach (byte b in bytes)
                        {
                            burst.Add(Garble(b));
                        }
                    }
                    else
                    {
                        burst.AddRange(bytes.ToArray());
                    }
                    continue;
                }
                if (burst.Count > 0)
                {
                    try
                    {
                        Process(burst.ToArray(), wire);
                    }
                    catch (Exception e) when (e is IOException or InvalidOperationException)
                    {
                        LastError = e.Message;
                    }
                    burst.Clear();
                }
                if (Faults.Chatter is { } every && now >= _nextChatterMs && now >= _silentUntilMs && !Faults.Silent)
                {
                    _nextChatterMs = now + (long)every.TotalMilliseconds;
                    Send(wire, Frame(_active[2], (byte)(_random.Next(2) == 0 ? 0x82 : 0x85), [0x00]), chatter: true);
                }
            }
        }
    }

    private bool WrongSpeed(ICh9329Wire wire) => wire.HostBaud is int host && host != (int)BinaryPrimitives.ReadUInt32BigEndian(_active.AsSpan(3));

    /// <summary>What a UART makes of a byte sent at another speed: something else entirely.</summary>
    private static byte Garble(byte b) => (byte)~((b << 1) | (b >> 7));

    private void FinishReboot()
    {
        _rebootPending = false;
        byte[] next = (byte[])_stored.Clone();
        if (Faults.KeepBaudAfterReset)
        {
            _active.AsSpan(3, 4).CopyTo(next.AsSpan(3));
        }
        _active = next;
        UsbEnumerated = TargetConnected;
    }

    private bool Addressed(byte address) =>
        address == _active[2] || address == 0xFF || _active[2] == 0x00; // a chip at address 0 takes every address

    private void Process(byte[] burst, ICh9329Wire wire)
    {
        int i = 0;
        while (i < burst.Length)
        {
            if (burst.Length - i < 2 || burst[i] != 0x57 || burst[i + 1] != 0xAB)
            {
                i++; // not a frame start: noise, or a frame at the wrong speed
                continue;
            }
            if (burst.Length - i < 5)
            {
                if (burst.Length - i >= 4 && Addressed(burst[i + 2]) && burst[i + 2] != 0xFF)
                {
                    Reply(wire, (byte)(burst[i + 3] | 0xC0), [0xE1]);
                }
                return;
            }
            byte address = burst[i + 2];
            byte command = burst[i + 3];
            int length = burst[i + 4];
            if (length > 64)
            {
                i += 2;
                continue;
            }
            int total = 6 + length;
            if (burst.Length - i < total)
            {
                // The gap came before the frame was whole.
                if (Addressed(address) && address != 0xFF)
                {
                    Reply(wire, (byte)(command | 0xC0), [0xE1]);
                }
                return;
            }
            byte[] frame = burst[i..(i + total)];
            i += total;
            if (!Addressed(address))
            {
                continue;
            }
            if (Sum(frame.AsSpan(0, total - 1)) != frame[^1])
            {
                if (address != 0xFF)
                {
                    Reply(wire, (byte)(command | 0xC0), [0xE4]);
                }
                continue;
            }
            _frames.Add(frame);
            Handle(wire, address == 0xFF, command, frame.AsSpan(5, length).ToArray());
        }
    }

    private void Handle(ICh9329Wire wire, bool broadcast, byte command, byte[] data)
    {
        bool lost = Faults.Unanswered.Contains(command) || Faults.UnansweredOnce.Remove(command);
        void Ok(byte[] payload)
        {
            if (!broadcast && !lost)
            {
                Reply(wire, (byte)(command | 0x80), payload);
            }
        }
        void Error(byte status)
        {
            if (!broadcast && !lost)
            {
                Reply(wire, (byte)(command | 0xC0), [status]);
            }
        }

        if (Faults.ErrorFor.TryGetValue(command, out byte forced))
        {
            Error(forced);
            return;
        }
        switch (command)
        {
            case 0x01 when data.Length == 0:
                Ok([Version, (byte)(UsbEnumerated ? 1 : 0), (byte)(Leds & 0x07), 0, 0, 0, 0, 0]);
                break;
            case 0x02 when data.Length == 8:
            case 0x03 when data.Length is 2 or 4:
            case 0x04 when data.Length == 7:
            case 0x05 when data.Length == 5:
                if (UsbEnumerated)
                {
                    Ok([0x00]);
                }
                else
                {
                    Error(0xE6);
                }
                break;
            case 0x08 when data.Length == 0:
                Ok((byte[])_stored.Clone());
                break;
            case 0x09 when data.Length == 50:
                if (!ValidBlock(data))
                {
                    Error(0xE5);
                    break;
                }
                _stored = (byte[])data.Clone();
                // Pin-selected mode values are accepted and reported, but the chip does not keep such a block.
                if (data[0] < 0x80 && data[1] < 0x80)
                {
                    _flash = (byte[])data.Clone();
                }
                Ok([0x00]);
                break;
            case 0x0A when data.Length == 1 && data[0] <= 2:
                byte[] text = System.Text.Encoding.ASCII.GetBytes(_strings[data[0]]);
                Ok([data[0], (byte)text.Length, .. text]);
                break;
            case 0x0B when data.Length >= 2 && data[0] <= 2 && data[1] <= 23 && data.Length == data[1] + 2:
                _strings[data[0]] = System.Text.Encoding.ASCII.GetString(data, 2, data[1]);
                Ok([0x00]);
                break;
            case 0x0C when data.Length == 0:
                _flash = FactoryBlock();
                _stored = FactoryBlock();
                _strings = (string[])FactoryStrings.Clone();
                Ok([0x00]);
                break;
            case 0x0F when data.Length == 0:
                if (Faults.IgnoreResets > 0)
                {
                    Faults.IgnoreResets--; // lost on the line: no answer, no reset
                    break;
                }
                Ok([0x00]);
                Resets++;
                _rebootPending = true;
                _silentUntilMs = Faults.DeadAfterReset ? long.MaxValue : _clock.ElapsedMilliseconds + (long)Faults.ResetSilence.TotalMilliseconds;
                UsbEnumerated = false;
                break;
            case 0x01 or 0x02 or 0x03 or 0x04 or 0x05 or 0x08 or 0x09 or 0x0A or 0x0B or 0x0C or 0x0F:
                Error(0xE5);
                break;
            default:
                Error(0xE3);
                break;
        }
    }

    private static bool ValidBlock(byte[] block)
    {
        bool workMode = block[0] is <= 0x03 or (>= 0x80 and <= 0x83);
        bool serialMode = block[1] is <= 0x02 or (>= 0x80 and <= 0x82);
        int baud = (int)BinaryPrimitives.ReadUInt32BigEndian(block.AsSpan(3));
        return workMode && serialMode && block[2] != 0xFF && SupportedBauds.Contains(baud);
    }

    private void Reply(ICh9329Wire wire, byte command, byte[] data) => Send(wire, Frame(_active[2], command, data), chatter: false);

    private void Send(ICh9329Wire wire, byte[] frame, bool chatter)
    {
        var output = new List<byte>();
        if (!chatter)
        {
            if (Faults.GarbageBeforeReply > 0)
            {
                // A false header that claims a 60-byte GET_INFO answer: the real answer arrives inside its span.
                output.AddRange([0x00, 0x57, 0x13, 0x57, 0xAB, 0x00, 0x81, 0x3C]);
                for (int k = 0; k < Faults.GarbageBeforeReply; k++)
                {
                    output.Add((byte)_random.Next(0x58, 0x100));
                }
            }
            for (int k = 0; k < Faults.ForeignBeforeReply; k++)
            {
                byte[][] others = [Frame(0, 0x82, [0x00]), Frame(0, 0x85, [0x00]), Frame(0, 0x84, [0x00]), Frame(0, 0xC2, [0xE6])];
                output.AddRange(others[k % others.Length]);
            }
            if (Faults.CorruptReplies)
            {
                frame[^1] ^= 0x5A;
            }
        }
        output.AddRange(frame);
        byte[] bytes = [.. output];
        if (WrongSpeed(wire))
        {
            for (int k = 0; k < bytes.Length; k++)
            {
                bytes[k] = Garble(bytes[k]);
            }
        }
        if (!Faults.SplitReplies || chatter)
        {
            wire.Write(bytes);
            return;
        }
        for (int k = 0; k < bytes.Length; k += 3)
        {
            wire.Write(bytes.AsSpan(k, Math.Min(3, bytes.Length - k)));
            Thread.Sleep(2);
        }
    }

    public static byte[] Frame(byte address, byte command, byte[] data)
    {
        byte[] frame = [0x57, 0xAB, address, command, (byte)data.Length, .. data, 0];
        frame[^1] = Sum(frame.AsSpan(0, frame.Length - 1));
        return frame;
    }

    private static byte Sum(ReadOnlySpan<byte> bytes)
    {
        int sum = 0;
        foreach (byte b in bytes)
        {
            sum += b;
        }
        return (byte)sum;
    }
}
