using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Linux;

/// <summary>Resolving sysfs links as the kernel does: real symlinks in a fixture tree.</summary>
public sealed class SysfsFileTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Fact]
    public void ALinkInsideALinkedClassEntryCountsFromWhereItReallyIs()
    {
        // /sys/class/tty/ttyUSB0 -> .../1-1:1.0/ttyUSB0/tty/ttyUSB0, and in there device -> ../../../ttyUSB0.
        string usb = _fx.AddUsbDevice("1-1", 1, 2, 0x0403, 0x6001);
        _fx.AddTty("ttyUSB0", "1-1");

        string? resolved = SysfsFile.ResolveDirectory(_fx.Sys("class", "tty", "ttyUSB0", "device"));

        Assert.Equal(Path.Combine(usb, "1-1:1.0", "ttyUSB0"), resolved);
        Assert.Equal("1-1", UsbDeviceInfo.FindAncestor(resolved!, _fx.SysRoot)?.PortPath);
    }

    [Fact]
    public void AbsoluteTargetsChainsAndDotsResolve()
    {
        string real = _fx.Sys("devices", "a", "b");
        Directory.CreateDirectory(real);
        Directory.CreateDirectory(_fx.Sys("links"));
        File.CreateSymbolicLink(_fx.Sys("links", "absolute"), real);
        File.CreateSymbolicLink(_fx.Sys("links", "chain"), "./absolute");
        // ".." after a link leaves the link's target (devices/a/b), not the link's own directory (links).
        File.CreateSymbolicLink(_fx.Sys("links", "up"), "chain/../b");

        Assert.Equal(real, SysfsFile.ResolveDirectory(_fx.Sys("links", "chain")));
        Assert.Equal(real, SysfsFile.ResolveDirectory(_fx.Sys("links", "up")));
        Assert.Equal(_fx.Sys("devices", "a"), SysfsFile.ResolveDirectory(_fx.Sys("links", "chain", "..")));
    }

    [Fact]
    public void MissingPathsAndLinkLoopsAreNull()
    {
        Directory.CreateDirectory(_fx.Sys("loop"));
        File.CreateSymbolicLink(_fx.Sys("loop", "a"), "b");
        File.CreateSymbolicLink(_fx.Sys("loop", "b"), "a");

        Assert.Null(SysfsFile.ResolveDirectory(_fx.Sys("loop", "a")));
        Assert.Null(SysfsFile.ResolveDirectory(_fx.Sys("nothing", "here")));
    }
}
