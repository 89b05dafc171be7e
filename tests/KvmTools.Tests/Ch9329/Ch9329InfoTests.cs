using System.Text.Json;
using KvmTools.Cli;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Ch9329;

/// <summary>'kvmtool ch9329 info' against the simulated chip on a pty, clean and under every kind of noise.</summary>
public sealed class Ch9329InfoTests
{
    [Fact]
    public void InfoPrintsVersionEnumerationAndLockKeys()
    {
        using var rig = new Ch9329Rig(chip => chip.Leds = 0x02);
        var run = rig.Ch9329("info");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains($"CH9329 V1.1 on {rig.Port} at 9600 baud, address 0x00", run.Out);
        Assert.Contains("target computer: enumerated", run.Out);
        Assert.Contains("Num Lock off, Caps Lock on, Scroll Lock off", run.Out);
        // Exactly one GET_INFO went out, as one frame.
        Assert.Equal([Convert.FromHexString("57AB00010003")], rig.Chip.FramesOf(0x01));
    }

    [Fact]
    public void InfoJsonCarriesTheSameFacts()
    {
        using var rig = new Ch9329Rig(chip =>
        {
            chip.Version = 0x30;
            chip.UsbEnumerated = false;
            chip.Leds = 0x05;
        });
        var run = rig.Ch9329("info", "--json");
        Assert.True(run.ExitCode == 0, run.Err);
        using var doc = JsonDocument.Parse(run.Out);
        var root = doc.RootElement;
        Assert.Equal("V1.0", root.GetProperty("version").GetString());
        Assert.Equal(0x30, root.GetProperty("versionByte").GetInt32());
        Assert.False(root.GetProperty("usbEnumerated").GetBoolean());
        Assert.True(root.GetProperty("numLock").GetBoolean());
        Assert.False(root.GetProperty("capsLock").GetBoolean());
        Assert.True(root.GetProperty("scrollLock").GetBoolean());
        Assert.Equal(9600, root.GetProperty("baud").GetInt32());
        Assert.Equal(rig.Port, root.GetProperty("port").GetString());
        Assert.Equal("0x00", root.GetProperty("address").GetString());
    }

    [Fact]
    public void NotEnumeratedIsReportedButIsNotAFailure()
    {
        using var rig = new Ch9329Rig(chip => chip.UsbEnumerated = false);
        var run = rig.Ch9329("info");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("target computer: not enumerated", run.Out);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("split")]
    [InlineData("foreign")]
    [InlineData("chatter")]
    [InlineData("all")]
    public void InfoSucceedsThroughNoise(string noise)
    {
        using var rig = new Ch9329Rig(chip =>
        {
            chip.Leds = 0x01;
            chip.Faults.GarbageBeforeReply = noise is "garbage" or "all" ? 12 : 0;
            chip.Faults.SplitReplies = noise is "split" or "all";
            chip.Faults.ForeignBeforeReply = noise is "foreign" or "all" ? 4 : 0;
            chip.Faults.Chatter = noise is "chatter" or "all" ? TimeSpan.FromMilliseconds(15) : null;
        });
        var run = rig.Ch9329("info");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("Num Lock on", run.Out);
    }

    [Fact]
    public void ASilentChipTimesOutWithExitFiveAndSaysNothingCame()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.Silent = true);
        var run = rig.Ch9329("info");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("did not answer GET_INFO: nothing came back in 3 tries", run.Err);
        Assert.Contains("--baud auto", run.Err);
        Assert.DoesNotContain("CH9329 V", run.Out);
    }

    [Fact]
    public void DamagedAnswersFailWithExitOneAndSaySo()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.CorruptReplies = true);
        var run = rig.Ch9329("info");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("damaged frame", run.Err);
        Assert.Equal(3, rig.Chip.FramesOf(0x01).Count);
    }

    [Fact]
    public void AnErrorAnswerIsReportedWithItsCode()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.ErrorFor[0x01] = 0xE6);
        var run = rig.Ch9329("info");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("answered GET_INFO with error E6", run.Err);
        Assert.Single(rig.Chip.FramesOf(0x01)); // E6 is not a transmission error: no retry
    }

    [Fact]
    public void OnlyAnotherProgramsTrafficIsATimeoutThatNamesKvmd()
    {
        // The chip answers kvmd's keyboard frames, but every answer to kvmtool's GET_INFO is taken by kvmd.
        using var rig = new Ch9329Rig(chip =>
        {
            chip.Faults.Chatter = TimeSpan.FromMilliseconds(20);
            chip.Faults.Unanswered.Add(0x01);
        });
        var run = rig.Ch9329("info");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("is answering another program but did not answer kvmtool's GET_INFO in 3 tries", run.Err);
        Assert.Contains("0x82 (answer to SEND_KB_GENERAL_DATA)", run.Err);
        Assert.Contains("systemctl stop kvmd", run.Err);
    }

    [Fact]
    public void AReplyKvmdTookIsMadeUpByTheNextTry()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.UnansweredOnce.Add(0x01));
        var run = rig.Ch9329("info");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(2, rig.Chip.FramesOf(0x01).Count);
    }

    [Fact]
    public void AutoBaudFindsTheChipAndPutsThePortSpeedBack()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(57600));
        rig.Pty.SetSlaveBaud(9600); // as kvmd would have left it

        var wrong = rig.Ch9329("info");
        Assert.Equal(ExitCodes.Timeout, wrong.ExitCode);
        Assert.True(rig.Chip.WrongSpeedBursts > 0);

        var run = rig.Ch9329("info", "--baud", "auto");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("at 57600 baud (found by --baud auto)", run.Out);
        Assert.Equal(9600, rig.Pty.SlaveBaud);
    }

    [Fact]
    public void AutoBaudWithNoChipSaysItTriedEveryRate()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.Silent = true);
        var run = rig.Ch9329("info", "--baud", "auto");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("answered at none of the rates 1200, 2400", run.Err);
    }

    [Fact]
    public void TheConfiguredRateAndAddressAreUsed()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(19200, address: 0x07));
        rig.WriteConfig($"ch9329:\n  port: {rig.Port}\n  baud: 19200\n  address: 0x07\n");
        var run = rig.Run("ch9329", "info");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("at 19200 baud, address 0x07", run.Out);
        Assert.All(rig.Chip.FramesOf(0x01), f => Assert.Equal(0x07, f[2]));
    }

    [Fact]
    public void AChipAtAnotherAddressIgnoresKvmtool()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(9600, address: 0x03));
        var run = rig.Ch9329("info", "--address", "4");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("--address", run.Err);
        Assert.Empty(rig.Chip.Frames);
    }

    [Fact]
    public void AMissingPortIsNotFound()
    {
        using var rig = new Ch9329Rig();
        var run = rig.Run("ch9329", "info", "--port", "/dev/ttyUSB-none");
        Assert.Equal(ExitCodes.NotFound, run.ExitCode);
        Assert.Contains("/dev/ttyUSB-none", run.Err);
        Assert.Contains("fix:", run.Err);
    }

    [Theory]
    [InlineData("--baud", "14400")]
    [InlineData("--address", "0xFF")]
    public void BadOptionsAreUsageErrors(string option, string value)
    {
        using var rig = new Ch9329Rig();
        var run = rig.Ch9329("info", option, value);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(value, run.Err);
        Assert.Empty(rig.Chip.Frames);
    }

    [Fact]
    public void WithoutACommandCh9329IsAUsageError()
    {
        using var rig = new Ch9329Rig();
        Assert.Equal(ExitCodes.Usage, rig.Run("ch9329").ExitCode);
    }
}
