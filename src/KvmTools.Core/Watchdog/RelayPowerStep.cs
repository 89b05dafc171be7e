using KvmTools.Core.Config;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;

namespace KvmTools.Core.Watchdog;

/// <summary>
/// Cuts the dongle's power with a relay: on (power cut), wait, off (power back). The dongle's supply runs
/// through the relay's normally-closed contact, so "off" — also the state after a reboot or a dead board —
/// means powered. Power is restored in a finally block, with one retry, whatever happened in between.
/// </summary>
public sealed class RelayPowerStep(
    Func<RelayService> relays, string relayName, RelayConfig relay, TimeSpan offTime, Action<TimeSpan>? sleep = null) : IRecoveryStep
{
    public const int DefaultOffSeconds = 3;

    private readonly Action<TimeSpan> _sleep = sleep ?? Thread.Sleep;

    public string Name => "relay-power";

    public string Target => $"relay {relayName}";

    public bool InterruptsVideo => true;

    /// <summary>Two relay switches (each may queue behind another kvmtool for its lock) and the time off.</summary>
    public TimeSpan Timeout => offTime + RelayService.DefaultLockTimeout * 2 + TimeSpan.FromSeconds(5);

    public void Run(Deadline deadline)
    {
        var service = relays();
        var selector = RelayTarget.FromConfig(relay);
        int channel = relay.Channel ?? throw new UsageException($"Relay '{relayName}' has no channel.");
        service.Set(selector, channel, true);
        try
        {
            _sleep(offTime);
        }
        finally
        {
            try
            {
                service.Set(selector, channel, false);
            }
            catch (KvmToolException)
            {
                // Leaving the dongle unpowered would be worse than the failure we came to fix: try once more.
                _sleep(TimeSpan.FromSeconds(1));
                service.Set(selector, channel, false);
            }
        }
    }
}
