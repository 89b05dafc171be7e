using KvmTools.Core;
using KvmTools.Core.Relays;

namespace KvmTools.Tests.Relays;

public class ProtocolTests
{
    // The frame the boards' C tools send (bench/usbrelay.c sends the same): {0xA0, ch, onoff, 0xA0 + ch + onoff}.
    [Theory]
    [InlineData(1, true, new byte[] { 0xA0, 0x01, 0x01, 0xA2 })]
    [InlineData(1, false, new byte[] { 0xA0, 0x01, 0x00, 0xA1 })]
    [InlineData(2, true, new byte[] { 0xA0, 0x02, 0x01, 0xA3 })]
    [InlineData(2, false, new byte[] { 0xA0, 0x02, 0x00, 0xA2 })]
    [InlineData(3, true, new byte[] { 0xA0, 0x03, 0x01, 0xA4 })]
    [InlineData(4, false, new byte[] { 0xA0, 0x04, 0x00, 0xA4 })]
    [InlineData(8, true, new byte[] { 0xA0, 0x08, 0x01, 0xA9 })]
    [InlineData(16, false, new byte[] { 0xA0, 0x10, 0x00, 0xB0 })]
    [InlineData(95, true, new byte[] { 0xA0, 0x5F, 0x01, 0x00 })] // the checksum wraps at 256
    [InlineData(255, true, new byte[] { 0xA0, 0xFF, 0x01, 0xA0 })]
    public void LcusEncodesTheSeedsFourBytes(int channel, bool on, byte[] expected) =>
        Assert.Equal(expected, LcusProtocol.Encode(channel, on));

    [Fact]
    public void LcusChecksumIsTheLowByteOfTheSumForEveryChannelAndState()
    {
        for (int channel = 1; channel <= 255; channel++)
        {
            foreach (bool on in new[] { true, false })
            {
                byte[] frame = LcusProtocol.Encode(channel, on);
                Assert.Equal(4, frame.Length);
                Assert.Equal(0xA0, frame[0]);
                Assert.Equal(channel, frame[1]);
                Assert.Equal(on ? 1 : 0, frame[2]);
                Assert.Equal((0xA0 + channel + (on ? 1 : 0)) % 256, frame[3]);
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(-1)]
    public void LcusRejectsChannelsOutsideTheByte(int channel) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => LcusProtocol.Encode(channel, true));

    [Theory]
    [InlineData(1, true, new byte[] { 0x00, 0xFF, 0x01, 0, 0, 0, 0, 0, 0 })]
    [InlineData(1, false, new byte[] { 0x00, 0xFD, 0x01, 0, 0, 0, 0, 0, 0 })]
    [InlineData(2, true, new byte[] { 0x00, 0xFF, 0x02, 0, 0, 0, 0, 0, 0 })]
    [InlineData(8, false, new byte[] { 0x00, 0xFD, 0x08, 0, 0, 0, 0, 0, 0 })]
    public void DcttechEncodesFeatureReports(int channel, bool on, byte[] expected) =>
        Assert.Equal(expected, DcttechProtocol.EncodeSet(channel, on));

    [Fact]
    public void DcttechEncodesEveryChannel()
    {
        for (int channel = 1; channel <= 8; channel++)
        {
            Assert.Equal(new byte[] { 0, 0xFF, (byte)channel, 0, 0, 0, 0, 0, 0 }, DcttechProtocol.EncodeSet(channel, true));
            Assert.Equal(new byte[] { 0, 0xFD, (byte)channel, 0, 0, 0, 0, 0, 0 }, DcttechProtocol.EncodeSet(channel, false));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => DcttechProtocol.EncodeSet(9, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => DcttechProtocol.EncodeSet(0, true));
    }

    [Fact]
    public void DcttechEncodesAllOnAndAllOff()
    {
        Assert.Equal(new byte[] { 0, 0xFE, 0, 0, 0, 0, 0, 0, 0 }, DcttechProtocol.EncodeSetAll(true));
        Assert.Equal(new byte[] { 0, 0xFC, 0, 0, 0, 0, 0, 0, 0 }, DcttechProtocol.EncodeSetAll(false));
    }

    [Fact]
    public void DcttechGetBufferAsksForReportOne() =>
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0, 0, 0, 0, 0 }, DcttechProtocol.NewGetBuffer());

    [Fact]
    public void DcttechDecodesIdAndBitmask()
    {
        var state = DcttechProtocol.DecodeState([(byte)'Q', (byte)'W', (byte)'E', (byte)'R', (byte)'T', 0, 0, 0b0000_0101]);
        Assert.Equal("QWERT", state.BoardId);
        Assert.True(state.IsOn(1));
        Assert.False(state.IsOn(2));
        Assert.True(state.IsOn(3));
        Assert.False(state.IsOn(8));
    }

    [Fact]
    public void DcttechDecodesShortIdsAndUnprintableBytes()
    {
        Assert.Equal("AB", DcttechProtocol.DecodeState([(byte)'A', (byte)'B', 0, (byte)'X', 0, 0, 0, 0x80]).BoardId);
        var state = DcttechProtocol.DecodeState([1, (byte)'B', 2, (byte)'D', 0xFF, 0, 0, 0x80]);
        Assert.Equal("?B?D?", state.BoardId);
        Assert.True(state.IsOn(8));
    }

    [Fact]
    public void DcttechRejectsAShortReport() =>
        Assert.Throws<OperationFailedException>(() => DcttechProtocol.DecodeState([1, 2, 3]));

    [Theory]
    [InlineData("www.dcttech.com USBRelay2", 2)]
    [InlineData("USBRelay8", 8)]
    [InlineData("usbrelay1", 1)]
    [InlineData("USBRelay9", null)]
    [InlineData("USBRelay", null)]
    [InlineData("Keyboard", null)]
    [InlineData(null, null)]
    public void DcttechChannelCountComesFromTheProductName(string? name, int? expected) =>
        Assert.Equal(expected, DcttechProtocol.ChannelsFromName(name));
}
