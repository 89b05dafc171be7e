using KvmTools.Core.Ch9329;

namespace KvmTools.Tests.Ch9329;

/// <summary>The frame encoder against WCH's examples, and the resynchronising decoder against every kind of noise.</summary>
public class Ch9329FrameTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    [Theory]
    [InlineData(0x01, "", "57 AB 00 01 00 03")]                                           // GET_INFO
    [InlineData(0x02, "00 00 04 00 00 00 00 00", "57 AB 00 02 08 00 00 04 00 00 00 00 00 10")] // key 'a' down
    [InlineData(0x05, "01 01 00 00 00", "57 AB 00 05 05 01 01 00 00 00 0E")]                 // left button down
    [InlineData(0x0F, "", "57 AB 00 0F 00 11")]                                           // RESET, the frame CH9329 scripts send
    public void EncodeMatchesTheProtocolDocument(byte command, string data, string expected) =>
        Assert.Equal(Hex(expected), Ch9329Frame.Encode(0x00, command, Hex(data)));

    [Fact]
    public void EncodeRefusesMoreThan64DataBytes() =>
        Assert.Throws<ArgumentException>(() => Ch9329Frame.Encode(0, 0x06, new byte[65]));

    [Fact]
    public void AnErrorAnswerDecodesWithItsStatus()
    {
        var result = Ch9329Frame.TryDecode(Hex("57 AB 00 C5 01 E4 AC"));
        Assert.NotNull(result.Frame);
        Assert.True(result.Frame!.IsError);
        Assert.Equal(0xC5, result.Frame.Command);
        Assert.Equal((byte)0xE4, result.Frame.Status);
        Assert.Equal(7, result.Consumed);
        Assert.Equal(0, result.Skipped);
    }

    [Fact]
    public void GarbageBeforeAFrameIsSkippedAndCounted()
    {
        byte[] stream = [0x13, 0x57, 0x00, 0xAB, 0xFF, .. Hex("57 AB 00 81 08 31 01 02 00 00 00 00 00 BF")];
        var result = Ch9329Frame.TryDecode(stream);
        Assert.Equal(0x81, result.Frame!.Command);
        Assert.Equal(5, result.Skipped);
        Assert.Equal(stream.Length, result.Consumed);
    }

    [Fact]
    public void AFrameSplitIntoSingleBytesDecodesOnlyWhenWhole()
    {
        byte[] frame = Hex("57 AB 00 81 08 31 01 02 00 00 00 00 00 BF");
        var decoder = new Ch9329FrameDecoder();
        for (int i = 0; i < frame.Length - 1; i++)
        {
            decoder.Feed(frame.AsSpan(i, 1));
            Assert.False(decoder.TryNext(out _));
            Assert.Equal(i + 1, decoder.PendingBytes);
        }
        decoder.Feed(frame.AsSpan(^1));
        Assert.True(decoder.TryNext(out var decoded));
        Assert.Equal(new byte[] { 0x31, 0x01, 0x02, 0, 0, 0, 0, 0 }, decoded.Data);
        Assert.Equal(0, decoder.GarbageBytes);
    }

    [Fact]
    public void InterleavedFramesComeOutInOrder()
    {
        var decoder = new Ch9329FrameDecoder();
        decoder.Feed(Hex("57 AB 00 82 01 00 85  57 AB 00 85 01 00 88  57 AB 00 8F 01 00 92"));
        var commands = new List<byte>();
        while (decoder.TryNext(out var frame))
        {
            commands.Add(frame.Command);
        }
        Assert.Equal(new byte[] { 0x82, 0x85, 0x8F }, commands);
    }

    [Fact]
    public void ADamagedFrameIsDroppedAndTheNextOneFound()
    {
        var decoder = new Ch9329FrameDecoder();
        decoder.Feed(Hex("57 AB 00 81 08 31 01 02 00 00 00 00 00 00  57 AB 00 8F 01 00 92"));
        Assert.True(decoder.TryNext(out var frame));
        Assert.Equal(0x8F, frame.Command);
        Assert.Equal(1, decoder.DamagedFrames);
        Assert.Equal(14, decoder.GarbageBytes);
    }

    [Fact]
    public void AFalseHeaderWhoseLengthSwallowsTheRealFrameIsGivenUp()
    {
        // 57 AB 00 81 3C claims 60 data bytes; the real answer arrives inside that span and must still be found.
        var decoder = new Ch9329FrameDecoder();
        decoder.Feed(Hex("00 57 AB 00 81 3C 99 98"));
        Assert.False(decoder.TryNext(out _));
        decoder.Feed(Hex("57 AB 00 8F 01 00 92"));
        Assert.True(decoder.TryNext(out var frame));
        Assert.Equal(0x8F, frame.Command);
        Assert.Equal(8, decoder.GarbageBytes);
        Assert.Equal(0, decoder.PendingBytes);
    }

    [Fact]
    public void AnImpossibleLengthResynchronisesAtOnce()
    {
        var result = Ch9329Frame.TryDecode(Hex("57 AB 00 81 FF  57 AB 00 8F 01 00 92"));
        Assert.Equal(0x8F, result.Frame!.Command);
        Assert.Equal(5, result.Skipped);
        Assert.Equal(1, result.Damaged);
    }

    [Fact]
    public void OnlyGarbageIsDroppedExceptAPossibleFrameStart()
    {
        var result = Ch9329Frame.TryDecode(Hex("01 02 03 57"));
        Assert.Null(result.Frame);
        Assert.Equal(3, result.Consumed); // the trailing 57 may be the start of a frame
        result = Ch9329Frame.TryDecode(Hex("01 02 03 04"));
        Assert.Equal(4, result.Consumed);
    }

    [Fact]
    public void RandomNoiseNeverYieldsAFrameWithABadChecksum()
    {
        var random = new Random(1);
        var decoder = new Ch9329FrameDecoder();
        int frames = 0;
        for (int round = 0; round < 2000; round++)
        {
            byte[] chunk = new byte[random.Next(1, 40)];
            for (int i = 0; i < chunk.Length; i++)
            {
                chunk[i] = (random.Next(6)) switch { 0 => 0x57, 1 => 0xAB, 2 => (byte)random.Next(0, 0x12), _ => (byte)random.Next(256) };
            }
            decoder.Feed(chunk);
            while (decoder.TryNext(out var frame))
            {
                byte[] encoded = frame.Encode();
                Assert.Equal(Ch9329Frame.Checksum(encoded.AsSpan(0, encoded.Length - 1)), encoded[^1]);
                frames++;
            }
            Assert.True(decoder.PendingBytes <= Ch9329Frame.Overhead + Ch9329Frame.MaxDataLength + 40);
        }
        // A real frame fed after all that noise still comes out.
        decoder.Feed(Hex("57 AB 00 8F 01 00 92"));
        var seen = new List<byte>();
        while (decoder.TryNext(out var frame))
        {
            seen.Add(frame.Command);
        }
        Assert.Contains((byte)0x8F, seen);
    }
}
