using System.Net;
using System.Net.Sockets;
using System.Text;
using KvmTools.Core.Switching;

namespace KvmTools.Tests.Fakes;

/// <summary>A KVM switch's control port: bytes in, answer bytes out. Transports below carry it over a pty or TCP.</summary>
public interface ISwitchDevice
{
    byte[] Feed(ReadOnlySpan<byte> input);
}

/// <summary>
/// A TESmart switch's UART as its firmware behaves: six-byte frames AA BB 03 cmd val EE; select (01, 1-based)
/// and query (10 00), answered with AA BB 03 11 (N-1) EE. Bytes that do not form a frame are skipped until the
/// next AA. Options model what real units do: answer a select with the old input, take a few queries to
/// switch, ignore inputs without a signal, or not answer at all.
/// </summary>
public sealed class TesmartSimulator(int ports = 8, int active = 1) : ISwitchDevice
{
    private readonly List<byte> _buffer = [];
    private readonly object _gate = new();
    private int _pendingQueries;
    private int _pendingPort;

    public int Active { get; private set; } = active;

    public bool AnswersSelectWithOldInput { get; set; }

    /// <summary>Queries after a select that still report the previous input (the switch is still switching).</summary>
    public int SwitchingQueries { get; set; }

    /// <summary>Inputs the switch refuses to select (no signal, with auto-detection on).</summary>
    public HashSet<int> Refused { get; } = [];

    public bool Mute { get; set; }

    public List<byte[]> Frames { get; } = [];

    public byte[] Feed(ReadOnlySpan<byte> input)
    {
        lock (_gate)
        {
            _buffer.AddRange(input.ToArray());
            var answer = new List<byte>();
            while (true)
            {
                int start = _buffer.IndexOf(0xAA);
                if (start < 0)
                {
                    _buffer.Clear();
                    break;
                }
                _buffer.RemoveRange(0, start);
                if (_buffer.Count < 6)
                {
                    break;
                }
                byte[] f = _buffer.Take(6).ToArray();
                if (f[1] != 0xBB || f[2] != 0x03 || f[5] != 0xEE)
                {
                    _buffer.RemoveAt(0);
                    continue;
                }
                _buffer.RemoveRange(0, 6);
                Frames.Add(f);
                Handle(f[3], f[4], answer);
            }
            return Mute ? [] : [.. answer];
        }
    }

    private void Handle(byte command, byte value, List<byte> answer)
    {
        if (command == 0x01 && value >= 1 && value <= ports)
        {
            if (AnswersSelectWithOldInput)
            {
                answer.AddRange(TesmartProtocol.EncodeReport(Active));
            }
            if (!Refused.Contains(value))
            {
                _pendingPort = value;
                _pendingQueries = SwitchingQueries;
                if (_pendingQueries == 0)
                {
                    Active = value;
                }
            }
        }
        else if (command == 0x10)
        {
            if (_pendingQueries > 0 && --_pendingQueries == 0)
            {
                answer.AddRange(TesmartProtocol.EncodeReport(Active));
                Active = _pendingPort;
                return;
            }
            answer.AddRange(TesmartProtocol.EncodeReport(Active));
        }
    }
}

/// <summary>
/// An ezcoo switch's USB serial console (firmware 2.x): line commands ending in LF; 'EZS OUT1 VS INn' routes
/// input n and prints the IR-style code of the new input; 'EZG OUT1 VS' prints 'OUT1 VS n' and the code.
/// <see cref="DropNext"/> models the firmware's habit of losing a command.
/// </summary>
public sealed class EzcooSimulator(int active = 1) : ISwitchDevice
{
    private static readonly string[] Codes = ["V0CS", "V18S", "V5ES", "V08S"];
    private readonly StringBuilder _line = new();
    private readonly object _gate = new();

    public int Active { get; private set; } = active;

    public int DropNext { get; set; }

    public List<string> Lines { get; } = [];

    public byte[] Feed(ReadOnlySpan<byte> input)
    {
        lock (_gate)
        {
            var answer = new StringBuilder();
            foreach (byte b in input)
            {
                if (b != (byte)'\n')
                {
                    _line.Append((char)b);
                    continue;
                }
                string line = _line.ToString().Trim();
                _line.Clear();
                Lines.Add(line);
                if (DropNext > 0)
                {
                    DropNext--;
                    continue;
                }
                if (line.StartsWith("EZS OUT1 VS IN", StringComparison.Ordinal) && int.TryParse(line["EZS OUT1 VS IN".Length..], out int n) && n is >= 1 and <= 4)
                {
                    Active = n;
                    answer.Append(Codes[n - 1]).Append('\x0e');
                }
                else if (line == "EZG OUT1 VS")
                {
                    answer.Append($"OUT1 VS {Active}\r\n").Append(Codes[Active - 1]).Append('\x0e');
                }
            }
            return Encoding.ASCII.GetBytes(answer.ToString());
        }
    }
}

/// <summary>Connects a simulated switch to the master side of a pseudo-terminal: kvmtool opens the slave as its serial port.</summary>
public sealed class PtySwitchPump : IDisposable
{
    private readonly PseudoTerminal _pty;
    private readonly ISwitchDevice _device;
    private readonly Thread _thread;
    private volatile bool _stop;

    public PtySwitchPump(ISwitchDevice device)
    {
        _pty = new PseudoTerminal();
        _device = device;
        _thread = new Thread(Run) { IsBackground = true, Name = "pty-switch" };
        _thread.Start();
    }

    public string Port => _pty.SlavePath;

    private void Run()
    {
        while (!_stop)
        {
            byte[] input = _pty.ReadAvailable(1, TimeSpan.FromMilliseconds(20));
            if (input.Length > 0)
            {
                byte[] answer = _device.Feed(input);
                if (answer.Length > 0)
                {
                    _pty.Write(answer);
                }
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _pty.Dispose();
    }
}

/// <summary>A simulated switch's LAN port on 127.0.0.1: one client at a time, as the TESmart LAN bridge serves.</summary>
public sealed class TcpSwitchServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ISwitchDevice _device;
    private readonly Thread _thread;
    private volatile bool _stop;

    public TcpSwitchServer(ISwitchDevice device)
    {
        _device = device;
        _listener.Start();
        _thread = new Thread(Run) { IsBackground = true, Name = "tcp-switch" };
        _thread.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Connections { get; private set; }

    private void Run()
    {
        var buffer = new byte[256];
        while (!_stop)
        {
            Socket client;
            try
            {
                client = _listener.AcceptSocket();
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            Connections++;
            using (client)
            {
                try
                {
                    while (!_stop)
                    {
                        if (!client.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead))
                        {
                            continue;
                        }
                        int n = client.Receive(buffer);
                        if (n == 0)
                        {
                            break;
                        }
                        byte[] answer = _device.Feed(buffer.AsSpan(0, n));
                        if (answer.Length > 0)
                        {
                            client.Send(answer);
                        }
                    }
                }
                catch (SocketException)
                {
                    // The client went away; wait for the next.
                }
            }
        }
    }

    public void Dispose()
    {
        _stop = true;
        _listener.Stop();
        _thread.Join();
    }
}
