using KvmTools.Core.Config;
using KvmTools.Core.Relays;

namespace KvmTools.Core.Switching;

/// <summary>
/// A relay channel across the switch's button (the seed build: an LCUS board soldered to a cheap HDMI switch).
/// Presses run under the relay board's lock, the same one 'kvmtool relay' takes.
/// </summary>
public sealed class RelayButtonDriver(RelayService relays, RelayTarget target, TimeSpan lockTimeout) : IButtonDriver
{
    public static RelayButtonDriver FromConfig(RelayService relays, SwitchDefinition sw, LoadedConfig config, TimeSpan lockTimeout) =>
        new(relays, RelayTarget.Resolve(sw.Config.Relay!, new BoardSelector(), config), lockTimeout);

    public T WithButton<T>(Func<IButton, T> action) =>
        relays.WithChannel(target.Selector, target.Channel, channel => action(new RelayPress(channel)), lockTimeout);

    public T WithLock<T>(Func<T> action)
    {
        using var boardLock = relays.LockBoard(target.Selector, lockTimeout);
        return action();
    }

    private sealed class RelayPress(RelayService.RelayChannel channel) : IButton
    {
        public void Press(TimeSpan duration) => channel.Pulse(duration);
    }
}
