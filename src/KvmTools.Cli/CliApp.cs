using System.CommandLine;
using KvmTools.Cli.Commands;
using KvmTools.Core;

namespace KvmTools.Cli;

/// <summary>Builds the command tree and turns every outcome into an exit code, in this one place.</summary>
public static class CliApp
{
    public static string Version => BuildInfo.Version;

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand(
            "kvmtool: control the hardware around a PiKVM / One-KVM box (relays, USB devices, CH9329, KVM switches)\n" +
            "from a shell, from cron, and from kvmd's web buttons.\n\n" +
            "Examples:\n" +
            "  kvmtool relay list\n" +
            "  kvmtool relay 1 pulse --ms 300\n" +
            "  kvmtool relay hdmi-button pulse        (a relay named in /etc/kvmtool/kvmtool.yaml)")
        {
            CliContext.ConfigOption,
        };
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            // The default prints the entry assembly's version, which is wrong when kvmtool is hosted (tests).
            version.Action = new PrintVersion(context);
        }
        root.Subcommands.Add(RelayCommands.Build(context));
        root.Subcommands.Add(DoctorCommands.Build(context));
        root.Subcommands.Add(SwitchCommands.Build(context));
        root.Subcommands.Add(Ch9329Commands.Build(context));
        root.Subcommands.Add(WatchdogCommands.Build(context));
        root.Subcommands.Add(UsbCommands.Build(context));
        root.Subcommands.Add(GpioCommands.Build(context));
        root.SetAction(parse =>
        {
            context.Error.WriteLine("kvmtool: no command given. Run 'kvmtool --help' to see the commands.");
            return ExitCodes.Usage;
        });
        return root;
    }

    /// <summary>
    /// Runs one command line: its exit code, from the one table (<see cref="ExitCodes"/>). A failure kvmtool
    /// anticipated prints its message and fix; anything else is a bug, reported as such (exit 70), never a crash.
    /// </summary>
    public static int Run(string[] args, CliContext context)
    {
        try
        {
            return RunCommand(args, context);
        }
        catch (Exception e) when (e is not KvmToolException)
        {
            try
            {
                context.Error.WriteLine($"kvmtool: internal error: {e.GetType().Name}: {e.Message}");
                context.Error.WriteLine("  command: kvmtool " + string.Join(' ', args.Select(Quote)));
                context.Error.WriteLine($"  fix: this is a bug in kvmtool {Version}; please report it with these lines (nothing was retried).");
            }
            catch (Exception)
            {
                // Standard error itself is broken: the exit code still says it.
            }
            return ExitCodes.Internal;
        }
    }

    /// <summary>An argument as a shell would need it, so that a reported command line can be run again.</summary>
    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or ',' or '@' or '+')
            ? arg
            : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static int RunCommand(string[] args, CliContext context)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                context.Error.WriteLine("kvmtool: " + error.Message);
            }
            string command = string.Join(' ', CommandPath(parse));
            context.Error.WriteLine($"  fix: see 'kvmtool {(command.Length > 0 ? command + " " : "")}--help'.");
            return ExitCodes.Usage;
        }
        if (context.DeclaredBackstop(parse) is { } limit)
        {
            context.ExtendBackstop?.Invoke(limit);
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration
            {
                Output = context.Out,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            });
        }
        catch (KvmToolException e)
        {
            context.Error.WriteLine("kvmtool: " + e.Message);
            if (e.Hint is not null)
            {
                context.Error.WriteLine("  fix: " + e.Hint);
            }
            return ExitCodes.For(e.Kind);
        }
    }

    private sealed class PrintVersion(CliContext context) : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            context.Out.WriteLine(Version);
            return ExitCodes.Ok;
        }
    }

    private static Stack<string> CommandPath(ParseResult parse)
    {
        var names = new Stack<string>();
        for (var result = parse.CommandResult; result is not null && result.Command is not RootCommand;
             result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(result.Command.Name);
        }
        return names;
    }
}
