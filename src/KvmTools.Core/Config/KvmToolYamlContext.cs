using YamlDotNet.Serialization;

namespace KvmTools.Core.Config;

/// <summary>YamlDotNet's generated (reflection-free) type information, which keeps the loader NativeAOT-clean.</summary>
[YamlStaticContext]
[YamlSerializable(typeof(KvmToolConfig))]
[YamlSerializable(typeof(RelayConfig))]
[YamlSerializable(typeof(Kvmd.KvmdConfig))]
[YamlSerializable(typeof(Kvmd.KvmdButtonConfig))]
[YamlSerializable(typeof(Kvmd.KvmdIndicatorConfig))]
public partial class KvmToolYamlContext : YamlDotNet.Serialization.StaticContext
{
}
