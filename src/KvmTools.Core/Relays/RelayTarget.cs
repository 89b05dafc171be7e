using System.Globalization;
using KvmTools.Core.Config;

namespace KvmTools.Core.Relays;

/// <summary>A relay channel as the user named it: a number plus board options, or a name from kvmtool.yaml.</summary>
public sealed record RelayTarget(BoardSelector Selector, int Channel, TimeSpan? DefaultPulse, string? Name)
{
    /// <summary>
    /// Resolves "1" (with the board options given on the command line) or "hdmi-button" (from the config,
    /// which then supplies the board; board options on the command line would be ambiguous and are refused).
    /// </summary>
    public static RelayTarget Resolve(string target, BoardSelector commandLine, LoadedConfig config)
    {
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out int channel))
        {
            return new RelayTarget(commandLine, channel, null, null);
        }
        if (!config.Model.Relays.TryGetValue(target, out var relay))
        {
            string known = config.Model.Relays.Count == 0
                ? "no relays are named in " + (config.Path ?? ConfigLoader.DefaultPath)
                : "the names defined are: " + string.Join(", ", config.Model.Relays.Keys.Order(StringComparer.Ordinal));
            throw new UsageException($"'{target}' is neither a channel number nor a relay named in the configuration ({known}).",
                "Give a channel number (kvmtool relay 1 on) or add the name under 'relays:' in kvmtool.yaml.");
        }
        if (!commandLine.IsEmpty)
        {
            throw new UsageException($"Relay '{target}' is defined in the configuration; the options {commandLine.Describe()} would override its board.",
                $"Drop the board options, or give a channel number instead of '{target}'.");
        }
        return new RelayTarget(FromConfig(relay), relay.Channel!.Value,
            relay.PulseMs is int ms ? TimeSpan.FromMilliseconds(ms) : null, target);
    }

    public static BoardSelector FromConfig(RelayConfig relay) => new(
        Device: relay.Device,
        Serial: relay.Serial,
        UsbPort: relay.UsbPort,
        Port: relay.Port,
        Family: ParseFamily(relay.Family),
        Channels: relay.Channels);

    public static RelayFamily? ParseFamily(string? family) => family switch
    {
        null => null,
        "lcus" => RelayFamily.LcusHid,
        "dcttech" => RelayFamily.Dcttech,
        _ => throw new UsageException($"Unknown relay family '{family}'.", "Use lcus or dcttech."),
    };
}
