using System.Text.RegularExpressions;
using KvmTools.Core.Usb;

namespace KvmTools.Core.Config;

/// <summary>The rules a loaded configuration must follow, beyond what its types say.</summary>
public static partial class ConfigValidator
{
    /// <summary>
    /// Names become parts of kvmd channel and driver names (which allow letters, digits, '_' and '-')
    /// and command-line arguments, so they start with a letter and stay short.
    /// </summary>
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,62}$")]
    public static partial Regex NamePattern();

    [GeneratedRegex(@"^[0-9]+-[0-9]+(\.[0-9]+)*$")]
    public static partial Regex UsbPortPattern();

    /// <summary>Words that are sub-commands or arguments where a name can also stand.</summary>
    public static readonly IReadOnlySet<string> ReservedNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "list", "all", "status", "next", "prev", "sync", "is", "help",
    };

    public static void Validate(KvmToolConfig config, ConfigProblems problems)
    {
        if (config.Version is int version && version != KvmToolConfig.SchemaVersion)
        {
            problems.At("version", $"schema version {version} is not supported by this kvmtool (it reads version {KvmToolConfig.SchemaVersion}).",
                "Upgrade kvmtool, or write the file for this version (see /usr/share/doc/kvmtool/examples/kvmtool.yaml.example).");
        }
        foreach (var (name, relay) in config.Relays)
        {
            ValidateRelay(name, relay, problems);
        }
        Switching.SwitchConfig.Validate(config, problems);
        Ch9329.Ch9329ConfigRules.Validate(config.Ch9329, problems);
        Watchdog.WatchdogConfigValidator.Validate(config, problems);
        UsbConfigValidator.Validate(config.Usb, problems);
        Kvmd.KvmdConfigValidator.Validate(config, problems);
    }

    public static bool CheckName(string name, string path, string what, ConfigProblems problems)
    {
        if (!NamePattern().IsMatch(name))
        {
            problems.AtKey(path, $"'{name}' is not a valid {what} name.",
                "Use letters, digits, '-' and '_', starting with a letter (at most 63 characters).");
            return false;
        }
        if (ReservedNames.Contains(name))
        {
            problems.AtKey(path, $"'{name}' cannot be a {what} name: it is a kvmtool command word.", "Pick another name.");
            return false;
        }
        return true;
    }

    private static void ValidateRelay(string name, RelayConfig relay, ConfigProblems problems)
    {
        string at = "relays." + name;
        CheckName(name, at, "relay", problems);

        if (relay.Channel is null)
        {
            problems.AtKey(at, $"relay '{name}' has no 'channel'.", "Add 'channel: 1' (the relay's number on its board).");
        }
        else if (relay.Channel is < 1 or > 255)
        {
            problems.At(at + ".channel", $"channel {relay.Channel} is out of range.", "Relay channels are numbered from 1.");
        }
        if (relay.Channels is < 1 or > 255)
        {
            problems.At(at + ".channels", $"channels {relay.Channels} is out of range.", "Give the board's number of relays, 1 to 255.");
        }
        else if (relay.Channels is int n && relay.Channel > n)
        {
            problems.At(at + ".channel", $"channel {relay.Channel} is more than the board's {n} channels.", "Fix 'channel' or 'channels'.");
        }
        if (relay.PulseMs is < 1 or > 10000)
        {
            problems.At(at + ".pulse-ms", $"pulse-ms {relay.PulseMs} is out of range.", "Give 1 to 10000 milliseconds.");
        }
        if (relay.UsbPort is not null && !UsbPortPattern().IsMatch(relay.UsbPort))
        {
            problems.At(at + ".usb-port", $"'{relay.UsbPort}' is not a USB port path.",
                "Port paths look like 1-1.4; 'kvmtool relay list' shows each board's.");
        }
        if (relay.Port is not null && (relay.UsbPort is not null || relay.Serial is not null || relay.Device is not null))
        {
            problems.At(at + ".port", "'port' (a serial board) cannot be combined with usb-port, serial or device.",
                "Keep 'port' for an LCUS serial board, or the others for a HID board.");
        }
        if (relay.Port is not null && !relay.Port.StartsWith('/'))
        {
            problems.At(at + ".port", $"'{relay.Port}' is not an absolute path.", "Write the serial port as /dev/ttyUSB0.");
        }
        if (relay.Device is not null && !relay.Device.StartsWith('/'))
        {
            problems.At(at + ".device", $"'{relay.Device}' is not an absolute path.", "Write the device as /dev/hidraw0.");
        }
        if (relay.Family is not null && relay.Family is not ("lcus" or "dcttech"))
        {
            problems.At(at + ".family", $"unknown relay family '{relay.Family}'.", "Use lcus or dcttech.");
        }
    }
}
