using KvmTools.Core.Linux;
using KvmTools.Core.Serial;

namespace KvmTools.Core.Switching;

/// <summary>How a switch with a control protocol is spoken to: frames to send and how to read its answer.</summary>
public sealed record SwitchProtocol(
    string Family,
    Func<int, byte[]> EncodeSelect,
    Func<byte[]> EncodeQuery,
    ReadOnlySpanDecoder DecodeActive,
    int SelectRepeats);

public delegate int? ReadOnlySpanDecoder(ReadOnlySpan<byte> received);

/// <summary>
/// A KVM switch that takes a select command and answers a query for its active input, over a serial line
/// or TCP. A select is confirmed by querying until the switch reports the new input (switches take a moment
/// to switch, and some drop a command sent too soon after another).
/// </summary>
public sealed class ProtocolSwitch : IPortSelector
{
    /// <summary>TESmart and ezcoo answer a query within tens of milliseconds; a second allows for a busy MCU.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(1);

    public const int QueryAttempts = 3;

    /// <summary>A switch shows the new input within about a second (kvmd waits 1 s after a TESmart select); 5 s is generous.</summary>
    public static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan FirstConfirmDelay = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan ConfirmInterval = TimeSpan.FromMilliseconds(300);

    /// <summary>Some firmware drops a command that follows another within a few milliseconds.</summary>
    private static readonly TimeSpan RepeatGap = TimeSpan.FromMilliseconds(50);

    private readonly SwitchProtocol _protocol;
    private readonly Func<ISerialLink> _connect;
    private readonly bool _connectPerCommand;
    private readonly int _ports;
    private ISerialLink? _link;

    /// <param name="connectPerCommand">Open a new connection for every exchange (TCP: the switch serves one client, and kvmd connects per command too).</param>
    public ProtocolSwitch(SwitchProtocol protocol, Func<ISerialLink> connect, bool connectPerCommand, int ports)
    {
        _protocol = protocol;
        _connect = connect;
        _connectPerCommand = connectPerCommand;
        _ports = ports;
    }

    public int ReadPort()
    {
        string where = "";
        for (int attempt = 1; attempt <= QueryAttempts; attempt++)
        {
            var (port, name) = Exchange(_protocol.EncodeQuery(), expectAnswer: true);
            where = name;
            if (port is int p)
            {
                if (p > _ports)
                {
                    throw new OperationFailedException(
                        $"The {_protocol.Family} switch on {name} reports input {p}, but kvmtool.yaml gives it {_ports} ports.",
                        "Set 'ports:' to the switch's number of inputs.");
                }
                return p;
            }
        }
        throw new DeviceTimeoutException(
            $"The {_protocol.Family} switch on {where} did not report its active input ({QueryAttempts} tries, {AnswerTimeout.TotalSeconds:0.#} s each).",
            _protocol.Family == "tesmart"
                ? "Check the cable (RS-232 needs TX/RX crossed) and 'baud:' (TESmart: 9600), or the LAN address."
                : "Check the USB cable and 'baud:' (ezcoo: 115200); ezcoo firmware before 1.20 does not know the EZ commands.");
    }

    public int Select(int port)
    {
        var command = _protocol.EncodeSelect(port);
        for (int i = 0; i < _protocol.SelectRepeats; i++)
        {
            if (i > 0)
            {
                Thread.Sleep(RepeatGap);
            }
            Exchange(command, expectAnswer: false);
        }
        var deadline = Deadline.After(ConfirmTimeout);
        Thread.Sleep(FirstConfirmDelay);
        int reported = ReadPort();
        while (reported != port && !deadline.Expired)
        {
            Thread.Sleep(ConfirmInterval);
            reported = ReadPort();
        }
        return reported;
    }

    private (int? Port, string Name) Exchange(byte[] command, bool expectAnswer)
    {
        var link = _link ??= _connect();
        try
        {
            link.DiscardInput();
            link.Write(command);
            if (!expectAnswer)
            {
                return (null, link.PortName);
            }
            var received = new List<byte>();
            var buffer = new byte[256];
            var deadline = Deadline.After(AnswerTimeout);
            while (!deadline.Expired)
            {
                int n = link.Read(buffer, deadline);
                if (n > 0)
                {
                    received.AddRange(buffer.AsSpan(0, n));
                    if (_protocol.DecodeActive(received.ToArray()) is int port)
                    {
                        return (port, link.PortName);
                    }
                }
            }
            return (null, link.PortName);
        }
        finally
        {
            if (_connectPerCommand)
            {
                _link = null;
                link.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _link?.Dispose();
        _link = null;
    }
}
