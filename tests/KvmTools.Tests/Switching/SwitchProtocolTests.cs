using System.Text;
using KvmTools.Core.Switching;

namespace KvmTools.Tests.Switching;

public class SwitchProtocolTests
{
    [Fact]
    public void TesmartFramesAreTheDocumentedBytes()
    {
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0x03, 0x01, 0x02, 0xEE }, TesmartProtocol.EncodeSelect(2));
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0x03, 0x01, 0x10, 0xEE }, TesmartProtocol.EncodeSelect(16));
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0x03, 0x10, 0x00, 0xEE }, TesmartProtocol.EncodeQuery());
        Assert.Throws<ArgumentOutOfRangeException>(() => TesmartProtocol.EncodeSelect(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TesmartProtocol.EncodeSelect(17));
    }

    [Theory]
    [InlineData(new byte[] { 0xAA, 0xBB, 0x03, 0x11, 0x00, 0xEE }, 1)]
    [InlineData(new byte[] { 0xAA, 0xBB, 0x03, 0x11, 0x0F, 0xEE }, 16)]
    // Noise before the frame, and a partial frame after it.
    [InlineData(new byte[] { 0x00, 0xEE, 0xAA, 0xBB, 0x03, 0x11, 0x02, 0xEE, 0xAA, 0xBB }, 3)]
    // Two reports: the later one is the answer to the latest query.
    [InlineData(new byte[] { 0xAA, 0xBB, 0x03, 0x11, 0x00, 0xEE, 0xAA, 0xBB, 0x03, 0x11, 0x01, 0xEE }, 2)]
    public void TesmartReportsAreFoundInTheStream(byte[] stream, int port) =>
        Assert.Equal(port, TesmartProtocol.DecodeActive(stream));

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 0xAA, 0xBB, 0x03, 0x11, 0x00 })]
    [InlineData(new byte[] { 0xAA, 0xBB, 0x03, 0x01, 0x02, 0xEE })]
    [InlineData(new byte[] { 0xAA, 0xBB, 0x03, 0x11, 0x20, 0xEE })]
    [InlineData(new byte[] { 0xAA, 0xBB, 0x04, 0x11, 0x00, 0xEE })]
    public void NoTesmartReportMeansNone(byte[] stream) => Assert.Null(TesmartProtocol.DecodeActive(stream));

    [Fact]
    public void EzcooCommandsAreTheDocumentedLines()
    {
        Assert.Equal("EZS OUT1 VS IN3\n", Encoding.ASCII.GetString(EzcooProtocol.EncodeSelect(3)));
        Assert.Equal("EZG OUT1 VS\n", Encoding.ASCII.GetString(EzcooProtocol.EncodeQuery()));
        Assert.Throws<ArgumentOutOfRangeException>(() => EzcooProtocol.EncodeSelect(5));
    }

    [Theory]
    [InlineData("OUT1 VS 4\r\nV08S\u000e", 4)]
    [InlineData("V18SOUT1 VS 2\r\n", 2)]
    [InlineData("OUT1 VS 1\r\nOUT1 VS 3\r\n", 3)]
    // An echoed command names an input but is not a report.
    [InlineData("OUT1 VS 2\r\nEZS OUT1 VS IN4\r\n", 2)]
    public void EzcooRoutesAreFoundInTheStream(string text, int port) =>
        Assert.Equal(port, EzcooProtocol.DecodeRoute(Encoding.ASCII.GetBytes(text)));

    [Theory]
    [InlineData("")]
    [InlineData("V18S\u000e")]
    [InlineData("OUT1 VS 1")]
    [InlineData("EZS OUT1 VS IN2\n")]
    [InlineData("OUT1 VS 9\r\n")]
    public void NoEzcooRouteMeansNone(string text) => Assert.Null(EzcooProtocol.DecodeRoute(Encoding.ASCII.GetBytes(text)));
}
