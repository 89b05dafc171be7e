using YamlDotNet.Serialization;

namespace KvmTools.Core.Config;

/// <summary>YamlDotNet's generated (reflection-free) type information, which keeps the loader NativeAOT-clean.</summary>
[YamlStaticContext]
[YamlSerializable(typeof(KvmToolConfig))]
[YamlSerializable(typeof(RelayConfig))]
[YamlSerializable(typeof(Switching.SwitchConfig))]
[YamlSerializable(typeof(Ch9329.Ch9329Config))]
[YamlSerializable(typeof(Watchdog.WatchdogConfig))]
[YamlSerializable(typeof(Watchdog.WatchdogCaptureConfig))]
[YamlSerializable(typeof(Watchdog.WatchdogCh9329Config))]
[YamlSerializable(typeof(KvmTools.Core.Usb.UsbConfig))]
[YamlSerializable(typeof(KvmTools.Core.Usb.UsbDeviceConfig))]
[YamlSerializable(typeof(Kvmd.KvmdConfig))]
[YamlSerializable(typeof(Kvmd.KvmdButtonConfig))]
[YamlSerializable(typeof(Kvmd.KvmdIndicatorConfig))]
public partial class KvmToolYamlContext : YamlDotNet.Serialization.StaticContext
{
}
