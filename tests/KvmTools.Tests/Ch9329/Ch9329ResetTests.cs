using KvmTools.Cli;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Ch9329;

/// <summary>
/// 'kvmtool ch9329 reset' and 'factory-reset': success only when the chip acknowledged and answered again, and
/// every failure ends within its limits with the right code and what was seen.
/// </summary>
public sealed class Ch9329ResetTests
{
    private static readonly byte[] ResetFrame = Convert.FromHexString("57AB000F0011");

    [Fact]
    public void ResetWaitsForTheRebootedChipAndReportsIt()
    {
        using var rig = new Ch9329Rig(chip =>
        {
            chip.UsbEnumerated = false; // the wedged USB side a reset is meant to fix
            chip.Faults.ResetSilence = TimeSpan.FromMilliseconds(700);
        });
        var run = rig.Ch9329("reset");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains($"CH9329 reset on {rig.Port} at 9600 baud, address 0x00: it acknowledged RESET and answered again after", run.Out);
        Assert.Contains("(attempt 1 of 3)", run.Out);
        Assert.Contains("target computer: enumerated", run.Out);
        Assert.Equal(1, rig.Chip.Resets);
        Assert.Equal([ResetFrame], rig.Chip.FramesOf(0x0F));
        // Nothing but RESET went out before the reset, and the chip heard GET_INFO only after its reboot.
        Assert.Equal(0x0F, rig.Chip.Frames[0][3]);
        Assert.Equal(0x01, rig.Chip.Frames[^1][3]);
    }

    [Fact]
    public void ALostResetIsTriedAgainAndTheOutputSaysSo()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.IgnoreResets = 1);
        var run = rig.Ch9329("reset");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("(attempt 2 of 3)", run.Out);
        Assert.Contains("before that, attempt 1: no acknowledgement of RESET; seen: nothing", run.Out);
        Assert.Equal(1, rig.Chip.Resets);
    }

    [Fact]
    public void AChipThatAnswersButNeverAcknowledgesResetIsNotReportedAsReset()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.IgnoreResets = 99);
        var run = rig.Ch9329("reset", "--attempts", "2", "--timeout", "1");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("did not come back after RESET (2 attempts)", run.Err);
        Assert.Contains("attempt 2: no acknowledgement of RESET; seen: nothing", run.Err);
        Assert.DoesNotContain("acknowledged RESET and answered", run.Out);
        Assert.Equal(0, rig.Chip.Resets);
    }

    [Fact]
    public void AChipThatDiesAfterAcknowledgingTimesOut()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.DeadAfterReset = true);
        var run = rig.Ch9329("reset", "--attempts", "2", "--timeout", "1");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("attempt 1: the chip acknowledged RESET but did not answer GET_INFO within 1 s; seen: nothing", run.Err);
        Assert.Contains("attempt 2: no acknowledgement of RESET", run.Err);
        Assert.Contains("power-cycle it", run.Err);
        Assert.Equal(1, rig.Chip.Resets);
    }

    [Fact]
    public void AnErrorAnswerToResetFailsWithExitOneAndItsCode()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.ErrorFor[0x0F] = 0xE6);
        var run = rig.Ch9329("reset", "--attempts", "2");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("attempt 1: the chip answered RESET with error E6", run.Err);
        Assert.Contains("attempt 2: the chip answered RESET with error E6", run.Err);
        Assert.Equal(0, rig.Chip.Resets);
    }

    [Fact]
    public void AChipAtAnotherRateHearsGarbageAndStaysQuiet()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(115200));
        var run = rig.Ch9329("reset", "--attempts", "1", "--timeout", "1");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("seen: nothing", run.Err);
        Assert.True(rig.Chip.WrongSpeedBursts > 0);
        Assert.Equal(0, rig.Chip.Resets);
    }

    [Fact]
    public void GarbageInsteadOfAnAcknowledgementFailsWithExitOne()
    {
        using var noisy = new Ch9329Rig(chip =>
        {
            chip.Faults.CorruptReplies = true;
            chip.Faults.GarbageBeforeReply = 8;
            chip.Faults.DeadAfterReset = true;
        });
        var run = noisy.Ch9329("reset", "--attempts", "1", "--timeout", "1");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("bytes that were not CH9329 frames", run.Err);
        Assert.Contains("--baud auto", run.Err);
    }

    [Fact]
    public void ASilentChipFailsEveryAttemptWithinTheLimits()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.Silent = true);
        var run = rig.Ch9329("reset", "--attempts", "3", "--timeout", "1");
        Assert.Equal(ExitCodes.Timeout, run.ExitCode);
        Assert.Contains("(3 attempts)", run.Err);
        Assert.Contains("attempt 3: no acknowledgement of RESET; seen: nothing", run.Err);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public void ResetWorksThroughKvmdTrafficAndSplitFrames()
    {
        using var rig = new Ch9329Rig(chip =>
        {
            chip.Faults.Chatter = TimeSpan.FromMilliseconds(25);
            chip.Faults.ForeignBeforeReply = 2;
            chip.Faults.SplitReplies = true;
            chip.Faults.GarbageBeforeReply = 5;
        });
        var run = rig.Ch9329("reset");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Equal(1, rig.Chip.Resets);
    }

    [Theory]
    [InlineData("--attempts", "0")]
    [InlineData("--attempts", "6")]
    [InlineData("--timeout", "0.2")]
    [InlineData("--timeout", "25")]
    public void ResetLimitsAreUsageErrors(string option, string value)
    {
        using var rig = new Ch9329Rig();
        var run = rig.Ch9329("reset", option, value);
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains(option, run.Err);
        Assert.Empty(rig.Chip.Frames);
    }

    [Fact]
    public void AResetThatCouldOutliveTheBackstopIsRefused()
    {
        using var rig = new Ch9329Rig();
        var run = rig.Ch9329("reset", "--attempts", "5", "--timeout", "10");
        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("more than the 35 s", run.Err);
    }

    [Fact]
    public void FactoryResetRestoresResetsAndConfirmsAtTheFactoryRate()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(19200, address: 0x02));
        var run = rig.Ch9329("factory-reset", "--yes", "--baud", "19200", "--address", "2");
        Assert.True(run.ExitCode == 0, run.Err);
        Assert.Contains("restored to its factory settings and reset: it answers at 9600 baud, address 0x00", run.Out);
        Assert.Contains("note: it was at 19200 baud", run.Out);
        Assert.Equal(Ch9329Simulator.FactoryBlock(), rig.Chip.StoredBlock);
        Assert.Equal((9600, (byte)0), (rig.Chip.ActiveBaud, rig.Chip.ActiveAddress));
        Assert.Equal(1, rig.Chip.Resets);
        // The confirmation was read at the new settings.
        Assert.Equal(0x00, rig.Chip.FramesOf(0x08)[^1][2]);
    }

    [Fact]
    public void FactoryResetRefusedByTheChipDoesNotReset()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.ErrorFor[0x0C] = 0xE6);
        var run = rig.Ch9329("factory-reset", "--yes");
        Assert.Equal(ExitCodes.Failed, run.ExitCode);
        Assert.Contains("SET_DEFAULT_CFG with error E6", run.Err);
        Assert.Equal(0, rig.Chip.Resets);
    }
}
