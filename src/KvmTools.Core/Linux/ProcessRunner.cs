using System.Diagnostics;

namespace KvmTools.Core.Linux;

/// <summary>What a finished (or abandoned) child process did.</summary>
public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    public bool Succeeded => !TimedOut && ExitCode == 0;

    /// <summary>The last lines of its error output (or output), for a message.</summary>
    public string Tail(int lines = 5)
    {
        string text = StandardError.Trim().Length > 0 ? StandardError : StandardOutput;
        var all = text.Trim().Split('\n');
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines))).Trim();
    }
}

/// <summary>Runs other programs (mount, systemctl, kvmd) by absolute path, no shell, each with a time limit.</summary>
public interface IProcessRunner
{
    ProcessResult Run(IReadOnlyList<string> argv, TimeSpan timeout);
}

public sealed class SystemProcessRunner : IProcessRunner
{
    public static SystemProcessRunner Instance { get; } = new();

    public ProcessResult Run(IReadOnlyList<string> argv, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new OperationFailedException($"Cannot start {argv[0]}.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new NotFoundException($"Cannot run {argv[0]}: {e.Message}", $"Is {Path.GetFileName(argv[0])} installed?", e);
        }
        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // It ended just now.
                }
                process.WaitForExit(TimeSpan.FromSeconds(5));
                return new ProcessResult(-1, Finished(stdout), Finished(stderr), true);
            }
            process.WaitForExit();
            return new ProcessResult(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), false);
        }
    }

    private static string Finished(Task<string> task) => task.Wait(TimeSpan.FromSeconds(1)) ? task.Result : "";
}
