using KvmTools.Cli;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Tests.Config;

namespace KvmTools.Tests.Kvmd;

/// <summary>Golden files and small helpers shared by the kvmd tests.</summary>
internal static class KvmdTestFiles
{
    public static string GoldenDir => ShippedExampleTests.RepoFile(Path.Combine("tests", "KvmTools.Tests", "Kvmd", "Golden"));

    /// <summary>The override generated from <paramref name="kvmtoolYaml"/>, read as if from <paramref name="file"/>
    /// (by default the default path, whose commands name no --config).</summary>
    public static string Generate(string kvmtoolYaml, string file = ConfigLoader.DefaultPath) =>
        GpioOverrideFile.Render(GpioGenerator.Build(ConfigLoader.Parse(kvmtoolYaml, file)), CliApp.Version);

    /// <summary>
    /// Compares with a golden file. KVMTOOL_UPDATE_GOLDEN=1 rewrites the file instead (then review the diff and commit).
    /// </summary>
    public static void AssertGolden(string name, string actual)
    {
        string path = Path.Combine(GoldenDir, name);
        if (Environment.GetEnvironmentVariable("KVMTOOL_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing; run the tests once with KVMTOOL_UPDATE_GOLDEN=1");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
