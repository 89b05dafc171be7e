using System.CommandLine;
using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Doctor;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;
using KvmTools.Core.Usb;

namespace KvmTools.Cli.Commands;

/// <summary>'kvmtool doctor': checks what a configured feature needs and says how to fix what is missing.</summary>
public static class DoctorCommands
{
    /// <summary>Every capability's checks, in the order they are printed.</summary>
    private static IEnumerable<IDoctorChecks> Checks() =>
    [
        new SystemChecks(),
        new RelayDoctorChecks(),
        new UsbDoctorChecks(),
        new KvmdDoctorChecks(),
    ];

    public static Command Build(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var doctor = new Command("doctor",
            "Check that kvmtool can do what kvmtool.yaml asks, for you and for kvmd's user: the configuration,\n" +
            "each configured device, device permissions, udev rules, state directories, a read-only root.\n" +
            "Exits 1 when something a configured feature needs is missing; each problem comes with its fix.\n\n" +
            "Examples:\n  kvmtool doctor\n  sudo -u kvmd kvmtool doctor --json")
        {
            json,
        };
        doctor.SetAction(parse =>
        {
            var findings = DoctorRunner.Run(Context(context, parse), Checks());
            if (parse.GetValue(json))
            {
                CliJson.Write(context.Out, findings.Select(f => new DoctorFindingJson(
                    f.Area, f.Status.ToString().ToLowerInvariant(), f.Message, f.Fix)).ToList(), CliJson.Default.ListDoctorFindingJson);
            }
            else
            {
                foreach (var f in findings)
                {
                    string status = f.Status switch { DoctorStatus.Ok => "ok", DoctorStatus.Warning => "warning", _ => "PROBLEM" };
                    context.Out.WriteLine($"{status,-8} {f.Area,-11} {f.Message}");
                    if (f.Fix is not null && f.Status != DoctorStatus.Ok)
                    {
                        context.Out.WriteLine($"{"",-8} {"",-11} fix: {f.Fix}");
                    }
                }
                int problems = findings.Count(f => f.Status == DoctorStatus.Problem);
                context.Out.WriteLine(problems == 0 ? "No problems found." : $"{problems} problem(s) found.");
            }
            return findings.Any(f => f.Status == DoctorStatus.Problem) ? ExitCodes.Failed : ExitCodes.Ok;
        });
        return doctor;
    }

    private static DoctorContext Context(CliContext context, ParseResult parse)
    {
        LoadedConfig? config = null;
        KvmToolException? error = null;
        try
        {
            config = context.Config(parse);
        }
        catch (KvmToolException e)
        {
            error = e;
        }
        return new DoctorContext(context.Paths, CliApp.Version, context.ConfigPath(parse), config, error,
            UserIdentity.Current(context.Paths.EtcRoot));
    }
}

/// <summary>One finding, as 'doctor --json' prints it.</summary>
public sealed record DoctorFindingJson(string Area, string Status, string Message, string? Fix);
