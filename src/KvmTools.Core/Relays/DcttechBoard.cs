using KvmTools.Core.Linux;

namespace KvmTools.Core.Relays;

/// <summary>A dcttech USBRelay board: commands and state through feature reports.</summary>
public sealed class DcttechBoard(RelayBoardInfo info, IHidDevice device) : IRelayBoard
{
    public RelayBoardInfo Info => info;

    public void Set(int channel, bool on) => device.SendFeatureReport(DcttechProtocol.EncodeSet(channel, on));

    public void SetAll(bool on) => device.SendFeatureReport(DcttechProtocol.EncodeSetAll(on));

    public bool[]? ReadStates()
    {
        var state = ReadState(device);
        var result = new bool[info.Channels];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = state.IsOn(i + 1);
        }
        return result;
    }

    public static DcttechState ReadState(IHidDevice device)
    {
        byte[] buffer = DcttechProtocol.NewGetBuffer();
        int n = device.GetFeatureReport(buffer);
        return DcttechProtocol.DecodeState(buffer.AsSpan(0, Math.Min(n, buffer.Length)));
    }

    public void Dispose() => device.Dispose();
}
