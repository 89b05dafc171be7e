using System.Text;
using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Linux;

/// <summary>SmallFile's libc reads, against what the .NET file APIs return.</summary>
public sealed class SmallFileTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    [Theory]
    [InlineData("")]
    [InlineData("1\n")]
    [InlineData("\uFEFFidentity=1/5\n1=on\n")]
    [InlineData("relé ä\n")]
    public void ReadsTextAsFileReadAllTextDoes(string content)
    {
        string path = Path.Combine(_fx.Root, "f");
        File.WriteAllText(path, content, new UTF8Encoding(content.StartsWith('\uFEFF')));
        Assert.Equal(SmallFileRead.Read, SmallFile.Read(path, out string text));
        Assert.Equal(File.ReadAllText(path), text);
    }

    [Fact]
    public void ReadsFilesLargerThanOneBuffer()
    {
        string path = Path.Combine(_fx.Root, "big");
        string content = string.Concat(Enumerable.Repeat("0123456789abcdef\n", 1000));
        File.WriteAllText(path, content);
        Assert.Equal(SmallFileRead.Read, SmallFile.Read(path, out string text));
        Assert.Equal(content, text);
    }

    [Fact]
    public void TellsMissingFromUnreadable()
    {
        Assert.Equal(SmallFileRead.Missing, SmallFile.Read(Path.Combine(_fx.Root, "none"), out _));
        Assert.Equal(SmallFileRead.Missing, SmallFile.Read(Path.Combine(_fx.Root, "none", "deeper"), out _));
        File.WriteAllText(Path.Combine(_fx.Root, "file"), "x");
        Assert.Equal(SmallFileRead.Missing, SmallFile.Read(Path.Combine(_fx.Root, "file", "below"), out _)); // ENOTDIR
        Assert.Equal(SmallFileRead.Failed, SmallFile.Read(_fx.Root, out _)); // a directory
        Assert.Null(SysfsFile.ReadTrimmed(_fx.Root));
    }

    [Fact]
    public void ListsAndResolvesAsTheKernelDoes()
    {
        string dir = Path.Combine(_fx.Root, "d");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "a"), "");
        File.CreateSymbolicLink(Path.Combine(dir, "link"), "sub");
        Assert.Equal(["a", "link", "sub"], SmallFile.List(dir)!.Order(StringComparer.Ordinal));
        Assert.Null(SmallFile.List(Path.Combine(_fx.Root, "none")));
        Assert.Equal(Path.Combine(dir, "sub"), SmallFile.RealPath(Path.Combine(dir, "link", ".", "..", "link")));
        Assert.Null(SmallFile.RealPath(Path.Combine(dir, "none")));
    }
}
