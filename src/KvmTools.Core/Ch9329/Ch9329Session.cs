using KvmTools.Core.Linux;
using KvmTools.Core.Serial;

namespace KvmTools.Core.Ch9329;

/// <summary>How kvmtool is talking to the chip: which port, at which rate and address.</summary>
public sealed record Ch9329Link(Ch9329Port Port, int Baud, bool BaudDetected, byte Address)
{
    public string Describe() =>
        $"{Port.Describe()} at {Baud} baud{(BaudDetected ? " (found by --baud auto)" : "")}, address {Ch9329Address.Format(Address)}";
}

/// <summary>
/// An open connection to the chip that can be reopened at another rate or address (after the chip was reset
/// into new settings), and that puts the port's terminal settings back as it found them when disposed.
/// </summary>
public sealed class Ch9329Session : IDisposable
{
    private readonly Func<string, int, ISerialLink> _open;
    private readonly TtySettings? _tty;
    private ISerialLink? _link;
    private Ch9329Chip? _chip;

    internal Ch9329Session(Ch9329Port port, Func<string, int, ISerialLink> open, TtySettings? tty)
    {
        Port = port;
        _open = open;
        _tty = tty;
    }

    public Ch9329Port Port { get; }

    /// <summary>The port's line speed before kvmtool touched it (kvmd's, when kvmd holds the port).</summary>
    public int? PortBaudBefore => _tty?.BaudRate;

    public bool BaudDetected { get; internal set; }

    public Ch9329Chip Chip => _chip ?? throw new InvalidOperationException("Connect first.");

    public Ch9329Link Link => new(Port, Chip.BaudRate, BaudDetected, Chip.Address);

    /// <summary>
    /// (Re)opens the port at <paramref name="baud"/> and drops bytes that arrived before: they answer nothing
    /// kvmtool asked (at worst one reply kvmd was waiting for, which kvmd then asks for again).
    /// </summary>
    public Ch9329Chip Connect(int baud, byte address)
    {
        if (_chip is not null && _chip.BaudRate == baud && _chip.Address == address)
        {
            return _chip;
        }
        if (_link is null || _chip?.BaudRate != baud)
        {
            _link?.Dispose();
            _link = null;
            _link = _open(Port.Path, baud);
            _link.DiscardInput();
        }
        _chip = new Ch9329Chip(_link, baud, address);
        return _chip;
    }

    public void Dispose()
    {
        _link?.Dispose();
        _link = null;
        _tty?.Restore();
        _tty?.Dispose();
    }
}
