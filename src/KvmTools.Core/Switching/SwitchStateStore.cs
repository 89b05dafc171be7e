using System.Globalization;
using System.Text;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Switching;

/// <summary>How kvmtool knows the active input.</summary>
public enum PortSource
{
    /// <summary>It does not: nothing recorded since boot, a press sequence was interrupted, or the configuration changed.</summary>
    Unknown,
    /// <summary>The user said so with 'switch sync'.</summary>
    Synced,
    /// <summary>kvmtool counted its own presses from a synced or counted input; drifts if anything else moves the switch.</summary>
    Counted,
    /// <summary>The hardware reported it (select lines, or the switch's own answer).</summary>
    ReadBack,
}

/// <summary>What the state file says about a switch.</summary>
/// <param name="Port">The active input, when known.</param>
/// <param name="InterruptedFrom">A press sequence stopped mid-press from this input: the switch shows it or the next one.</param>
/// <param name="LastPressTick">Environment.TickCount64 when the last press was released, so the next press keeps the gap.</param>
public sealed record SwitchState(int? Port, PortSource Source, int? InterruptedFrom = null, long? LastPressTick = null, string? Reason = null)
{
    public static SwitchState Unknown(string reason) => new(null, PortSource.Unknown, Reason: reason);

    public bool Known => Port is not null;
}

/// <summary>
/// One small file per switch under /run/kvmtool/switches, written atomically (never half a file). /run is
/// cleared at boot, and a switch may or may not have been power-cycled with the box, so after a reboot the
/// active input is unknown until 'switch sync' or a read-back. Writers hold the switch's lock; readers
/// ('switch is', 'switch status' on counted backends) need none.
/// </summary>
public sealed class SwitchStateStore(SystemPaths paths)
{
    private const UnixFileMode FileMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead;

    public string PathFor(SwitchDefinition sw) => PathFor(sw.Name);

    public string PathFor(string switchName) => Path.Combine(paths.RuntimeDir, "switches", switchName + ".state");

    public SwitchState Load(SwitchDefinition sw)
    {
        string path = PathFor(sw);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return SwitchState.Unknown("kvmtool has not seen this switch since the box started");
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied: cannot read {path}.",
                $"{Path.GetDirectoryName(path)} must be readable by this user (the package sets it up for group kvmd).", e);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines)
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[line[..eq]] = line[(eq + 1)..];
            }
        }
        int? Int(string key) => values.TryGetValue(key, out var v) && int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : null;
        long? tick = values.TryGetValue("last-press", out var t) && long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long l) ? l : null;

        // A state written for another shape of switch says nothing about this one.
        if (Int("ports") != sw.Ports || !values.TryGetValue("backend", out var backend) || backend != sw.BackendName)
        {
            return SwitchState.Unknown("the switch's configuration changed since the input was recorded") with { LastPressTick = tick };
        }
        if (Int("interrupted-from") is int from && from >= 1 && from <= sw.Ports)
        {
            return new SwitchState(null, PortSource.Unknown, from, tick,
                $"a press sequence was interrupted: the switch shows input {sw.Describe(from)} or {sw.Describe(PressCounting.Next(from, sw.Ports))}");
        }
        var source = values.GetValueOrDefault("source") switch
        {
            "synced" => PortSource.Synced,
            "counted" => PortSource.Counted,
            "read-back" => PortSource.ReadBack,
            _ => PortSource.Unknown,
        };
        if (Int("port") is int port && port >= 1 && port <= sw.Ports && source != PortSource.Unknown)
        {
            return new SwitchState(port, source, null, tick);
        }
        return SwitchState.Unknown("the state file holds no input") with { LastPressTick = tick };
    }

    public void Save(SwitchDefinition sw, SwitchState state)
    {
        var text = new StringBuilder();
        text.Append("backend=").Append(sw.BackendName).Append('\n');
        text.Append("ports=").Append(sw.Ports.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (state.Port is int port)
        {
            text.Append("port=").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n');
            text.Append("source=").Append(SourceName(state.Source)).Append('\n');
        }
        if (state.InterruptedFrom is int from)
        {
            text.Append("interrupted-from=").Append(from.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        if (state.LastPressTick is long tick)
        {
            text.Append("last-press=").Append(tick.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        string path = PathFor(sw);
        try
        {
            AtomicFile.WriteText(path, text.ToString(), FileMode);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied: cannot write {path}.",
                $"{Path.GetDirectoryName(path)} must be writable by this user (the package sets it up for group kvmd).", e);
        }
    }

    public static string SourceName(PortSource source) => source switch
    {
        PortSource.Synced => "synced",
        PortSource.Counted => "counted",
        PortSource.ReadBack => "read-back",
        _ => "unknown",
    };
}
