namespace KvmTools.Core.Config;

/// <summary>A validated configuration and where it came from (null path: no file, built-in defaults).</summary>
public sealed record LoadedConfig(KvmToolConfig Model, string? Path, YamlLocations Locations)
{
    public static LoadedConfig Empty { get; } = new(new KvmToolConfig(), null, YamlLocations.Index(null));
}
