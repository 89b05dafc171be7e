using KvmTools.Core.Config;

namespace KvmTools.Core.Kvmd;

/// <summary>
/// The names each kind of button or indicator may refer to, per section of kvmtool.yaml. A null answer means
/// "this build has no such section": the reference is then not checked. Wire a section here when it exists.
/// </summary>
public static class KvmdReferences
{
    public static IReadOnlyCollection<string>? Relays(KvmToolConfig config) => config.Relays.Keys;

    /// <summary>KVM switches (switch: + port:).</summary>
    public static IReadOnlyCollection<string>? Switches(KvmToolConfig config)
    {
        _ = config;
        return null;
    }

    /// <summary>USB devices (usb-reset:, capture-healthy:).</summary>
    public static IReadOnlyCollection<string>? UsbDevices(KvmToolConfig config)
    {
        _ = config;
        return null;
    }

    /// <summary>Whether a CH9329 is configured (ch9329-reset:); null when the section does not exist.</summary>
    public static bool? HasCh9329(KvmToolConfig config)
    {
        _ = config;
        return null;
    }
}
