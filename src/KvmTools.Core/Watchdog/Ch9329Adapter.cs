using KvmTools.Core.Ch9329;
using KvmTools.Core.Config;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Watchdog;

/// <summary>The watchdog's view of the CH9329, through the same service 'kvmtool ch9329' uses (lock, resync, retries).</summary>
public sealed class Ch9329Adapter(Ch9329Service service, Ch9329Target target) : ICh9329Access
{
    /// <summary>Two attempts with the default recovery wait: a chip that does not come back twice is left to the next run.</summary>
    private const int ResetAttempts = 2;

    public static Ch9329Adapter ForSystem(SystemPaths paths, KvmToolConfig config) =>
        new(Ch9329Service.ForSystem(paths),
            Ch9329Target.Resolve(null, null, null, new LoadedConfig(config, null, YamlLocations.Index(null))));

    public string Describe() => target.Port ?? target.ConfiguredPort ?? "the CH9329's port";

    /// <summary>A GET_INFO is 500 ms per try, three tries, plus the port lock when another kvmtool has it.</summary>
    public TimeSpan InfoTimeout => TimeSpan.FromSeconds(5);

    public TimeSpan ResetTimeout => TimeSpan.FromSeconds(20);

    public string GetInfo(Deadline deadline)
    {
        var result = service.Info(target);
        var info = result.Info;
        return $"{info.Version}, {(info.UsbEnumerated ? "enumerated by the target" : "not enumerated by the target")}";
    }

    public void Reset(Deadline deadline) => service.Reset(target, ResetAttempts, Ch9329Service.DefaultRecoveryTimeout);
}
