using System.Globalization;
using KvmTools.Core.Config;
using YamlDotNet.Serialization;

namespace KvmTools.Core.Switching;

/// <summary>
/// One KVM/HDMI switch under 'switches:' in kvmtool.yaml: how kvmtool drives it (the backend), how many inputs
/// it has and what they are called, and the backend's own settings.
/// </summary>
[YamlSerializable]
public sealed class SwitchConfig
{
    /// <summary>relay-button, gpio-button, gpio-select, tesmart or ezcoo.</summary>
    public string? Backend { get; set; }

    public int? Ports { get; set; }

    /// <summary>Optional names for the inputs, in order; usable instead of numbers ('kvmtool switch nas').</summary>
    public List<string>? PortNames { get; set; }

    /// <summary>relay-button: a relay named under 'relays:' whose contact is across the switch's button.</summary>
    public string? Relay { get; set; }

    /// <summary>Button backends: how long one press holds the button.</summary>
    public int? PressMs { get; set; }

    /// <summary>Button backends: the pause after a press before the next, so that the switch's MCU counts each one.</summary>
    public int? GapMs { get; set; }

    /// <summary>GPIO backends: gpiochipN, /dev/gpiochipN, or the chip's label.</summary>
    public string? Chip { get; set; }

    /// <summary>gpio-button: the line offset wired to the button.</summary>
    public int? Line { get; set; }

    /// <summary>gpio-select: the line offsets wired to the select inputs (S1, S2, ...).</summary>
    public List<int>? Lines { get; set; }

    /// <summary>GPIO backends: the lines are active when low (a button pulled to ground when pressed).</summary>
    public bool? ActiveLow { get; set; }

    /// <summary>gpio-select: the level of each line per port; default: the binary value of port-1, first line lowest.</summary>
    public Dictionary<int, List<int>>? Codes { get; set; }

    /// <summary>Serial switches: the serial port.</summary>
    public string? Port { get; set; }

    public int? Baud { get; set; }

    /// <summary>tesmart: the switch's address on the LAN, instead of a serial port.</summary>
    public string? Host { get; set; }

    public int? TcpPort { get; set; }

    public const int MinPorts = 2;
    public const int MaxPorts = 16;

    /// <summary>
    /// A whole press sequence must fit well inside kvmtool's 60 s backstop, including a wait for another
    /// sequence to finish first; 20 s covers 15 presses of 150+350 ms with room to spare.
    /// </summary>
    public const int MaxSequenceMs = 20000;

    public static readonly IReadOnlyList<string> Backends = ["relay-button", "gpio-button", "gpio-select", "tesmart", "ezcoo"];

    /// <summary>Checks every switch; called by the configuration validator with the whole file, for cross-references.</summary>
    public static void Validate(KvmToolConfig config, ConfigProblems problems)
    {
        foreach (var (name, sw) in config.Switches)
        {
            sw.Validate(name, config, problems);
        }
    }

    private void Validate(string name, KvmToolConfig config, ConfigProblems problems)
    {
        string at = "switches." + name;
        ConfigValidator.CheckName(name, at, "switch", problems);

        if (Backend is null)
        {
            problems.AtKey(at, $"switch '{name}' has no 'backend'.", "Add 'backend:' with one of: " + string.Join(", ", Backends) + ".");
            return;
        }
        if (!Backends.Contains(Backend))
        {
            problems.At(at + ".backend", $"unknown switch backend '{Backend}'.", "Use one of: " + string.Join(", ", Backends) + ".");
            return;
        }
        var kind = SwitchBackends.Parse(Backend);

        int maxPorts = kind == SwitchBackend.Ezcoo ? EzcooProtocol.MaxPorts : MaxPorts;
        if (Ports is null)
        {
            problems.AtKey(at, $"switch '{name}' has no 'ports'.", "Add 'ports: N' (how many inputs the switch has).");
        }
        else if (Ports < MinPorts || Ports > maxPorts)
        {
            problems.At(at + ".ports", $"ports {Ports} is out of range.", $"A {Backend} switch has {MinPorts} to {maxPorts} inputs.");
        }
        ValidatePortNames(at, problems);

        Allow(at, problems, kind, "relay", Relay, SwitchBackend.RelayButton);
        Allow(at, problems, kind, "press-ms", PressMs, SwitchBackend.RelayButton, SwitchBackend.GpioButton);
        Allow(at, problems, kind, "gap-ms", GapMs, SwitchBackend.RelayButton, SwitchBackend.GpioButton);
        Allow(at, problems, kind, "chip", Chip, SwitchBackend.GpioButton, SwitchBackend.GpioSelect);
        Allow(at, problems, kind, "active-low", ActiveLow, SwitchBackend.GpioButton, SwitchBackend.GpioSelect);
        Allow(at, problems, kind, "line", Line, SwitchBackend.GpioButton);
        Allow(at, problems, kind, "lines", Lines, SwitchBackend.GpioSelect);
        Allow(at, problems, kind, "codes", Codes, SwitchBackend.GpioSelect);
        Allow(at, problems, kind, "port", Port, SwitchBackend.Tesmart, SwitchBackend.Ezcoo);
        Allow(at, problems, kind, "baud", Baud, SwitchBackend.Tesmart, SwitchBackend.Ezcoo);
        Allow(at, problems, kind, "host", Host, SwitchBackend.Tesmart);
        Allow(at, problems, kind, "tcp-port", TcpPort, SwitchBackend.Tesmart);

        switch (kind)
        {
            case SwitchBackend.RelayButton:
                if (Relay is null)
                {
                    problems.AtKey(at, $"switch '{name}' has no 'relay'.", "Name the relay across the switch's button: 'relay: hdmi-button' (defined under 'relays:').");
                }
                else if (!config.Relays.ContainsKey(Relay))
                {
                    string known = config.Relays.Count == 0 ? "no relays are defined" : "defined: " + string.Join(", ", config.Relays.Keys.Order(StringComparer.Ordinal));
                    problems.At(at + ".relay", $"relay '{Relay}' is not defined under 'relays:' ({known}).", "Define it under 'relays:', or fix the name.");
                }
                ValidateTimings(at, problems);
                break;
            case SwitchBackend.GpioButton:
                RequireChip(name, at, problems);
                if (Line is null)
                {
                    problems.AtKey(at, $"switch '{name}' has no 'line'.", "Add 'line: N', the offset of the GPIO line wired to the button ('gpioinfo' lists them).");
                }
                else if (Line is < 0 or > 511)
                {
                    problems.At(at + ".line", $"line {Line} is out of range.", "Give the line's offset on its chip (0, 1, ...).");
                }
                ValidateTimings(at, problems);
                break;
            case SwitchBackend.GpioSelect:
                RequireChip(name, at, problems);
                ValidateSelectLines(name, at, problems);
                break;
            case SwitchBackend.Tesmart:
                if ((Port is null) == (Host is null))
                {
                    problems.AtKey(at, $"switch '{name}' needs exactly one of 'port' (serial) and 'host' (LAN).",
                        "Give 'port: /dev/ttyUSB0' for the RS-232 port, or 'host: 192.168.1.10' for the LAN port.");
                }
                if (TcpPort is < 1 or > 65535)
                {
                    problems.At(at + ".tcp-port", $"tcp-port {TcpPort} is out of range.", "TESmart switches listen on 5000 unless changed.");
                }
                ValidateSerial(name, at, problems, required: false);
                break;
            case SwitchBackend.Ezcoo:
                ValidateSerial(name, at, problems, required: true);
                break;
        }
    }

    private static void Allow<T>(string at, ConfigProblems problems, SwitchBackend kind, string key, T? value, params SwitchBackend[] backends)
    {
        if (value is not null && !backends.Contains(kind))
        {
            problems.AtKey(at + "." + key, $"'{key}' does not apply to a {SwitchBackends.Name(kind)} switch.",
                $"'{key}' belongs to: " + string.Join(", ", backends.Select(SwitchBackends.Name)) + ".");
        }
    }

    private void ValidatePortNames(string at, ConfigProblems problems)
    {
        if (PortNames is null)
        {
            return;
        }
        if (Ports is int n && PortNames.Count != n)
        {
            problems.At(at + ".port-names", $"{PortNames.Count} port names for {n} ports.", "Give one name per input, in order.");
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < PortNames.Count; i++)
        {
            string portName = PortNames[i] ?? "";
            string path = $"{at}.port-names[{i}]";
            if (!ConfigValidator.NamePattern().IsMatch(portName))
            {
                problems.At(path, $"'{portName}' is not a valid port name.", "Use letters, digits, '-' and '_', starting with a letter.");
            }
            else if (ConfigValidator.ReservedNames.Contains(portName))
            {
                problems.At(path, $"'{portName}' cannot be a port name: it is a kvmtool command word.", "Pick another name.");
            }
            else if (!seen.Add(portName))
            {
                problems.At(path, $"port name '{portName}' is used twice.", "Give each input its own name.");
            }
        }
    }

    private void ValidateTimings(string at, ConfigProblems problems)
    {
        if (PressMs is < 10 or > 2000)
        {
            problems.At(at + ".press-ms", $"press-ms {PressMs} is out of range.", "Give 10 to 2000 milliseconds (default " + SwitchTimings.DefaultPress.TotalMilliseconds + ").");
        }
        if (GapMs is < 10 or > 5000)
        {
            problems.At(at + ".gap-ms", $"gap-ms {GapMs} is out of range.", "Give 10 to 5000 milliseconds (default " + SwitchTimings.DefaultGap.TotalMilliseconds + ").");
        }
        if (Ports is int n and >= MinPorts and <= MaxPorts && PressMs is not (< 10 or > 2000) && GapMs is not (< 10 or > 5000))
        {
            var timings = SwitchTimings.From(this);
            double longest = (n - 1) * (timings.Press + timings.Gap).TotalMilliseconds;
            if (longest > MaxSequenceMs)
            {
                problems.AtKey(at, $"the longest press sequence ({n - 1} presses) would take {longest:0} ms, more than {MaxSequenceMs} ms.",
                    "Shorten press-ms or gap-ms: kvmd waits for kvmtool without a timeout, so every command is bounded.");
            }
        }
    }

    private void RequireChip(string name, string at, ConfigProblems problems)
    {
        if (string.IsNullOrEmpty(Chip))
        {
            problems.AtKey(at, $"switch '{name}' has no 'chip'.", "Add 'chip: gpiochip0' (or the chip's label; 'gpiodetect' lists the chips).");
        }
    }

    private void ValidateSelectLines(string name, string at, ConfigProblems problems)
    {
        if (Lines is null || Lines.Count == 0)
        {
            problems.AtKey(at, $"switch '{name}' has no 'lines'.", "Add 'lines: [22, 23]', the GPIO lines wired to the switch's select inputs (S1, S2).");
            return;
        }
        if (Lines.Count > 6)
        {
            problems.At(at + ".lines", $"{Lines.Count} select lines are more than kvmtool drives (6).", "Switches select among their inputs with a few binary lines.");
        }
        if (Lines.Any(l => l is < 0 or > 511))
        {
            problems.At(at + ".lines", "a line offset is out of range.", "Give the lines' offsets on their chip (0, 1, ...).");
        }
        if (Lines.Distinct().Count() != Lines.Count)
        {
            problems.At(at + ".lines", "a line is listed twice.", "List each select line once.");
        }
        if (Ports is not int ports)
        {
            return;
        }
        if (Codes is null)
        {
            if (ports > 1 << Lines.Count)
            {
                problems.At(at + ".lines", $"{Lines.Count} lines cannot select among {ports} ports.", $"Give at least {Math.Ceiling(Math.Log2(ports))} lines, or 'codes:'.");
            }
            return;
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int port = 1; port <= ports; port++)
        {
            if (!Codes.TryGetValue(port, out var code))
            {
                problems.AtKey(at + ".codes", $"codes has no entry for port {port}.", "Give the level of each line for every port, e.g. '1: [0, 0]'.");
                continue;
            }
            string path = at + ".codes." + port.ToString(CultureInfo.InvariantCulture);
            if (code is null || code.Count != Lines.Count || code.Any(v => v is not (0 or 1)))
            {
                problems.At(path, $"the code for port {port} must list {Lines.Count} levels, each 0 or 1.", "One level per line in 'lines', in the same order.");
                continue;
            }
            string key = string.Join(",", code);
            if (seen.TryGetValue(key, out int other))
            {
                problems.At(path, $"ports {other} and {port} have the same code [{key}].", "Each port needs its own combination of levels.");
            }
            seen[key] = port;
        }
        foreach (int port in Codes.Keys.Where(p => p < 1 || p > ports))
        {
            problems.AtKey(at + ".codes." + port.ToString(CultureInfo.InvariantCulture), $"codes has an entry for port {port}, which does not exist.", $"Ports are 1 to {ports}.");
        }
    }

    private void ValidateSerial(string name, string at, ConfigProblems problems, bool required)
    {
        if (required && Port is null)
        {
            problems.AtKey(at, $"switch '{name}' has no 'port'.", "Add 'port: /dev/ttyUSB0', the switch's serial port.");
        }
        if (Port is not null && !Port.StartsWith('/'))
        {
            problems.At(at + ".port", $"'{Port}' is not an absolute path.", "Write the serial port as /dev/ttyUSB0.");
        }
        if (Baud is int baud && !SerialBauds.Contains(baud))
        {
            problems.At(at + ".baud", $"baud {baud} is not a standard rate.", "Use one of " + string.Join(", ", SerialBauds) + ".");
        }
    }

    private static readonly int[] SerialBauds = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200];
}
