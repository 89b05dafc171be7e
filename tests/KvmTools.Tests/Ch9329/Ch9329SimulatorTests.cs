using KvmTools.Core.Ch9329;
using KvmTools.Core.Linux;
using KvmTools.Core.Serial;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Ch9329;

/// <summary>
/// The simulator itself behaves as WCH describes the chip: these tests talk to it with raw frames through a real
/// serial port on the pty, so that a simulator bug cannot make kvmtool's tests pass.
/// </summary>
public sealed class Ch9329SimulatorTests : IDisposable
{
    private readonly PseudoTerminal _pty = new();
    private readonly Ch9329Simulator _chip = new();

    public Ch9329SimulatorTests() => _chip.Start(_pty);

    public void Dispose()
    {
        _chip.Dispose();
        _pty.Dispose();
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", ""));

    /// <summary>Writes raw bytes and returns what came back within half a second.</summary>
    private byte[] Send(ISerialLink link, byte[] bytes)
    {
        link.Write(bytes);
        var answer = new List<byte>();
        var buffer = new byte[256];
        var deadline = Deadline.After(TimeSpan.FromMilliseconds(500));
        while (!deadline.Expired)
        {
            int n = link.Read(buffer, deadline);
            answer.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        return [.. answer];
    }

    [Fact]
    public void ItAnswersGetInfoAsDocumented()
    {
        _chip.Leds = 0x03;
        using var link = SerialLink.Open(_pty.SlavePath, 9600);
        Assert.Equal(Hex("57 AB 00 81 08 31 01 03 00 00 00 00 00 C0"), Send(link, Hex("57 AB 00 01 00 03")));
    }

    [Fact]
    public void ItAnswersABadChecksumWithE4AndAnUnknownCommandWithE3()
    {
        using var link = SerialLink.Open(_pty.SlavePath, 9600);
        Assert.Equal(Hex("57 AB 00 C1 01 E4 A8"), Send(link, Hex("57 AB 00 01 00 04")));
        Assert.Equal(Hex("57 AB 00 FF 01 E3 E5"), Send(link, Ch9329Frame.Encode(0, 0x3F, [])));
    }

    [Fact]
    public void ItAnswersAFrameCutByTheGapWithE1AndBadLengthsWithE5()
    {
        using var link = SerialLink.Open(_pty.SlavePath, 9600);
        Assert.Equal(Hex("57 AB 00 C9 01 E1 AD"), Send(link, Hex("57 AB 00 09 32 00 00")));
        Assert.Equal(Hex("57 AB 00 CF 01 E5 B7"), Send(link, Ch9329Frame.Encode(0, 0x0F, [0x00])));
    }

    [Fact]
    public void BroadcastFramesAreCarriedOutButNeverAnswered()
    {
        using var link = SerialLink.Open(_pty.SlavePath, 9600);
        Assert.Empty(Send(link, Ch9329Frame.Encode(0xFF, 0x0F, [])));
        Assert.Equal(1, _chip.Resets);
    }

    [Fact]
    public void ItHearsOnlyItsOwnRate()
    {
        _chip.Configure(19200);
        using (var wrong = SerialLink.Open(_pty.SlavePath, 9600))
        {
            Assert.Empty(Send(wrong, Hex("57 AB 00 01 00 03")));
        }
        Assert.True(_chip.WrongSpeedBursts > 0);
        using var right = SerialLink.Open(_pty.SlavePath, 19200);
        Assert.Equal(14, Send(right, Hex("57 AB 00 01 00 03")).Length);
    }

    [Fact]
    public void ANewRateAppliesOnlyAfterResetAndAPinModeBlockIsLostAtPowerCycle()
    {
        byte[] block = Ch9329Simulator.FactoryBlock(); // modes 0x80, as GET_PARA_CFG reports them
        block[5] = 0x4B; // 0x00004B00 = 19200
        block[6] = 0x00;
        using (var link = SerialLink.Open(_pty.SlavePath, 9600))
        {
            Assert.Equal(Hex("57 AB 00 89 01 00 8C"), Send(link, Ch9329Frame.Encode(0, 0x09, block)));
            Assert.Equal(9600, _chip.ActiveBaud);
            Assert.Equal(19200, Ch9329Parameters.Parse(Send(link, Hex("57 AB 00 08 00 0A")).AsSpan(5, 50)).BaudRate);
            Assert.Equal(Hex("57 AB 00 8F 01 00 92"), Send(link, Hex("57 AB 00 0F 00 11")));
            Assert.Empty(Send(link, Hex("57 AB 00 01 00 03"))); // deaf while rebooting, and at the old rate after
        }
        Assert.Equal(19200, _chip.ActiveBaud);
        _chip.PowerCycle();
        Assert.Equal(9600, _chip.ActiveBaud);
    }

    [Fact]
    public void ItIsDeafForAWhileAfterReset()
    {
        _chip.Faults.ResetSilence = TimeSpan.FromSeconds(2);
        using var link = SerialLink.Open(_pty.SlavePath, 9600);
        Assert.Equal(Hex("57 AB 00 8F 01 00 92"), Send(link, Hex("57 AB 00 0F 00 11")));
        Assert.Empty(Send(link, Hex("57 AB 00 01 00 03")));
        Assert.Equal(1, _chip.Resets);
    }
}
