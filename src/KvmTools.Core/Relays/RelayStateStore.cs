using System.Globalization;
using System.Text;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Relays;

public enum RelayState
{
    Off,
    On,
    /// <summary>The board cannot be asked and kvmtool has not switched this channel since boot or re-plug.</summary>
    Unknown,
}

/// <summary>
/// The last commanded state of write-only boards, one small file per board under /run/kvmtool/relays.
/// /run is cleared at boot, when the boards power up with every relay off but kvmtool cannot know that
/// for sure; so a missing file means "unknown". The file also records the board's USB bus/device number:
/// a board that was re-plugged gets a new one, and its old state no longer counts.
/// Callers hold the board's lock; writes are atomic, so a reader never sees half a file.
/// </summary>
public sealed class RelayStateStore(SystemPaths paths)
{
    public string PathFor(RelayBoardInfo board) => PathFor(board.StateKey);

    public string PathFor(string stateKey) => Path.Combine(paths.RuntimeDir, "relays", stateKey + ".state");

    public Dictionary<int, bool> Load(RelayBoardInfo board)
    {
        string path = PathFor(board);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return [];
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied: cannot read {path}.",
                $"{Path.GetDirectoryName(path)} must be readable by this user (the package sets it up for group kvmd).", e);
        }
        return Parse(text, board.UsbIdentity);
    }

    /// <summary>The channel states a state file records, if it was written for the board as it is plugged in now.</summary>
    public static Dictionary<int, bool> Parse(string text, string? usbIdentity)
    {
        var states = new Dictionary<int, bool>();
        string? identity = null;
        foreach (string line in text.Split(['\r', '\n']))
        {
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            string key = line[..eq];
            string value = line[(eq + 1)..];
            if (key == "identity")
            {
                identity = value;
            }
            else if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int channel) && value is "on" or "off")
            {
                states[channel] = value == "on";
            }
        }
        if (!string.Equals(identity ?? "", usbIdentity ?? "", StringComparison.Ordinal))
        {
            states.Clear();
        }
        return states;
    }

    public void Save(RelayBoardInfo board, IReadOnlyDictionary<int, bool> states)
    {
        var text = new StringBuilder();
        text.Append("identity=").Append(board.UsbIdentity ?? "").Append('\n');
        foreach (var (channel, on) in states.OrderBy(kv => kv.Key))
        {
            text.Append(channel.ToString(CultureInfo.InvariantCulture)).Append('=').Append(on ? "on" : "off").Append('\n');
        }
        string path = PathFor(board);
        try
        {
            AtomicFile.WriteText(path, text.ToString(),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied: cannot write {path}.",
                $"{Path.GetDirectoryName(path)} must be writable by this user (the package sets it up for group kvmd).", e);
        }
    }
}
