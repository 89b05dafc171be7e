namespace KvmTools.Core.Switching;

/// <summary>
/// A switch's push button, pressed by a relay or a GPIO line. The lock it takes is shared with everything
/// else that drives the same button, so that the switch's state file changes in step with the presses.
/// </summary>
public interface IButtonDriver
{
    /// <summary>Runs <paramref name="action"/> holding the button's lock, with the button ready to press.</summary>
    T WithButton<T>(Func<IButton, T> action);

    /// <summary>Runs <paramref name="action"/> holding the button's lock, without touching the device.</summary>
    T WithLock<T>(Func<T> action);
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
