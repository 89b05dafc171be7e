using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>One rung of a device's escalation ladder (usb-reset, authorize, port-power, relay-power, ch9329-reset).</summary>
public interface IRecoveryStep
{
    /// <summary>The ladder name, as written in kvmtool.yaml.</summary>
    string Name { get; }

    /// <summary>What the step acts on, for logs ("534d:2109 at 1-1.2", "relay capture-power").</summary>
    string Target { get; }

    /// <summary>True when the step interrupts the video stream, so it waits while a user watches a live picture.</summary>
    bool InterruptsVideo { get; }

    /// <summary>The longest the step may take (bounds a whole run).</summary>
    TimeSpan Timeout { get; }

    /// <summary>Acts once; throws a <see cref="KvmToolException"/> when the action itself failed.</summary>
    void Run(Deadline deadline);
}
