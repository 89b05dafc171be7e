using KvmTools.Core.Config;

namespace KvmTools.Tests.Config;

public class ShippedExampleTests
{
    public static string RepoFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KvmTools.sln")))
            {
                return Path.Combine(dir.FullName, name);
            }
        }
        throw new FileNotFoundException("repository root not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void TheExampleConfigLoadsAndNamesTheRelays()
    {
        var config = ConfigLoader.Load(RepoFile("kvmtool.yaml.example"), explicitPath: true);
        Assert.Equal(["atx-power", "hdmi-button"], config.Model.Relays.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("1-1.4", config.Model.Relays["hdmi-button"].UsbPort);
        Assert.Equal(300, config.Model.Relays["hdmi-button"].PulseMs);
    }

    [Fact]
    public void TheExampleConfigHasASwitchOnTheRelay()
    {
        var config = ConfigLoader.Load(RepoFile("kvmtool.yaml.example"), explicitPath: true);
        var main = KvmTools.Core.Switching.SwitchDefinition.Resolve(config, null);
        Assert.Equal(("main", KvmTools.Core.Switching.SwitchBackend.RelayButton, 3), (main.Name, main.Backend, main.Ports));
        Assert.Equal("hdmi-button", main.Config.Relay);
        Assert.Equal(3, main.ParsePort("nas"));
    }
}
