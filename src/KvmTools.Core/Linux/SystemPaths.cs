namespace KvmTools.Core.Linux;

/// <summary>
/// Where kvmtool finds the kernel's trees and keeps its own files. Every root is injectable so that tests run
/// against fixture trees, and so that packagers can move the state directories.
/// </summary>
public sealed record SystemPaths(
    string SysRoot = "/sys",
    string DevRoot = "/dev",
    string RuntimeDir = "/run/kvmtool",
    string StateDir = "/var/lib/kvmtool",
    string EtcRoot = "/etc",
    string ProcRoot = "/proc")
{
    public static SystemPaths Default { get; } = new();

    /// <summary>The per-device lock files; under /run so that a reboot clears stale ones.</summary>
    public string LockDir => Path.Combine(RuntimeDir, "locks");

    public string Sys(params string[] parts) => Path.Combine([SysRoot, .. parts]);

    public string Dev(string name) => Path.Combine(DevRoot, name);

    /// <summary>Maps a /dev path given by a user to the same node under <see cref="DevRoot"/> (for fixture roots).</summary>
    public string MapDevPath(string path) =>
        DevRoot != "/dev" && path.StartsWith("/dev/", StringComparison.Ordinal)
            ? Path.Combine(DevRoot, path["/dev/".Length..])
            : path;
}
