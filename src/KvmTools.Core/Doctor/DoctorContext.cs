using KvmTools.Core.Config;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Doctor;

/// <summary>What the checks read: the system roots, the configuration (or why it did not load), who is asking.</summary>
public sealed record DoctorContext(
    SystemPaths Paths,
    string Version,
    string ConfigPath,
    LoadedConfig? Config,
    KvmToolException? ConfigError,
    UserIdentity CurrentUser)
{
    /// <summary>The user kvmd runs its GPIO command drivers as.</summary>
    public const string KvmdUser = "kvmd";

    public UserIdentity? Kvmd { get; } = UserIdentity.Lookup(KvmdUser, Paths.EtcRoot);

    /// <summary>Where udev rules may live; the package installs into the first.</summary>
    public IReadOnlyList<string> UdevRuleFiles =>
    [
        Path.Combine(Paths.EtcRoot, "..", "usr", "lib", "udev", "rules.d", "60-kvmtool.rules"),
        Path.Combine(Paths.EtcRoot, "..", "lib", "udev", "rules.d", "60-kvmtool.rules"),
        Path.Combine(Paths.EtcRoot, "udev", "rules.d", "60-kvmtool.rules"),
    ];
}
