using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using KvmTools.Tests.Fakes;

// ch9329-sim: the unit tests' CH9329 simulator on a unix socket, for a QEMU guest whose usb-serial port
// (an FTDI 0403:6001, ttyUSB0 in the guest) is a chardev connected to that socket. A socket has no line
// speed, so the simulator does not model baud rates here: the chip "hears" every rate.

const string Usage = """
usage: ch9329-sim (--listen PATH | --connect PATH) [options]
  --listen PATH         create the unix socket PATH and serve each connection in turn (QEMU: -chardev socket,path=PATH)
  --connect PATH        connect to a unix socket that QEMU serves (QEMU: -chardev socket,path=PATH,server=on,wait=off)
  --state PATH          keep a JSON summary (resets, frames, baud, address) at PATH, rewritten on every change
  --reset-silence-ms N  how long the chip is deaf after RESET (default 1500)
  --version N           GET_INFO's version byte (default 0x31 = V1.1)
  --leds N              lock-key LEDs: bit 0 Num, 1 Caps, 2 Scroll (default 0)
  --not-enumerated      the target has not enumerated the chip (a reset fixes it)
  --baud N --address N  the chip was configured earlier to this rate and address
  --fault F             silent | garbage | split | foreign | chatter | dead-after-reset | keep-baud-after-reset |
                        ignore-resets=N | unanswered=CMD (repeatable)
""";

string? listen = null, connect = null, statePath = null;
var stateGate = new object();
var chip = new Ch9329Simulator();
chip.Faults.ResetSilence = TimeSpan.FromMilliseconds(1500);
int? baud = null;
byte address = 0;
try
{
    for (int i = 0; i < args.Length; i++)
    {
        string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--listen": listen = Next(); break;
            case "--connect": connect = Next(); break;
            case "--state": statePath = Next(); break;
            case "--reset-silence-ms": chip.Faults.ResetSilence = TimeSpan.FromMilliseconds(Number(Next())); break;
            case "--version": chip.Version = (byte)Number(Next()); break;
            case "--leds": chip.Leds = (byte)Number(Next()); break;
            case "--not-enumerated": chip.UsbEnumerated = false; break;
            case "--baud": baud = Number(Next()); break;
            case "--address": address = (byte)Number(Next()); break;
            case "--fault": Fault(chip.Faults, Next()); break;
            case "-h" or "--help": Console.Write(Usage); return 0;
            default: throw new ArgumentException("unknown argument " + args[i]);
        }
    }
    if ((listen is null) == (connect is null))
    {
        throw new ArgumentException("give exactly one of --listen and --connect");
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine("ch9329-sim: " + e.Message);
    Console.Error.Write(Usage);
    return 2;
}
if (baud is not null || address != 0)
{
    chip.Configure(baud ?? 9600, address);
}

using var stateWriter = statePath is null ? null : new Timer(_ => WriteState(chip, statePath), null, 0, 100);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Finish(chip, statePath, 0);
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => WriteState(chip, statePath);

if (connect is not null)
{
    using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
    var until = DateTime.UtcNow.AddSeconds(30);
    while (true)
    {
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(connect));
            break;
        }
        catch (SocketException) when (DateTime.UtcNow < until)
        {
            Thread.Sleep(100);
        }
    }
    Console.WriteLine($"ch9329-sim: connected to {connect}");
    chip.Run(new SocketWire(socket));
    Finish(chip, statePath, 0);
}

File.Delete(listen!);
using var server = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
server.Bind(new UnixDomainSocketEndPoint(listen!));
server.Listen(1);
Console.WriteLine($"ch9329-sim: listening on {listen}");
while (true)
{
    using var client = server.Accept();
    Console.WriteLine("ch9329-sim: connected");
    chip.Run(new SocketWire(client));
    Console.WriteLine($"ch9329-sim: disconnected ({Summary(chip)})");
}

static int Number(string text) =>
    text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        ? int.Parse(text.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : int.Parse(text, CultureInfo.InvariantCulture);

static void Fault(Ch9329Faults faults, string fault)
{
    string[] parts = fault.Split('=', 2);
    switch (parts[0])
    {
        case "silent": faults.Silent = true; break;
        case "garbage": faults.GarbageBeforeReply = 12; break;
        case "split": faults.SplitReplies = true; break;
        case "foreign": faults.ForeignBeforeReply = 3; break;
        case "chatter": faults.Chatter = TimeSpan.FromMilliseconds(50); break;
        case "dead-after-reset": faults.DeadAfterReset = true; break;
        case "keep-baud-after-reset": faults.KeepBaudAfterReset = true; break;
        case "ignore-resets" when parts.Length == 2: faults.IgnoreResets = Number(parts[1]); break;
        case "unanswered" when parts.Length == 2: faults.Unanswered.Add((byte)Number(parts[1])); break;
        default: throw new ArgumentException("unknown fault " + fault);
    }
}

static string Summary(Ch9329Simulator chip) =>
    $"resets={chip.Resets} frames={chip.Frames.Count} baud={chip.ActiveBaud} address=0x{chip.ActiveAddress:X2}";

// The timer and the exit handlers may write at the same moment.
void WriteState(Ch9329Simulator chip, string? path)
{
    if (path is null)
    {
        return;
    }
    lock (stateGate)
    {
        WriteStateFile(chip, path);
    }
}

static void WriteStateFile(Ch9329Simulator chip, string path)
{
    string json = JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["resets"] = chip.Resets,
        ["frames"] = chip.Frames.Count,
        ["commands"] = chip.Frames.Select(f => $"{f[3]:x2}").ToArray(),
        ["activeBaud"] = chip.ActiveBaud,
        ["activeAddress"] = chip.ActiveAddress,
        ["storedBlock"] = Convert.ToHexString(chip.StoredBlock).ToLowerInvariant(),
        ["usbEnumerated"] = chip.UsbEnumerated,
    });
    string temp = path + ".tmp";
    File.WriteAllText(temp, json + "\n");
    File.Move(temp, path, overwrite: true);
}

void Finish(Ch9329Simulator chip, string? statePath, int code)
{
    WriteState(chip, statePath);
    Console.WriteLine($"ch9329-sim: stopped ({Summary(chip)})");
    Environment.Exit(code);
}

/// <summary>A connected unix socket as the chip's wire; it has no line speed.</summary>
internal sealed class SocketWire(Socket socket) : ICh9329Wire
{
    public int? HostBaud => null;

    public int Read(Span<byte> buffer, int timeoutMs)
    {
        try
        {
            if (!socket.Poll(timeoutMs * 1000, SelectMode.SelectRead))
            {
                return 0;
            }
            int n = socket.Receive(buffer);
            return n == 0 ? -1 : n;
        }
        catch (SocketException)
        {
            return -1;
        }
        catch (ObjectDisposedException)
        {
            return -1;
        }
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        try
        {
            socket.Send(data);
        }
        catch (SocketException e)
        {
            throw new IOException("the socket closed: " + e.Message, e);
        }
    }
}
