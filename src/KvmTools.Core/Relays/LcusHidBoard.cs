using KvmTools.Core.Linux;

namespace KvmTools.Core.Relays;

/// <summary>An LCUS board on hidraw: each command is one output report.</summary>
public sealed class LcusHidBoard(RelayBoardInfo info, IHidDevice device) : IRelayBoard
{
    public RelayBoardInfo Info => info;

    public void Set(int channel, bool on) => device.WriteOutputReport(LcusProtocol.Encode(channel, on));

    public void SetAll(bool on)
    {
        for (int channel = 1; channel <= info.Channels; channel++)
        {
            Set(channel, on);
        }
    }

    public bool[]? ReadStates() => null;

    public void Dispose() => device.Dispose();
}
