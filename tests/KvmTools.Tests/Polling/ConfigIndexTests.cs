using KvmTools.Core.Config;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Polling;

/// <summary>The configuration index: what it keeps, and that it never outlives the file it was made from.</summary>
public sealed class ConfigIndexTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private string Config(string yaml)
    {
        string path = Path.Combine(_fx.Root, "kvmtool.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private List<string?[]>? Index(string path, string version = "1.2.3")
    {
        string stamp = ConfigIndex.StampOf(path, out _)!;
        ConfigIndex.Refresh(_fx.Paths, version, path, stamp, ConfigLoader.Load(path, explicitPath: true).Model);
        return ConfigIndex.ReadEntries(_fx.Paths, version, path);
    }

    [Fact]
    public void KeepsWhatThePollingCommandsNeedWithAwkwardValuesIntact()
    {
        string path = Config(
            "relays:\n  r1:\n    usb-port: 1-1.4\n    serial: \"a\\tb%09c%\"\n    channel: 2\n    channels: 4\n" +
            "  r2:\n    port: /dev/ttyUSB0\n    channel: 1\n" +
            "switches:\n  sw:\n    backend: tesmart\n    ports: 4\n    port-names: [pc-1, nas, x_2, y]\n    port: /dev/ttyUSB1\n" +
            "usb:\n  devices:\n    cap:\n      id: 0x534D:2109\n      product: \"  USB3. 0 %0A\\r capture %\"\n");
        var entries = Index(path)!.Select(Show).ToList();
        Assert.Equal(
        [
            "relay|r1|1-1.4|a\tb%09c%|-|-|-|2|4",
            "relay|r2|-|-|-|/dev/ttyUSB0|-|1|-",
            "switch|sw|tesmart|4|pc-1|nas|x_2|y",
            "usb|cap|534d|2109|-|-|  USB3. 0 %0A\r capture %|-",
        ], entries);
    }

    private static string Show(string?[] entry) => string.Join('|', entry.Select(f => f ?? "-"));

    [Fact]
    public void AnEditedReplacedOrRemovedFileHasNoIndex()
    {
        string path = Config("relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 2\n");
        Assert.NotNull(Index(path));

        File.WriteAllText(path, "relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 3\n");
        Assert.Null(ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));
        Assert.Equal("3", Index(path)!.Single()[ConfigIndex.RelayField.Channel]);

        // Same size, same content, a new file: another inode.
        string other = path + ".new";
        File.WriteAllText(other, File.ReadAllText(path));
        File.Move(other, path, overwrite: true);
        Assert.Null(ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));

        Assert.NotNull(Index(path));
        Assert.Null(ConfigIndex.ReadEntries(_fx.Paths, "1.2.4", path)); // another kvmtool version
        File.Delete(path);
        Assert.Null(ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));
    }

    [Fact]
    public void MalformedOrTruncatedIndexesAreIgnored()
    {
        string path = Config("relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 2\n");
        Assert.NotNull(Index(path));
        string index = ConfigIndex.PathFor(_fx.Paths, path);
        string good = File.ReadAllText(index);
        string stamp = ConfigIndex.StampOf(path, out _)!;
        Assert.NotNull(ConfigIndex.Parse(good, "1.2.3", path, stamp));

        foreach (string bad in new[]
        {
            good[..^4],                                      // no end line
            good.Replace("\nend\n", "\n", StringComparison.Ordinal),
            good.Replace("relay\tr1\t", "relay\tr1\tx\t", StringComparison.Ordinal), // a field too many
            good.Replace("relay\tr1\t", "relays\tr1\t", StringComparison.Ordinal),   // an unknown kind
            good.Replace("relay\tr1\t", "relay\t%\t", StringComparison.Ordinal),     // no name
            good.Replace("kvmtool-config-index 1", "kvmtool-config-index 2", StringComparison.Ordinal),
            "",
        })
        {
            Assert.Null(ConfigIndex.Parse(bad, "1.2.3", path, stamp));
        }
        Assert.Null(ConfigIndex.Parse(good, "1.2.3", path + "x", stamp));
        Assert.Null(ConfigIndex.Parse(good, "1.2.3", path, stamp + "1"));
    }

    [Fact]
    public void AnUnchangedIndexIsNotRewritten()
    {
        string path = Config("relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 2\n");
        Assert.NotNull(Index(path));
        string index = ConfigIndex.PathFor(_fx.Paths, path);
        File.SetLastWriteTimeUtc(index, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.NotNull(Index(path));
        Assert.Equal(2001, File.GetLastWriteTimeUtc(index).Year);
    }

    [Fact]
    public void AFileThatChangesWhileItIsReadIsNotIndexed()
    {
        string path = Config("relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 2\n");
        string before = ConfigIndex.StampOf(path, out _)!;
        var model = ConfigLoader.Load(path, explicitPath: true).Model;
        File.WriteAllText(path, "relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 5\n");
        ConfigIndex.Refresh(_fx.Paths, "1.2.3", path, before, model);
        Assert.False(File.Exists(ConfigIndex.PathFor(_fx.Paths, path)));
    }

    [Fact]
    public void AnUnwritableRuntimeDirectoryOnlyMeansNoIndex()
    {
        string path = Config("relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 2\n");
        var paths = _fx.Paths with { RuntimeDir = Path.Combine(path, "not-a-directory") };
        ConfigIndex.Refresh(paths, "1.2.3", path, ConfigIndex.StampOf(path, out _)!, ConfigLoader.Load(path, true).Model);
        Assert.Null(ConfigIndex.ReadEntries(paths, "1.2.3", path));
    }

    /// <summary>
    /// The runtime directory is writable by group kvmd, whose processes must not steer what root's quick path
    /// answers: an index is believed only when this user wrote it and nobody else can have changed it.
    /// </summary>
    [Fact]
    public async Task AnIndexOthersCouldHaveWrittenIsNotBelieved()
    {
        string path = Config("relays:\n  r1:\n    usb-port: 1-1.4\n    channel: 2\n");
        Assert.NotNull(Index(path));
        string index = ConfigIndex.PathFor(_fx.Paths, path);
        Assert.Contains($"-u{KvmTools.Core.Linux.FileStatus.EffectiveUid}.index", index, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(index) & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
        string good = File.ReadAllText(index);

        // Group-writable: anyone in group kvmd could have written it.
        File.SetUnixFileMode(index, File.GetUnixFileMode(index) | UnixFileMode.GroupWrite);
        Assert.Null(ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));

        // A FIFO in its place: neither believed nor waited for.
        File.Delete(index);
        Assert.Equal(0, Mkfifo(index, 0x1a4));
        var read = Task.Run(() => ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));
        Assert.True(await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(10))) == read, "reading a FIFO as the index blocked");
        Assert.Null(await read);

        // A symlink to a good index of this user's is still this user's file, and still bound to this config.
        File.Delete(index);
        string elsewhere = Path.Combine(_fx.Root, "planted.index");
        File.WriteAllText(elsewhere, good);
        File.SetUnixFileMode(elsewhere, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.CreateSymbolicLink(index, elsewhere);
        Assert.NotNull(ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));
        File.WriteAllText(elsewhere, good.Replace("\t2\t", "\t9\t", StringComparison.Ordinal).Replace(path, path + "x", StringComparison.Ordinal));
        Assert.Null(ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));

        // Another user's file, as a kvmd-group process would leave it (needs root to chown, as CI runs).
        if (KvmTools.Core.Linux.FileStatus.EffectiveUid == 0)
        {
            File.Delete(index);
            File.WriteAllText(index, good);
            File.SetUnixFileMode(index, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            KvmTools.Core.Linux.FileStatus.Chown(index, 65534, 65534);
            Assert.Null(ConfigIndex.ReadEntries(_fx.Paths, "1.2.3", path));
            // The next full load replaces it with root's own.
            Assert.NotNull(Index(path));
            Assert.Equal(0u, KvmTools.Core.Linux.FileStatus.Of(index)!.Value.Uid);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int Mkfifo(string path, int mode);
}
