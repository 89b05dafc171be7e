using System.Globalization;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Switching;

namespace KvmTools.Core.Polling;

/// <summary>
/// 'switch is P [--switch S]' from the configuration index and the switch's state file: the same switch choice
/// (SwitchDefinition.Resolve), input parsing (ParsePort) and state checks (SwitchStateStore.Load), read with
/// <see cref="SmallFile"/>. SwitchDefinition and SwitchStateStore.Load themselves would add ~95 KB to the kvmtool
/// executable's start-up. Null whenever the full command line must answer, which then also gives the error.
/// </summary>
public static class SwitchPoll
{
    public static IndicatorAnswer? Is(SystemPaths paths, List<string?[]> index, string? switchName, string portText)
    {
        string?[]? entry = null;
        int switches = 0;
        foreach (var e in index)
        {
            if (e[0] == ConfigIndex.SwitchKind)
            {
                switches++;
                if (switchName is null || e[ConfigIndex.SwitchField.Name] == switchName)
                {
                    entry = e;
                }
            }
        }
        if (entry is null || (switchName is null && switches != 1) ||
            !int.TryParse(entry[ConfigIndex.SwitchField.Ports], NumberStyles.None, CultureInfo.InvariantCulture, out int ports))
        {
            return null;
        }
        int port = Port(entry, ports, portText);
        if (port == 0)
        {
            return null;
        }
        string name = entry[ConfigIndex.SwitchField.Name]!;
        switch (SmallFile.Read(new SwitchStateStore(paths).PathFor(name), out string text))
        {
            case SmallFileRead.Missing:
                return IndicatorQueries.Switch(null, port);
            case SmallFileRead.Failed:
                return null;
        }
        return IndicatorQueries.Switch(Active(text, entry[ConfigIndex.SwitchField.Backend], ports), port);
    }

    /// <summary>The input as a number or a port name; 0 when it is neither.</summary>
    private static int Port(string?[] entry, int ports, string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            return port >= 1 && port <= ports ? port : 0;
        }
        for (int i = ConfigIndex.SwitchField.FirstPortName; i < entry.Length; i++)
        {
            if (string.Equals(entry[i], text, StringComparison.Ordinal))
            {
                return i - ConfigIndex.SwitchField.FirstPortName + 1;
            }
        }
        return 0;
    }

    /// <summary>The active input a state file records for a switch of this shape; null when it records none.</summary>
    private static int? Active(string text, string? backend, int ports)
    {
        string? recordedBackend = null, recordedPorts = null, port = null, source = null, interrupted = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            string value = line[(eq + 1)..];
            switch (line[..eq])
            {
                case "backend": recordedBackend = value; break;
                case "ports": recordedPorts = value; break;
                case "port": port = value; break;
                case "source": source = value; break;
                case "interrupted-from": interrupted = value; break;
            }
        }
        if (Int(recordedPorts) != ports || recordedBackend is null || recordedBackend != backend)
        {
            return null; // written for another shape of switch
        }
        if (Int(interrupted) is int from && from >= 1 && from <= ports)
        {
            return null; // a press sequence was interrupted
        }
        return source is "synced" or "counted" or "read-back" && Int(port) is int p && p >= 1 && p <= ports ? p : null;
    }

    private static int? Int(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
}
