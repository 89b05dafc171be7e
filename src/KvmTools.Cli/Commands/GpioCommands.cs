using System.CommandLine;
using KvmTools.Core;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;

namespace KvmTools.Cli.Commands;

/// <summary>'kvmtool gpio': kvmd's GPIO override (web buttons and indicators) from kvmtool.yaml.</summary>
public static class GpioCommands
{
    public static Command Build(CliContext context)
    {
        var output = new Option<string?>("--output", "-o") { Description = "Write the override to this file (atomically) instead of printing it." };
        var generate = new Command("generate",
            "Print kvmd's GPIO override generated from the 'kvmd:' section of kvmtool.yaml: a cmd driver per button,\n" +
            "a cmdret driver per indicator, and the view table. The same configuration always gives the same bytes.\n\n" +
            "Examples:\n  kvmtool gpio generate\n  kvmtool gpio generate --config kvmtool.yaml -o /tmp/gpio.yaml")
        {
            output,
        };
        generate.SetAction(parse => Generate(context, parse, parse.GetValue(output)));

        var file = new Argument<string?>("file") { Description = "The file to check (default: the installed set, as --installed).", Arity = ArgumentArity.ZeroOrOne };
        var installed = new Option<bool>("--installed") { Description = "Check every file kvmd loads: override.d (gpio.yaml and the rest) and override.yaml." };
        var check = new Command("check",
            "Check a kvmd GPIO override against kvmd's rules (not only YAML syntax): what would stop kvmd, and what its\n" +
            "page would silently show differently. Each problem names file:line:column, kvmd's key path and the fix.\n" +
            "Exit 0 when there is no error (warnings are printed), 1 when there is one.\n\n" +
            "Examples:\n  kvmtool gpio check --installed\n  kvmtool gpio check /etc/kvmd/override.d/gpio.yaml")
        {
            file, installed,
        };
        check.SetAction(parse => Check(context, parse, parse.GetValue(file), parse.GetValue(installed)));

        var diff = new Command("diff",
            "Show what 'gpio apply' would change in the installed gpio.yaml, as a unified diff.\n" +
            "Exit 0 when nothing would change, 1 when something would.\n\n" +
            "Examples:\n  kvmtool gpio diff")
        { };
        diff.SetAction(parse => Diff(context, parse));

        var force = new Option<bool>("--force") { Description = "Replace a gpio.yaml that a person edited or wrote (it is kept in the backups)." };
        var remount = new Option<bool>("--remount") { Description = "On a read-only root (PiKVM OS), remount read-write for the write and read-only again after." };
        var restart = new Option<bool>("--restart-kvmd") { Description = "Restart kvmd afterwards and report whether it came back." };
        var apply = new Command("apply",
            "Generate, check and install kvmd's GPIO override (override.d/gpio.yaml): kvmd's own config check on a staged\n" +
            "copy when kvmd is installed, an atomic replace with the old file's owner and mode, the old file kept in\n" +
            "kvmtool's backup directory. Prints 'unchanged' and changes nothing when the file is already current.\n\n" +
            "Examples:\n  kvmtool gpio apply --restart-kvmd\n  kvmtool gpio apply --remount --restart-kvmd     (PiKVM OS, read-only root)")
        {
            force, remount, restart,
        };
        apply.SetAction(parse => Apply(context, parse, new ApplyOptions(parse.GetValue(force), parse.GetValue(remount), parse.GetValue(restart))));

        var rollback = new Command("rollback",
            "Put back the gpio.yaml that the last 'gpio apply' replaced (or remove gpio.yaml if there was none).\n" +
            "The file it replaces is kept in the backups' rolled-back/ directory.\n\n" +
            "Examples:\n  kvmtool gpio rollback --restart-kvmd")
        {
            remount, restart,
        };
        rollback.SetAction(parse => Rollback(context, parse, parse.GetValue(remount), parse.GetValue(restart)));

        var gpio = new Command("gpio",
            "kvmd's web buttons and indicators: the GPIO override that kvmtool generates from the 'kvmd:' section of\n" +
            "kvmtool.yaml and installs as /etc/kvmd/override.d/gpio.yaml.\n\n" +
            "Examples:\n  kvmtool gpio generate\n  kvmtool gpio diff\n  kvmtool gpio apply --restart-kvmd\n  kvmtool gpio check --installed")
        {
            generate, check, diff, apply, rollback,
        };
        // An administrator's command, not a kvmd driver: kvmd's own check, remounts and a restart each have their
        // own limits, which add up to more than the default backstop on a slow board.
        context.DeclareBackstop(gpio, TimeSpan.FromSeconds(600));
        return gpio;
    }

    private static string Render(CliContext context, ParseResult parse) =>
        GpioOverrideFile.Render(GpioGenerator.Build(context.Config(parse)), CliApp.Version);

    private static GpioHost Host(CliContext context, ParseResult parse)
    {
        var host = GpioHost.For(context.Config(parse).Model.Kvmd, context.Paths);
        return host with
        {
            MountsFile = context.Environment("KVMTOOL_MOUNTS_FILE") ?? host.MountsFile,
            KvmdBinary = context.Environment("KVMTOOL_KVMD") ?? host.KvmdBinary,
        };
    }

    private static int Generate(CliContext context, ParseResult parse, string? output)
    {
        var model = GpioGenerator.Build(context.Config(parse));
        string text = GpioOverrideFile.Render(model, CliApp.Version);
        if (output is null)
        {
            context.Out.Write(text);
            return ExitCodes.Ok;
        }
        try
        {
            AtomicFile.WriteText(output, text, StagedFile.DefaultMode);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied writing {output}.", "Write somewhere you may, or run as root.", e);
        }
        catch (IOException e)
        {
            throw new OperationFailedException($"Cannot write {output}: {e.Message}", "Check the directory exists and is writable.", e);
        }
        context.Out.WriteLine($"wrote {output} ({model.Buttons} buttons, {model.Indicators} indicators)");
        return ExitCodes.Ok;
    }

    private static int Check(CliContext context, ParseResult parse, string? file, bool installed)
    {
        if (file is not null && installed)
        {
            throw new UsageException("Give a file or --installed, not both.", "kvmtool gpio check FILE, or kvmtool gpio check --installed.");
        }
        List<GpioProblem> problems;
        string what;
        if (file is null)
        {
            var host = Host(context, parse);
            problems = InstalledOverrides.Check(host.OverrideDir, host.Target);
            what = $"the files kvmd loads ({host.OverrideDir}/*, {host.OverrideYaml})";
            if (!File.Exists(host.Target))
            {
                context.Out.WriteLine($"note: {host.Target} is not installed; 'kvmtool gpio apply' installs it.");
            }
        }
        else
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new NotFoundException($"{file} does not exist.", "Give the path of a kvmd override file, or use --installed.", e);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new PermissionDeniedException($"Permission denied reading {file}.", "Run as root (sudo).", e);
            }
            problems = GpioChecker.CheckText(text, file);
            what = file;
        }
        Report(context, problems);
        int errors = problems.Count(p => p.Severity == Severity.Error);
        int warnings = problems.Count - errors;
        if (errors == 0)
        {
            context.Out.WriteLine($"ok: {what}: no errors{(warnings > 0 ? $", {Plural(warnings, "warning")}" : "")}.");
            return ExitCodes.Ok;
        }
        context.Out.WriteLine($"{what}: {Plural(errors, "error")}{(warnings > 0 ? $", {Plural(warnings, "warning")}" : "")}.");
        return ExitCodes.Failed;
    }

    private static int Diff(CliContext context, ParseResult parse)
    {
        string generated = Render(context, parse);
        var installer = new GpioInstaller(Host(context, parse));
        string installedText = installer.InstalledText();
        string diff = UnifiedDiff.Create(installedText, generated, installer.Host.Target, "generated from " + (context.Config(parse).Path ?? ConfigLoader.DefaultPath));
        if (diff.Length == 0)
        {
            context.Out.WriteLine($"unchanged: {installer.Host.Target} is what kvmtool.yaml generates.");
            return ExitCodes.Ok;
        }
        context.Out.Write(diff);
        return ExitCodes.Failed;
    }

    private static int Apply(CliContext context, ParseResult parse, ApplyOptions options)
    {
        string generated = Render(context, parse);
        var config = context.Config(parse);
        var installer = new GpioInstaller(Host(context, parse));
        var result = installer.Apply(generated, options);
        Report(context, result.Problems);
        if (result.Outcome == ApplyOutcome.Unchanged)
        {
            context.Out.WriteLine($"unchanged: {result.Path}");
            ReportSudo(context, installer.Host, result.Sudo, result.RootLines);
            return ExitCodes.Ok;
        }
        if (config.Path is { } used && Path.GetFullPath(used) != ConfigLoader.DefaultPath)
        {
            context.Out.WriteLine($"the buttons' commands name {Path.GetFullPath(used)} (--config), as kvmd passes them no KVMTOOL_CONFIG");
        }
        context.Out.WriteLine(result.KvmdCheck == KvmdCheck.Passed
            ? $"kvmd's own config check passed ({installer.Host.KvmdBinary} -m)"
            : $"kvmd is not installed here ({installer.Host.KvmdBinary}): kvmd's own config check skipped");
        context.Out.WriteLine($"wrote {result.Path}");
        if (result.Backup is { } backup)
        {
            context.Out.WriteLine(backup.Kind == BackupKind.Absent
                ? $"there was no previous file ('kvmtool gpio rollback' removes it again; marker {backup.Path})"
                : $"previous file kept as {backup.Path}{(backup.Kind == BackupKind.HandEdited ? " (it had been edited by hand)" : "")}");
        }
        ReportSudo(context, installer.Host, result.Sudo, result.RootLines);
        foreach (string mp in result.Remounted)
        {
            context.Out.WriteLine($"remounted {mp} read-write for the write, and read-only again");
        }
        return ReportRestart(context, result.Restart, "kvmtool gpio rollback --restart-kvmd");
    }

    private static int Rollback(CliContext context, ParseResult parse, bool remount, bool restart)
    {
        var installer = new GpioInstaller(Host(context, parse));
        var result = installer.Rollback(remount, restart);
        context.Out.WriteLine(result.Restored.Kind == BackupKind.Absent
            ? $"removed {result.Path} (there was none before kvmtool's first apply)"
            : $"restored {result.Path} from {result.Restored.Path}");
        if (result.SavedCurrent is { } saved)
        {
            context.Out.WriteLine($"the file it replaced is kept as {saved}");
        }
        ReportSudo(context, installer.Host, result.Sudo, null);
        foreach (string mp in result.Remounted)
        {
            context.Out.WriteLine($"remounted {mp} read-write for the write, and read-only again");
        }
        return ReportRestart(context, result.Restart, "journalctl -u kvmd");
    }

    private static void ReportSudo(CliContext context, GpioHost host, SudoRuleChange change, int? lines)
    {
        switch (change)
        {
            case SudoRuleChange.Written:
                context.Out.WriteLine(lines is int n
                    ? $"wrote {host.SudoersFile}: user kvmd may run the {(n == 1 ? "button that needs" : $"{n} buttons that need")} root, and nothing else"
                    : $"wrote {host.SudoersFile} for the restored file's buttons that need root");
                break;
            case SudoRuleChange.Removed:
                context.Out.WriteLine($"removed {host.SudoersFile}: no button needs root");
                break;
        }
    }

    private static int ReportRestart(CliContext context, KvmdRestart? restart, string next)
    {
        if (restart is null)
        {
            context.Out.WriteLine("kvmd not restarted: run 'systemctl restart kvmd' (or pass --restart-kvmd) for the page to change");
            return ExitCodes.Ok;
        }
        if (restart.CameBack)
        {
            context.Out.WriteLine($"kvmd restarted and running: {restart.State}");
            return ExitCodes.Ok;
        }
        context.Error.WriteLine($"kvmtool: kvmd did not come back after the restart: {restart.State}.");
        context.Error.WriteLine($"  fix: see 'journalctl -u kvmd'; '{next}' puts the previous file back.");
        return ExitCodes.Failed;
    }

    private static void Report(CliContext context, IEnumerable<GpioProblem> problems)
    {
        foreach (var problem in problems)
        {
            context.Out.WriteLine(problem.ToString());
            context.Out.WriteLine("  fix: " + problem.Fix);
        }
    }

    private static string Plural(int n, string word) => $"{n} {word}{(n == 1 ? "" : "s")}";
}
