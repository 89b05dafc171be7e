namespace KvmTools.Core.Switching;

/// <summary>
/// A switch's push button, pressed by a relay or a GPIO line. The caller holds the switch's own lock; the
/// driver adds whatever lock guards the device itself (for a relay, the relay board's lock, which
/// 'kvmtool relay' takes too), so that nothing else drives the button during a press sequence.
/// </summary>
public interface IButtonDriver
{
    /// <summary>Runs <paramref name="action"/> with the button ready to press, waiting at most <paramref name="lockTimeout"/> for the device.</summary>
    T WithButton<T>(TimeSpan lockTimeout, Func<IButton, T> action);
}

public interface IButton
{
    /// <summary>Holds the button down for <paramref name="duration"/> and lets it go.</summary>
    void Press(TimeSpan duration);
}

/// <summary>A switch that reports its active input: select lines driven directly, or a switch with a control protocol.</summary>
public interface IPortSelector : IDisposable
{
    /// <summary>The active input as the hardware reports it.</summary>
    int ReadPort();

    /// <summary>Selects <paramref name="port"/> and returns the input the hardware reports afterwards.</summary>
    int Select(int port);
}
