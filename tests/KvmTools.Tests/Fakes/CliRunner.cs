using System.Diagnostics;
using KvmTools.Cli;

namespace KvmTools.Tests.Fakes;

public sealed record CliRun(int ExitCode, string Out, string Err);

/// <summary>Runs kvmtool's command line in-process, or as a real process where processes must contend.</summary>
public static class CliRunner
{
    public static CliRun Run(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = CliApp.Run(args, new CliContext(output, error, name => env.TryGetValue(name, out var v) ? v : null));
        return new CliRun(code, output.ToString(), error.ToString());
    }

    public static Dictionary<string, string> EnvFor(SysfsFixture fx, string? config = null)
    {
        var env = new Dictionary<string, string>
        {
            ["KVMTOOL_SYSFS_ROOT"] = fx.SysRoot,
            ["KVMTOOL_DEV_ROOT"] = fx.DevRoot,
            ["KVMTOOL_RUNTIME_DIR"] = fx.RuntimeDir,
            ["KVMTOOL_STATE_DIR"] = Path.Combine(fx.Root, "var", "lib", "kvmtool"),
            // Never read the machine's own /etc/kvmtool/kvmtool.yaml from a test.
            ["KVMTOOL_CONFIG"] = config ?? Path.Combine(fx.Root, "kvmtool.yaml"),
        };
        if (config is null)
        {
            File.WriteAllText(env["KVMTOOL_CONFIG"], "");
        }
        return env;
    }

    /// <summary>Starts the built kvmtool as its own process (the JIT build next to the tests).</summary>
    public static Process Start(IReadOnlyDictionary<string, string> env, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "kvmtool-cli.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }
        return Process.Start(info)!;
    }
}
