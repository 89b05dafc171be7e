using System.Security.Cryptography;
using System.Text;
using KvmTools.Core.Kvmd;

namespace KvmTools.Tests.Kvmd;

public class ContentHashTests
{
    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void MatchesTheStandardsTestVectors(string text, string hex) => Assert.Equal(hex, ContentHash.Sha256Hex(text));

    [Fact]
    public void MatchesDotNetsSha256AtEveryLengthAroundTheBlockBoundaries()
    {
        var random = new Random(256);
        for (int length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.Equal(SHA256.HashData(data), ContentHash.Sha256(data));
        }
        var big = Encoding.UTF8.GetBytes(new string('x', 1_000_003));
        Assert.Equal(SHA256.HashData(big), ContentHash.Sha256(big));
    }
}
