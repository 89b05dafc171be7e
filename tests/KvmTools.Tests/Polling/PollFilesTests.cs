using System.Text;
using KvmTools.Core.Polling;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Polling;

/// <summary>The polling path's libc reads, against what the .NET file APIs the full command line uses return.</summary>
public sealed class PollFilesTests : IDisposable
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
        Assert.Equal(PollRead.Read, PollFiles.ReadText(path, out string text));
        Assert.Equal(File.ReadAllText(path), text);
    }

    [Fact]
    public void ReadsFilesLargerThanOneBuffer()
    {
        string path = Path.Combine(_fx.Root, "big");
        string content = string.Concat(Enumerable.Repeat("0123456789abcdef\n", 1000));
        File.WriteAllText(path, content);
        Assert.Equal(PollRead.Read, PollFiles.ReadText(path, out string text));
        Assert.Equal(content, text);
    }

    [Fact]
    public void TellsMissingFromUnreadable()
    {
        Assert.Equal(PollRead.Missing, PollFiles.ReadText(Path.Combine(_fx.Root, "none"), out _));
        Assert.Equal(PollRead.Missing, PollFiles.ReadText(Path.Combine(_fx.Root, "none", "deeper"), out _));
        File.WriteAllText(Path.Combine(_fx.Root, "file"), "x");
        Assert.Equal(PollRead.Missing, PollFiles.ReadText(Path.Combine(_fx.Root, "file", "below"), out _)); // ENOTDIR
        Assert.Equal(PollRead.Failed, PollFiles.ReadText(_fx.Root, out _)); // a directory
        Assert.Null(PollFiles.ReadTrimmed(_fx.Root));
    }

    [Fact]
    public void ListsAndResolvesAsTheKernelDoes()
    {
        string dir = Path.Combine(_fx.Root, "d");
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "a"), "");
        File.CreateSymbolicLink(Path.Combine(dir, "link"), "sub");
        Assert.Equal(["a", "link", "sub"], PollFiles.List(dir)!.Order(StringComparer.Ordinal));
        Assert.Null(PollFiles.List(Path.Combine(_fx.Root, "none")));
        Assert.Equal(Path.Combine(dir, "sub"), PollFiles.RealPath(Path.Combine(dir, "link", ".", "..", "link")));
        Assert.Null(PollFiles.RealPath(Path.Combine(dir, "none")));
    }
}
