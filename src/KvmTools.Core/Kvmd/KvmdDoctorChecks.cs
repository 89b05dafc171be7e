using KvmTools.Core.Doctor;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Kvmd;

/// <summary>'kvmtool doctor' for kvmd: override.d is there, and the installed gpio.yaml is kvmtool's and current.</summary>
public sealed class KvmdDoctorChecks : IDoctorChecks
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        if (context.Config?.Model.Kvmd is not { } kvmd)
        {
            yield break;
        }
        var host = GpioHost.For(kvmd, context.Paths);
        if (!Directory.Exists(host.OverrideDir))
        {
            yield return new DoctorFinding("kvmd", DoctorStatus.Problem, $"{host.OverrideDir} does not exist: kvmd is not installed here, or its configuration lives elsewhere.",
                "Set 'override-dir:' under kvmd: in kvmtool.yaml to kvmd's override.d.");
            yield break;
        }
        string installed;
        try
        {
            installed = File.Exists(host.Target) ? File.ReadAllText(host.Target) : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            installed = "";
        }
        if (installed.Length == 0)
        {
            yield return new DoctorFinding("kvmd", DoctorStatus.Problem, $"{host.Target} is not installed: kvmd shows none of kvmtool's buttons.",
                "Run 'kvmtool gpio apply --restart-kvmd' as root.");
            yield break;
        }
        string? generated = null;
        KvmToolException? error = null;
        try
        {
            generated = GpioOverrideFile.Render(GpioGenerator.Build(context.Config), context.Version);
        }
        catch (KvmToolException e)
        {
            error = e;
        }
        if (error is not null)
        {
            yield return new DoctorFinding("kvmd", DoctorStatus.Problem, "The kvmd: section cannot be generated: " + error.Message, error.Hint);
            yield break;
        }
        if (SudoFinding(host, installed) is { } sudo)
        {
            yield return sudo;
        }
        yield return GpioOverrideFile.Inspect(installed) switch
        {
            FileOrigin.Foreign => new DoctorFinding("kvmd", DoctorStatus.Warning, $"{host.Target} was not written by kvmtool.",
                "'kvmtool gpio diff' shows what kvmtool would write; 'kvmtool gpio apply --force' replaces it and keeps a backup."),
            FileOrigin.Edited => new DoctorFinding("kvmd", DoctorStatus.Warning, $"{host.Target} was edited by hand since kvmtool wrote it.",
                "Move the edits into kvmtool.yaml, then 'kvmtool gpio apply --force' (the edited file is kept as a backup)."),
            _ when installed == generated => new DoctorFinding("kvmd", DoctorStatus.Ok, $"{host.Target} is installed and current."),
            _ => new DoctorFinding("kvmd", DoctorStatus.Problem, $"{host.Target} is out of date with kvmtool.yaml.",
                "Run 'kvmtool gpio diff' to see the change, then 'kvmtool gpio apply --restart-kvmd'."),
        };
    }

    /// <summary>Whether the installed file's root buttons can run: sudo is there and the rule is exactly theirs.</summary>
    private static DoctorFinding? SudoFinding(GpioHost host, string installed)
    {
        var lines = SudoRules.LinesOf(installed);
        string? expected = SudoRules.Render(lines, BuildInfo.Version);
        string? current = File.Exists(host.SudoersFile) ? TryRead(host.SudoersFile) : null;
        if (expected is null)
        {
            return current is not null && SudoRules.IsOurs(current)
                ? new DoctorFinding("kvmd", DoctorStatus.Warning, $"{host.SudoersFile} grants kvmd root for buttons the installed gpio.yaml no longer has.",
                    "Run 'kvmtool gpio apply' as root: it removes the rule.")
                : null;
        }
        string what = lines.Count == 1 ? "1 button needs" : $"{lines.Count} buttons need";
        if (!File.Exists(host.SudoBinary))
        {
            return new DoctorFinding("kvmd", DoctorStatus.Problem, $"{what} root through {host.SudoBinary}, which is not installed: they fail.",
                "Install sudo (PiKVM OS: 'pacman -S sudo'; Debian: 'apt install sudo'), then 'kvmtool gpio apply'.");
        }
        if (current != expected)
        {
            return new DoctorFinding("kvmd", DoctorStatus.Problem,
                $"{what} root, and {host.SudoersFile} {(current is null ? "is missing" : "does not match them")}: kvmd's sudo refuses them.",
                "Run 'kvmtool gpio apply' as root: it writes the rule for exactly those buttons.");
        }
        return FileStatus.Of(host.SudoersFile) is { Uid: 0, OthersMayWrite: false }
            ? new DoctorFinding("kvmd", DoctorStatus.Ok, $"{host.SudoersFile} lets kvmd run the {lines.Count} root button{(lines.Count == 1 ? "" : "s")}, and nothing else.")
            : new DoctorFinding("kvmd", DoctorStatus.Problem, $"{host.SudoersFile} is not root's or is writable by others; sudo ignores it.",
                "Run 'kvmtool gpio apply' as root, or: chown root:root FILE; chmod 0440 FILE.");
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
