using KvmTools.Core.Serial;

namespace KvmTools.Core.Relays;

/// <summary>An LCUS board behind a CH340 USB-serial chip, 9600 8N1.</summary>
public sealed class LcusSerialBoard(RelayBoardInfo info, ISerialLink link) : IRelayBoard
{
    public const int BaudRate = 9600;

    /// <summary>The board's MCU drops a command that follows the previous one too closely.</summary>
    private static readonly TimeSpan CommandGap = TimeSpan.FromMilliseconds(20);

    private bool _sentOne;

    public RelayBoardInfo Info => info;

    public void Set(int channel, bool on)
    {
        if (_sentOne)
        {
            Thread.Sleep(CommandGap);
        }
        link.Write(LcusProtocol.Encode(channel, on));
        _sentOne = true;
    }

    public void SetAll(bool on)
    {
        for (int channel = 1; channel <= info.Channels; channel++)
        {
            Set(channel, on);
        }
    }

    public bool[]? ReadStates() => null;

    public void Dispose() => link.Dispose();
}
