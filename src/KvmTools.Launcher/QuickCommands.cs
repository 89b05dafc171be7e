using System.Globalization;
using KvmTools.Cli;
using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Polling;

namespace KvmTools.Launcher;

/// <summary>
/// The commands kvmd polls, answered without the full command line: 'relay T status', 'switch is P' and
/// 'usb status NAME' (the argv KvmdCommandLines generates), and '--version'. A command is answered here only
/// when its arguments are plain "--option value" pairs (no '=' forms, response files or --json), kvmtool.yaml is
/// absent or has a current index (ConfigIndex), and Polling/ can answer; anything else, every failure included,
/// goes to the full command line, which says it the one way it always does.
/// </summary>
internal static class QuickCommands
{
    private static readonly string[] RelayOptions = ["--device", "--serial", "--usb-port", "--channels", "--config", KvmdCommandLines.QuietOption];
    private static readonly string[] SwitchOptions = ["--switch", "--config", KvmdCommandLines.QuietOption];
    private static readonly string[] UsbOptions = ["--config", KvmdCommandLines.QuietOption];

    public static QuickAnswer? TryAnswer(string[] args, Func<string, string?> environment)
    {
        if (args is ["--version"])
        {
            return new QuickAnswer(BuildInfo.Version + "\n", ExitCodes.Ok);
        }
        string[] allowed = args switch
        {
            ["relay", _, "status", ..] => RelayOptions,
            ["switch", "is", _, ..] => SwitchOptions,
            ["usb", "status", _, ..] => UsbOptions,
            _ => [],
        };
        if (allowed.Length == 0 || Options(args, 3, allowed) is not { } options)
        {
            return null;
        }
        var paths = SystemPaths.FromEnvironment(environment);
        if (Index(paths, options, environment) is not { } index)
        {
            return null;
        }
        IndicatorAnswer? answer = args[0] switch
        {
            "relay" => RelayStatus(paths, index, args[1], options),
            "switch" => SwitchPoll.Is(paths, index, options.Get("--switch"), args[2]),
            _ => UsbPoll.Status(paths, index, args[2]),
        };
        if (answer is not { } a)
        {
            return null;
        }
        return new QuickAnswer(options.Quiet ? "" : a.Word + "\n", a.IsTrue ? ExitCodes.Ok : ExitCodes.Failed);
    }

    private static IndicatorAnswer? RelayStatus(SystemPaths paths, List<string?[]> index, string target, Pairs options)
    {
        int? channels = null;
        if (options.Get("--channels") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                return null;
            }
            channels = n;
        }
        string? device = options.Get("--device"), serial = options.Get("--serial"), usbPort = options.Get("--usb-port");
        if (int.TryParse(target, NumberStyles.None, CultureInfo.InvariantCulture, out int channel))
        {
            return RelayPoll.LcusStatus(paths, device, serial, usbPort, channels, channel);
        }
        // A relay named in kvmtool.yaml brings its own board; board options beside it are an error.
        if (device is not null || serial is not null || usbPort is not null)
        {
            return null;
        }
        foreach (var e in index)
        {
            if (e[0] == ConfigIndex.RelayKind && e[ConfigIndex.RelayField.Name] == target)
            {
                if (e[ConfigIndex.RelayField.Port] is not null || e[ConfigIndex.RelayField.Family] is not null ||
                    !int.TryParse(e[ConfigIndex.RelayField.Channel], NumberStyles.None, CultureInfo.InvariantCulture, out int ch))
                {
                    return null;
                }
                int? boardChannels = channels;
                if (e[ConfigIndex.RelayField.Channels] is { } c && int.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out int n))
                {
                    boardChannels = n;
                }
                return RelayPoll.LcusStatus(paths, e[ConfigIndex.RelayField.Device], e[ConfigIndex.RelayField.Serial],
                    e[ConfigIndex.RelayField.UsbPort], boardChannels, ch);
            }
        }
        return null;
    }

    /// <summary>
    /// The configuration's index as the full command line would see the file now: empty when the default file is
    /// absent; null when there is no current index (the full command line then reads the YAML, validates it and
    /// writes the index for the next call).
    /// </summary>
    private static List<string?[]>? Index(SystemPaths paths, Pairs options, Func<string, string?> environment)
    {
        string? explicitPath = options.Get("--config") ?? environment("KVMTOOL_CONFIG");
        string path = explicitPath ?? paths.DefaultConfig;
        if (ConfigIndex.StampOf(path, out int errno) is null)
        {
            const int ENOENT = 2;
            return explicitPath is null && errno == ENOENT ? [] : null;
        }
        return ConfigIndex.ReadEntries(paths, BuildInfo.Version, path);
    }

    /// <summary>"--option value" pairs (and a single --quiet) after the first <paramref name="words"/> arguments; null for anything else.</summary>
    private static Pairs? Options(string[] args, int words, string[] allowed)
    {
        var pairs = new Pairs();
        for (int i = words; i < args.Length; i += 2)
        {
            string name = args[i];
            if (name == KvmdCommandLines.QuietOption && Array.IndexOf(allowed, name) >= 0)
            {
                if (pairs.Quiet)
                {
                    return null;
                }
                pairs.Quiet = true;
                i--;
                continue;
            }
            if (Array.IndexOf(allowed, name) < 0 || pairs.Get(name) is not null || i + 1 >= args.Length)
            {
                return null;
            }
            string value = args[i + 1];
            if (value.Length == 0 || value[0] is '-' or '@')
            {
                return null;
            }
            pairs.Add(name, value);
        }
        return pairs;
    }

    private sealed class Pairs
    {
        private readonly List<string> _items = [];

        public bool Quiet { get; set; }

        public void Add(string name, string value)
        {
            _items.Add(name);
            _items.Add(value);
        }

        public string? Get(string name)
        {
            for (int i = 0; i < _items.Count; i += 2)
            {
                if (_items[i] == name)
                {
                    return _items[i + 1];
                }
            }
            return null;
        }
    }
}
