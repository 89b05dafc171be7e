using KvmTools.Core.Config;

namespace KvmTools.Core.Kvmd;

/// <summary>The names each kind of button or indicator may refer to, per section of kvmtool.yaml.</summary>
public static class KvmdReferences
{
    public static IReadOnlyCollection<string>? Relays(KvmToolConfig config) => config.Relays.Keys;

    /// <summary>KVM switches (switch: + port:).</summary>
    public static IReadOnlyCollection<string>? Switches(KvmToolConfig config) => config.Switches.Keys;

    /// <summary>USB devices (usb-reset:, capture-healthy:).</summary>
    public static IReadOnlyCollection<string>? UsbDevices(KvmToolConfig config) => config.Usb.Devices.Keys;

    /// <summary>
    /// Whether 'kvmtool ch9329 reset' can find a chip (ch9329-reset:): always, as it falls back to kvmd's
    /// /dev/kvmd-hid and then to the only CH340 port when kvmtool.yaml has no ch9329: section.
    /// </summary>
    public static bool? HasCh9329(KvmToolConfig config)
    {
        _ = config;
        return true;
    }
}
