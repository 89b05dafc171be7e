using System.Text.Json;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>
/// Reads and writes the watchdog's state file. Writes are atomic (a crash leaves the old or the new file);
/// the file lives under the state directory, not /run, so that a device given up on stays given up across
/// reboots and the hourly limit still counts the resets made just before one.
/// </summary>
public sealed class WatchdogStateStore(SystemPaths paths)
{
    public string FilePath => Path.Combine(paths.StateDir, "watchdog.json");

    /// <summary>The lock that keeps two watchdog runs (cron and a service, say) from acting at once.</summary>
    public string LockPath => Path.Combine(paths.LockDir, "watchdog.lock");

    /// <summary>
    /// The saved state; a missing file is a fresh start. An unreadable or corrupt file is set aside as
    /// watchdog.json.corrupt and reported through <paramref name="problem"/>, so the run can go on.
    /// </summary>
    public WatchdogState Load(Action<string>? problem = null)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(FilePath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new WatchdogState();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied: cannot read {FilePath}.", StateDirHint, e);
        }
        try
        {
            var state = JsonSerializer.Deserialize(bytes, WatchdogStateJson.Default.WatchdogState);
            if (state is not null && state.Version == WatchdogState.CurrentVersion)
            {
                return state;
            }
            problem?.Invoke($"{FilePath} has an unknown format; starting from a fresh state (the old file is kept as {FilePath}.corrupt).");
        }
        catch (JsonException e)
        {
            problem?.Invoke($"{FilePath} is corrupt ({e.Message}); starting from a fresh state (the old file is kept as {FilePath}.corrupt).");
        }
        try
        {
            File.Move(FilePath, FilePath + ".corrupt", overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Keeping the evidence is a courtesy; the fresh state is written over the file either way.
        }
        return new WatchdogState();
    }

    /// <summary>The state as the file holds it (and as 'watchdog status --json' prints it).</summary>
    public static string ToJson(WatchdogState state) => JsonSerializer.Serialize(state, WatchdogStateJson.Default.WatchdogState);

    public void Save(WatchdogState state)
    {
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(state, WatchdogStateJson.Default.WatchdogState);
        try
        {
            AtomicFile.Write(FilePath, bytes,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied: cannot write {FilePath}.", StateDirHint, e);
        }
    }

    private string StateDirHint =>
        $"{paths.StateDir} must be writable by this user: run the watchdog as root (the shipped systemd unit does), " +
        "or as a member of group kvmd (the package creates the directory for that group).";
}
