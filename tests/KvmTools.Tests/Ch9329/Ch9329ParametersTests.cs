using KvmTools.Core;
using KvmTools.Core.Ch9329;

namespace KvmTools.Tests.Ch9329;

public class Ch9329ParametersTests
{
    /// <summary>A factory-fresh chip's block, byte for byte as GET_PARA_CFG returns it.</summary>
    private static readonly byte[] Factory = Convert.FromHexString(
        "8080000000258008000003861A29E100000001000D0000000000000000000000000000000000000000000000000000000000");

    [Fact]
    public void TheFactoryBlockReadsAsDocumented()
    {
        var p = Ch9329Parameters.Parse(Factory);
        Assert.Equal(0x80, p.WorkMode);
        Assert.Equal("keyboard and mouse", p.WorkModeName);
        Assert.Equal("protocol", p.SerialModeName);
        Assert.True(p.ModesFromPins);
        Assert.Equal(0, p.Address);
        Assert.Equal(9600, p.BaudRate);
        Assert.Equal(3, p.PacketGapMs);
        Assert.Equal("1a86:e129", p.UsbId);
        Assert.Equal(1, p.KeyboardReleaseDelayMs);
        Assert.Equal(new byte[] { 0x0D, 0, 0, 0, 0, 0, 0, 0 }, p.EnterCharacters.ToArray());
        Assert.False(p.CustomStrings);
        Assert.Equal(Factory, p.Bytes.ToArray());
    }

    [Fact]
    public void ForWritingChangesOnlyTheRequestedFieldsAndStoresTheModesWithoutThePinBit()
    {
        var before = Ch9329Parameters.Parse(Factory);
        var after = before.ForWriting(baudRate: 115200, address: 0x05);
        byte[] expected = (byte[])Factory.Clone();
        expected[0] = 0x00;
        expected[1] = 0x00;
        expected[2] = 0x05;
        expected[3] = 0x00;
        expected[4] = 0x01;
        expected[5] = 0xC2;
        expected[6] = 0x00;
        Assert.Equal(expected, after.Bytes.ToArray());
        Assert.Equal(0x08, after.Bytes[7]); // reserved bytes are written back as read
        Assert.Equal(115200, after.BaudRate);
        Assert.False(after.ModesFromPins);
        Assert.Equal("keyboard and mouse", after.WorkModeName);

        var changes = before.Differences(after);
        Assert.Contains("baud rate 9600 → 115200", changes);
        Assert.Contains("address 0x00 → 0x05", changes);
        Assert.Contains(changes, c => c.StartsWith("work mode 0x80 → 0x00", StringComparison.Ordinal));
    }

    [Fact]
    public void APinSelectedModeReportedBackStillCountsAsWritten()
    {
        var written = Ch9329Parameters.Parse(Factory).ForWriting(19200);
        byte[] reported = written.Bytes.ToArray();
        reported[0] = 0x80;
        Assert.True(Ch9329Parameters.Parse(reported).SameAsWritten(written));
        reported[3] = 0x07;
        Assert.False(Ch9329Parameters.Parse(reported).SameAsWritten(written));
    }

    [Fact]
    public void AShortBlockIsRefused() =>
        Assert.Throws<OperationFailedException>(() => Ch9329Parameters.Parse(Factory.AsSpan(0, 49)));

    [Theory]
    [InlineData(new byte[] { 0x30, 0x01, 0x00 }, "V1.0", true, false, false, false)]
    [InlineData(new byte[] { 0x31, 0x00, 0x07 }, "V1.1", false, true, true, true)]
    [InlineData(new byte[] { 0x31, 0x01, 0x02, 0, 0, 0, 0, 0 }, "V1.1", true, false, true, false)]
    public void InfoBytesMapToVersionEnumerationAndLeds(byte[] data, string version, bool enumerated, bool num, bool caps, bool scroll)
    {
        var info = Ch9329Info.Parse(data);
        Assert.Equal((version, enumerated, num, caps, scroll), (info.Version, info.UsbEnumerated, info.NumLock, info.CapsLock, info.ScrollLock));
    }

    [Theory]
    [InlineData("auto", null)]
    [InlineData("115200", 115200)]
    [InlineData("1200", 1200)]
    public void BaudOptionsParse(string text, int? expected) => Assert.Equal(expected, Ch9329BaudRate.Parse(text, "--baud"));

    [Theory]
    [InlineData("14400")]
    [InlineData("230400")]
    [InlineData("fast")]
    [InlineData("-9600")]
    public void UnsupportedBaudRatesAreUsageErrors(string text) =>
        Assert.Throws<UsageException>(() => Ch9329BaudRate.Parse(text, "--baud"));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("254", 254)]
    [InlineData("0x1F", 0x1F)]
    [InlineData("0XFE", 0xFE)]
    public void AddressesParse(string text, int expected) => Assert.Equal((byte)expected, Ch9329Address.Parse(text, "--address"));

    [Theory]
    [InlineData("255")]
    [InlineData("0xFF")]
    [InlineData("-1")]
    [InlineData("0x")]
    public void BroadcastAndBadAddressesAreRefused(string text) =>
        Assert.Throws<UsageException>(() => Ch9329Address.Parse(text, "--address"));
}
