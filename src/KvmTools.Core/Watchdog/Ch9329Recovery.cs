using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>
/// What the watchdog needs from the CH9329 capability (Core/Ch9329): ask the chip GET_INFO, and reset it.
/// Implemented by an adapter over the chip class where that exists; the chip comes from the ch9329: section.
/// </summary>
public interface ICh9329Access
{
    /// <summary>Where the chip is, for logs ("/dev/ttyAMA0").</summary>
    string Describe();

    TimeSpan InfoTimeout { get; }

    TimeSpan ResetTimeout { get; }

    /// <summary>GET_INFO; returns a one-line summary (version, USB enumerated, lock LEDs), throws when the chip does not answer.</summary>
    string GetInfo(Deadline deadline);

    /// <summary>The chip's software reset, then waits until it answers again.</summary>
    void Reset(Deadline deadline);
}

/// <summary>The CH9329 answers GET_INFO.</summary>
public sealed class Ch9329InfoProbe(ICh9329Access chip) : IWatchdogProbe
{
    public string Name => "ch9329";

    public TimeSpan Timeout => chip.InfoTimeout;

    public ProbeResult Check(Deadline deadline) => ProbeResult.Ok($"{chip.Describe()}: {chip.GetInfo(deadline)}");
}

/// <summary>ch9329-reset: the keyboard/mouse chip's own reset; the video stream is not touched.</summary>
public sealed class Ch9329ResetStep(ICh9329Access chip) : IRecoveryStep
{
    public string Name => WatchdogSteps.Ch9329Reset;

    public string Target => "CH9329 at " + chip.Describe();

    public bool InterruptsVideo => false;

    public TimeSpan Timeout => chip.ResetTimeout;

    public void Run(Deadline deadline) => chip.Reset(deadline);
}
