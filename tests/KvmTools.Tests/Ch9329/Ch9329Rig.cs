using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Ch9329;

/// <summary>
/// A simulated CH9329 on the far side of a real pseudo-terminal, and kvmtool's command line run against it
/// in-process with fixture roots. Every run is bounded: a kvmtool that hangs fails the test instead of stalling it.
/// </summary>
public sealed class Ch9329Rig : IDisposable
{
    /// <summary>Far beyond any command's own limits (a reset is capped at 35 s): reaching it means kvmtool hung.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    public Ch9329Rig(Action<Ch9329Simulator>? setup = null)
    {
        setup?.Invoke(Chip);
        Chip.Start(Pty);
        Env = CliRunner.EnvFor(Fx);
        Env.Remove("KVMTOOL_DEV_ROOT"); // the pty lives in the real /dev/pts
    }

    public SysfsFixture Fx { get; } = new();

    public PseudoTerminal Pty { get; } = new();

    public Ch9329Simulator Chip { get; } = new();

    public Dictionary<string, string> Env { get; }

    public string Port => Pty.SlavePath;

    /// <summary>Runs 'kvmtool ARGS' and fails the test if it does not finish.</summary>
    public CliRun Run(params string[] args)
    {
        var run = Task.Run(() => CliRunner.Run(Env, args));
        Assert.True(run.Wait(HangGuard), $"kvmtool {string.Join(' ', args)} did not finish within {HangGuard.TotalSeconds:0} s");
        return run.Result;
    }

    /// <summary>Runs 'kvmtool ch9329 ARGS --port PTY'.</summary>
    public CliRun Ch9329(params string[] args) => Run(["ch9329", .. args, "--port", Port]);

    public string WriteConfig(string yaml)
    {
        File.WriteAllText(Env["KVMTOOL_CONFIG"], yaml);
        return Env["KVMTOOL_CONFIG"];
    }

    public void Dispose()
    {
        Chip.Dispose();
        Pty.Dispose();
        Fx.Dispose();
    }
}
