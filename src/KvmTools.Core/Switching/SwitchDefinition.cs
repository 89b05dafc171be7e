using System.Globalization;
using KvmTools.Core.Config;

namespace KvmTools.Core.Switching;

/// <summary>A switch from kvmtool.yaml, validated and resolved: what the commands work with.</summary>
public sealed record SwitchDefinition(string Name, SwitchBackend Backend, int Ports, IReadOnlyList<string>? PortNames, SwitchConfig Config)
{
    public SwitchTimings Timings => SwitchTimings.From(Config);

    public bool IsCounted => SwitchBackends.IsCounted(Backend);

    public string BackendName => SwitchBackends.Name(Backend);

    public string? PortName(int port) => PortNames is { } names && port >= 1 && port <= names.Count ? names[port - 1] : null;

    /// <summary>"2" or "2 (pc2)", for messages.</summary>
    public string Describe(int port) => PortName(port) is { } n ? $"{port} ({n})" : port.ToString(CultureInfo.InvariantCulture);

    /// <summary>An input as the user wrote it: its number or its name from port-names.</summary>
    public int ParsePort(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            if (port < 1 || port > Ports)
            {
                throw new UsageException($"Switch '{Name}' has no input {port}; it has inputs 1 to {Ports}.", PortsHint());
            }
            return port;
        }
        if (PortNames is { } names)
        {
            int index = names.ToList().FindIndex(n => string.Equals(n, text, StringComparison.Ordinal));
            if (index >= 0)
            {
                return index + 1;
            }
        }
        throw new UsageException($"'{text}' is neither an input number nor a port name of switch '{Name}'.", PortsHint());
    }

    private string PortsHint() =>
        PortNames is { Count: > 0 } names
            ? $"Give 1 to {Ports} or one of: {string.Join(", ", names)}."
            : $"Give 1 to {Ports}; names can be set with 'port-names:' in kvmtool.yaml.";

    public static SwitchDefinition From(string name, SwitchConfig config) =>
        new(name, SwitchBackends.Parse(config.Backend!), config.Ports!.Value, config.PortNames, config);

    /// <summary>
    /// Picks the switch a command is about: the one named with --switch, or the only one configured.
    /// With several configured and none named, refuses to guess.
    /// </summary>
    public static SwitchDefinition Resolve(LoadedConfig config, string? name)
    {
        var switches = config.Model.Switches;
        string file = config.Path ?? ConfigLoader.DefaultPath;
        if (switches.Count == 0)
        {
            throw new UsageException($"No switch is configured in {file}.",
                "Add a 'switches:' section (see the commented example kvmtool.yaml.example), e.g. a relay-button switch on your HDMI switch's button.");
        }
        string known = string.Join(", ", switches.Keys.Order(StringComparer.Ordinal));
        if (name is null)
        {
            if (switches.Count > 1)
            {
                throw new UsageException($"{switches.Count} switches are configured ({known}); say which one.",
                    $"Add --switch NAME, e.g. 'kvmtool switch 2 --switch {switches.Keys.Order(StringComparer.Ordinal).First()}'.");
            }
            var only = switches.First();
            return From(only.Key, only.Value);
        }
        if (!switches.TryGetValue(name, out var sw))
        {
            throw new UsageException($"No switch is named '{name}' in {file} (configured: {known}).", "Give one of the configured names to --switch.");
        }
        return From(name, sw);
    }
}
