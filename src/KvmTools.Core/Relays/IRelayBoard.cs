namespace KvmTools.Core.Relays;

/// <summary>One open relay board: a protocol bound to a transport. Callers hold the board's lock.</summary>
public interface IRelayBoard : IDisposable
{
    RelayBoardInfo Info { get; }

    void Set(int channel, bool on);

    void SetAll(bool on);

    /// <summary>The state of every channel, index 0 = channel 1; null when the board cannot report it.</summary>
    bool[]? ReadStates();
}
