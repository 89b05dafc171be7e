using System.Text.Json;
using KvmTools.Cli;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Ch9329;

/// <summary>'kvmtool ch9329 config get|set': the parameter block read, changed, applied by a reset and confirmed.</summary>
public sealed class Ch9329ConfigTests
{
    [Fact]
    public void ConfigGetShowsTheBlockAndTheUsbStrings()
    {
        using var rig = new Ch9329Rig();
        var run = rig.Ch9329("config", "get");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Matches(@"work mode\s+0x80\s+keyboard and mouse \(set by the MODE pins\)", run.Out);
        Assert.Matches(@"baud rate\s+9600", run.Out);
        Assert.Matches(@"USB id\s+1a86:e129", run.Out);
        Assert.Matches(@"packet gap\s+3 ms", run.Out);
        Assert.Matches("product\\s+\"CH9329 keyboard/mouse\"", run.Out);
        Assert.Contains("note: modes 0x8n are set by the chip's pins", run.Out);
    }

    [Fact]
    public void ConfigGetJsonCarriesEveryField()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(38400, address: 0x09));
        var run = rig.Ch9329("config", "get", "--json", "--baud", "38400", "--address", "9");
        Assert.True(run.ExitCode == 0, run.Err);
        using var doc = JsonDocument.Parse(run.Out);
        var p = doc.RootElement.GetProperty("parameters");
        Assert.Equal(38400, p.GetProperty("baudRate").GetInt32());
        Assert.Equal("0x09", p.GetProperty("address").GetString());
        Assert.Equal(0, p.GetProperty("workMode").GetInt32());
        Assert.False(p.GetProperty("modesFromPins").GetBoolean());
        Assert.Equal("1a86", p.GetProperty("vendorId").GetString());
        Assert.Equal("e129", p.GetProperty("productId").GetString());
        Assert.Equal("0d 00 00 00 00 00 00 00", p.GetProperty("enterCharacters").GetString());
        Assert.Equal(100, p.GetProperty("raw").GetString()!.Length);
        Assert.Equal("WCH", doc.RootElement.GetProperty("manufacturer").GetString());
    }

    [Fact]
    public void ConfigSetChangesTheBaudRateAndKvmtoolConfirmsAtTheNewRate()
    {
        using var rig = new Ch9329Rig();
        var run = rig.Ch9329("config", "set", "--baud", "115200");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("baud rate 9600 → 115200", run.Out);
        Assert.Contains("work mode 0x80 → 0x00 (keyboard and mouse)", run.Out);
        Assert.Contains("so that the new settings survive a power cycle", run.Out);
        Assert.Contains("Written, reset and confirmed: the chip answers at 115200 baud", run.Out);
        Assert.Contains("kvmd's hid speed to 115200", run.Out);
        Assert.Contains("3.3 V", run.Out);

        // The block written: modes without the pin bit, the new rate, every other byte as read.
        byte[] written = rig.Chip.FramesOf(0x09).Single().AsSpan(5, 50).ToArray();
        byte[] expected = Ch9329Simulator.FactoryBlock();
        expected[0] = 0x00;
        expected[1] = 0x00;
        expected[3] = 0x00;
        expected[4] = 0x01;
        expected[5] = 0xC2;
        expected[6] = 0x00;
        Assert.Equal(expected, written);

        Assert.Equal(1, rig.Chip.Resets);
        Assert.Equal(115200, rig.Chip.ActiveBaud);
        // Read, write, read back, reset, then GET_INFO and GET_PARA_CFG heard only at 115200, the chip's rate after the reset.
        var commands = rig.Chip.Frames.Select(f => f[3]).Where((c, i) => i == 0 || c != 0x01 || rig.Chip.Frames[i - 1][3] != 0x01);
        Assert.Equal(new byte[] { 0x08, 0x09, 0x08, 0x0F, 0x01, 0x08 }, commands);

        // A power cycle keeps it (a block written with 0x80 modes would be lost here).
        rig.Chip.PowerCycle();
        Assert.Equal(115200, rig.Chip.ActiveBaud);
        var info = rig.Ch9329("info", "--baud", "115200");
        Assert.True(info.ExitCode == 0, info.Err);
    }

    [Fact]
    public void ConfigSetChangesTheAddressAndTalksToTheNewOne()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(9600));
        var run = rig.Ch9329("config", "set", "--address", "0x05");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("address 0x00 → 0x05", run.Out);
        Assert.Contains("answers at 9600 baud, address 0x05", run.Out);
        Assert.Contains("kvmd's CH9329 plugin always sends to address 0x00", run.Out);
        Assert.Equal(0x05, rig.Chip.ActiveAddress);
        Assert.Equal(0x05, rig.Chip.Frames[^1][2]);
        Assert.Equal(ExitCodes.Timeout, rig.Ch9329("info").ExitCode); // at 0x00 the chip no longer answers
        Assert.Equal(0, rig.Ch9329("info", "--address", "5").ExitCode);
    }

    [Fact]
    public void SettingWhatTheChipAlreadyHasWritesNothing()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(57600));
        var run = rig.Ch9329("config", "set", "--baud", "57600", "--current-baud", "57600");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("already has these settings; nothing was written", run.Out);
        Assert.Empty(rig.Chip.FramesOf(0x09));
        Assert.Equal(0, rig.Chip.Resets);
    }

    [Fact]
    public void ConfigSetFindsTheCurrentRateWithAuto()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(19200));
        var run = rig.Ch9329("config", "set", "--baud", "9600", "--current-baud", "auto");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("baud rate 19200 → 9600", run.Out);
        Assert.Equal(9600, rig.Chip.ActiveBaud);
    }

    [Fact]
    public void ARefusedBlockIsReportedAndTheChipIsNotReset()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.ErrorFor[0x09] = 0xE5);
        var run = rig.Ch9329("config", "set", "--baud", "38400");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("SET_PARA_CFG with error E5 (parameter error", run.Err);
        Assert.Equal(0, rig.Chip.Resets);
        Assert.Equal(9600, rig.Chip.ActiveBaud);
    }

    [Fact]
    public void ARateThatDoesNotTakeEffectIsAFailureNotASuccess()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.KeepBaudAfterReset = true);
        var run = rig.Ch9329("config", "set", "--baud", "38400", "--timeout", "1");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("did not answer GET_INFO at 38400 baud, address 0x00 within 1 s", run.Err);
        Assert.Contains("It still answers at 9600 baud, address 0x00: the new settings did not take effect", run.Err);
        Assert.DoesNotContain("confirmed", run.Out);
    }

    [Fact]
    public void AChipLostAfterTheChangeIsATimeoutWithAWayBack()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.DeadAfterReset = true);
        var run = rig.Ch9329("config", "set", "--baud", "115200", "--timeout", "1");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("answers neither at 115200 nor at 9600 baud", run.Err);
        Assert.Contains("3.3 V", run.Err);
        Assert.Contains("--baud auto", run.Err);
    }

    [Theory]
    [InlineData(new string[0], "needs something to set")]
    [InlineData(new[] { "--baud", "auto" }, "cannot be a new setting")]
    [InlineData(new[] { "--baud", "250000" }, "250000")]
    [InlineData(new[] { "--address", "256" }, "256")]
    [InlineData(new[] { "--baud", "19200", "--timeout", "15" }, "more than the 35 s")]
    public void ConfigSetUsageErrorsTouchNothing(string[] options, string message)
    {
        using var rig = new Ch9329Rig();
        var run = rig.Ch9329(["config", "set", .. options]);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(message, run.Err);
        Assert.Empty(rig.Chip.Frames);
    }
}
