using System.Text.Json;
using System.Text.Json.Serialization;

namespace KvmTools.Cli;

/// <summary>The shapes --json prints; source-generated so that NativeAOT needs no reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(List<Commands.RelayBoardJson>))]
[JsonSerializable(typeof(Commands.RelayResultJson))]
[JsonSerializable(typeof(List<Commands.DoctorFindingJson>))]
[JsonSerializable(typeof(Commands.SwitchJson))]
[JsonSerializable(typeof(List<Commands.SwitchJson>))]
[JsonSerializable(typeof(List<Commands.UsbDeviceJson>))]
[JsonSerializable(typeof(List<Commands.UsbResetJson>))]
internal sealed partial class CliJson : JsonSerializerContext
{
    public static void Write<T>(TextWriter output, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        output.WriteLine(JsonSerializer.Serialize(value, type));
    }
}
