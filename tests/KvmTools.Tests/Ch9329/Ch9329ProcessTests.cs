using System.Diagnostics;
using KvmTools.Cli;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Ch9329;

/// <summary>kvmtool as separate processes: as an unprivileged user, and two at once on one chip.</summary>
public sealed class Ch9329ProcessTests
{
    private static async Task<(int Code, string Out, string Err)> Finish(Process process)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(Ch9329Rig.HangGuard);
        await process.WaitForExitAsync(guard.Token);
        return (process.ExitCode, await output, await error);
    }

    [Theory]
    [InlineData(false, "root:root with mode rw-------", "Only its owner may open it")]
    [InlineData(true, "root:tty with mode rw-rw----", "Add nobody to group tty ('usermod -aG tty nobody'")]
    public async Task AUserWhoMayNotOpenThePortGetsExitFourNamingTheNodeAndGroup(bool groupTty, string owner, string fix)
    {
        Assert.True(Environment.UserName == "root", "this test drops from root to nobody");
        using var rig = new Ch9329Rig();
        // nobody must be able to take the port's lock, and not to open the pty.
        File.SetUnixFileMode(rig.Fx.RuntimeDir, (UnixFileMode)0x1FF);
        using (var chgrp = Process.Start("chgrp", [groupTty ? "tty" : "root", rig.Port]))
        {
            await chgrp.WaitForExitAsync();
            Assert.Equal(0, chgrp.ExitCode);
        }
        File.SetUnixFileMode(rig.Port, groupTty ? (UnixFileMode)0x1B0 : (UnixFileMode)0x180);

        var info = new ProcessStartInfo("setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet",
                     Path.Combine(AppContext.BaseDirectory, "kvmtool-cli.dll"), "ch9329", "info", "--port", rig.Port])
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in rig.Env)
        {
            info.Environment[k] = v;
        }
        info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        info.Environment["HOME"] = Path.GetTempPath();
        using var process = Process.Start(info)!;
        var (code, _, err) = await Finish(process);

        Assert.True(code == ExitCodes.PermissionDenied, err);
        Assert.Contains($"user nobody cannot open {rig.Port}; it belongs to {owner}", err);
        Assert.Contains("fix: " + fix, err);
        Assert.Contains("udev", err);
        Assert.Empty(rig.Chip.Frames);
    }

    [Fact]
    public async Task TwoResetsAtOnceTakeTurnsAndBothAreVerified()
    {
        using var rig = new Ch9329Rig(chip => chip.Faults.ResetSilence = TimeSpan.FromMilliseconds(400));
        var first = CliRunner.Start(rig.Env, "ch9329", "reset", "--port", rig.Port);
        var second = CliRunner.Start(rig.Env, "ch9329", "reset", "--port", rig.Port);
        var results = await Task.WhenAll(Finish(first), Finish(second));
        first.Dispose();
        second.Dispose();

        Assert.All(results, r => Assert.True(r.Code == 0, r.Err));
        // Each found the chip idle: its RESET was acknowledged the first time, never lost to the other's reboot.
        Assert.All(results, r => Assert.Contains("(attempt 1 of 3)", r.Out));
        Assert.Equal(2, rig.Chip.Resets);
        Assert.Equal(2, rig.Chip.FramesOf(0x0F).Count);
    }

    [Fact]
    public async Task FactoryResetFromAScriptNeedsYesAndTouchesNothingWithoutIt()
    {
        using var rig = new Ch9329Rig(chip => chip.Configure(19200));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true, // a pipe, as from kvmd or cron: nobody there to confirm
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "kvmtool-cli.dll"), "ch9329", "factory-reset", "--port", rig.Port, "--baud", "19200"])
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in rig.Env)
        {
            info.Environment[k] = v;
        }
        using var process = Process.Start(info)!;
        process.StandardInput.WriteLine("y"); // not a terminal's answer: it must not count
        process.StandardInput.Close();
        var (code, _, err) = await Finish(process);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("standard input is not a terminal", err);
        Assert.Contains("--yes", err);
        Assert.Empty(rig.Chip.Frames);
        Assert.Equal(19200, rig.Chip.ActiveBaud);
    }
}
