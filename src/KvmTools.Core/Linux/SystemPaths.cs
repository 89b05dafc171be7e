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

    /// <summary>The roots as the KVMTOOL_*_ROOT/DIR variables (for tests and packagers) move them.</summary>
    public static SystemPaths FromEnvironment(Func<string, string?> environment) => new(
        environment("KVMTOOL_SYSFS_ROOT") ?? Default.SysRoot,
        environment("KVMTOOL_DEV_ROOT") ?? Default.DevRoot,
        environment("KVMTOOL_RUNTIME_DIR") ?? Default.RuntimeDir,
        environment("KVMTOOL_STATE_DIR") ?? Default.StateDir,
        environment("KVMTOOL_ETC_ROOT") ?? Default.EtcRoot,
        environment("KVMTOOL_PROC_ROOT") ?? Default.ProcRoot);

    /// <summary>kvmtool.yaml when neither --config nor KVMTOOL_CONFIG names one: /etc/kvmtool/kvmtool.yaml under <see cref="EtcRoot"/>.</summary>
    public string DefaultConfig => Path.Combine(EtcRoot, "kvmtool", "kvmtool.yaml");

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
