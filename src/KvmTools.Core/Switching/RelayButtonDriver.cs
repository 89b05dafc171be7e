using KvmTools.Core.Config;
using KvmTools.Core.Relays;

namespace KvmTools.Core.Switching;

/// <summary>
/// A relay channel across the switch's button (the usual build: an LCUS board soldered across a cheap HDMI switch's push button).
/// Presses run under the relay board's lock, the same one 'kvmtool relay' takes.
/// </summary>
public sealed class RelayButtonDriver(RelayService relays, RelayTarget target) : IButtonDriver
{
    public static RelayButtonDriver FromConfig(RelayService relays, SwitchDefinition sw, LoadedConfig config) =>
        new(relays, RelayTarget.Resolve(sw.Config.Relay!, new BoardSelector(), config));

    public T WithButton<T>(TimeSpan lockTimeout, Func<IButton, T> action) =>
        relays.WithChannel(target.Selector, target.Channel, channel => action(new RelayPress(channel)), lockTimeout);

    private sealed class RelayPress(RelayService.RelayChannel channel) : IButton
    {
        public void Press(TimeSpan duration) => channel.Pulse(duration);
    }
}
