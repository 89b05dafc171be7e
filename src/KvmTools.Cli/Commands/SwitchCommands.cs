using System.CommandLine;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Switching;

namespace KvmTools.Cli.Commands;

/// <summary>'kvmtool switch': select a KVM/HDMI switch's input, step through inputs, query and resync.</summary>
public static class SwitchCommands
{
    private static readonly string[] ListHeader = ["SWITCH", "BACKEND", "PORTS", "INPUT", "KNOWN", "NAMES"];

    public static Command Build(CliContext context)
    {
        var which = new Option<string?>("--switch") { Description = "The switch, by its name in kvmtool.yaml (needed when several are configured)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print what would be done (for button switches: the presses) and do nothing." };
        var port = new Argument<string>("input") { Description = "An input number (1..N) or a port name from kvmtool.yaml." };
        var syncPort = new Argument<string>("input") { Description = "The input the switch really shows now (number or port name)." };
        var isPort = new Argument<string>("input") { Description = "The input to test (number or port name)." };

        var next = new Command("next",
            "Step to the next input (after the last comes the first). On a button switch this is one press, even when\n" +
            "the current input is unknown.\n\nExamples:\n  kvmtool switch next\n  kvmtool switch next --switch desk")
        {
            which, dryRun, json,
        };
        next.SetAction(parse => Step(context, parse, true, parse.GetValue(which), parse.GetValue(dryRun), parse.GetValue(json)));

        var prev = new Command("prev",
            "Step to the previous input (ports-1 presses on a button switch).\n\nExamples:\n  kvmtool switch prev\n  kvmtool switch prev --dry-run")
        {
            which, dryRun, json,
        };
        prev.SetAction(parse => Step(context, parse, false, parse.GetValue(which), parse.GetValue(dryRun), parse.GetValue(json)));

        var status = new Command("status",
            "Print the active input and how kvmtool knows it: read back from the switch, synced by hand, or counted\n" +
            "from presses (which drifts when anything else moves the switch). Exits 1 when the input is unknown.\n" +
            "Button switches are answered from the state file, with no device I/O.\n\n" +
            "Examples:\n  kvmtool switch status\n  kvmtool switch status --switch desk --json")
        {
            which, json,
        };
        status.SetAction(parse => Status(context, parse, parse.GetValue(which), parse.GetValue(json)));

        var isQuiet = CliContext.QuietOption();
        var isCommand = new Command("is",
            "Exit 0 when the input is the active one, else 1, printing active, not active or unknown.\n" +
            "Made for kvmd 'cmdret' indicators: it reads kvmtool's state file only, never the device.\n\n" +
            "Examples:\n  kvmtool switch is 2\n  kvmtool switch is nas --switch desk")
        {
            isPort, which, isQuiet,
        };
        isCommand.SetAction(parse => Is(context, parse, parse.GetValue(isPort)!, parse.GetValue(which), parse.GetValue(isQuiet)));

        var sync = new Command("sync",
            "Tell kvmtool which input the switch really shows, after its count drifted: the switch's MCU moved on by\n" +
            "itself (cheap HDMI switches skip to the next input when the selected one loses its signal), someone\n" +
            "pressed the switch's own button, or the box rebooted. Button switches only.\n\n" +
            "Examples:\n  kvmtool switch sync 1\n  kvmtool switch sync nas --switch desk")
        {
            syncPort, which, json,
        };
        sync.SetAction(parse => Sync(context, parse, parse.GetValue(syncPort)!, parse.GetValue(which), parse.GetValue(json)));

        var list = new Command("list",
            "List the switches configured in kvmtool.yaml with their backend, inputs and the input kvmtool last knew\n" +
            "(from the state files; no device I/O).\n\nExamples:\n  kvmtool switch list\n  kvmtool switch list --json")
        {
            json,
        };
        list.SetAction(parse => List(context, parse, parse.GetValue(json)));

        var command = new Command("switch",
            "Select the input of a KVM or HDMI switch configured under 'switches:' in kvmtool.yaml: a relay or GPIO line on\n" +
            "its push button (kvmtool counts the presses), GPIO lines on its select inputs, or a TESmart or ezcoo switch\n" +
            "over its serial or LAN port (these report their input).\n\n" +
            "A button switch's input is unknown after boot: run 'kvmtool switch sync N' once with the input it shows.\n\n" +
            "Examples:\n" +
            "  kvmtool switch 2\n" +
            "  kvmtool switch nas                     (a port name from kvmtool.yaml)\n" +
            "  kvmtool switch next\n" +
            "  kvmtool switch 3 --dry-run\n" +
            "  kvmtool switch status --json\n" +
            "  kvmtool switch is 2                    (exit 0 when input 2 is active; for kvmd)\n" +
            "  kvmtool switch sync 1                  (the switch shows input 1; correct kvmtool's count)\n" +
            "  kvmtool switch 2 --switch desk         (when several switches are configured)")
        {
            port, which, dryRun, json,
        };
        command.Subcommands.Add(next);
        command.Subcommands.Add(prev);
        command.Subcommands.Add(status);
        command.Subcommands.Add(isCommand);
        command.Subcommands.Add(sync);
        command.Subcommands.Add(list);
        command.SetAction(parse => Select(context, parse, parse.GetValue(port)!, parse.GetValue(which), parse.GetValue(dryRun), parse.GetValue(json)));
        return command;
    }

    private static SwitchService Service(CliContext context, ParseResult parse) =>
        SwitchService.ForSystem(context.Paths, context.Config(parse));

    private static SwitchDefinition Resolve(CliContext context, ParseResult parse, string? name) =>
        SwitchDefinition.Resolve(context.Config(parse), name);

    private static int Select(CliContext context, ParseResult parse, string input, string? name, bool dryRun, bool json)
    {
        var sw = Resolve(context, parse, name);
        int target = sw.ParsePort(input);
        var result = Service(context, parse).Select(sw, target, dryRun);
        return Report(context, result, json);
    }

    private static int Step(CliContext context, ParseResult parse, bool forward, string? name, bool dryRun, bool json)
    {
        var sw = Resolve(context, parse, name);
        var result = Service(context, parse).Step(sw, forward, dryRun);
        return Report(context, result, json);
    }

    private static int Status(CliContext context, ParseResult parse, string? name, bool json)
    {
        var sw = Resolve(context, parse, name);
        var result = Service(context, parse).Status(sw);
        if (json)
        {
            CliJson.Write(context.Out, SwitchJson.Of(result), CliJson.Default.SwitchJson);
        }
        else
        {
            context.Out.WriteLine($"{sw.Name}: {Describe(result.State, sw)}");
        }
        return result.State.Known ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static int Is(CliContext context, ParseResult parse, string input, string? name, bool quiet)
    {
        var sw = Resolve(context, parse, name);
        int port = sw.ParsePort(input);
        var answer = IndicatorQueries.SwitchIs(new SwitchStateStore(context.Paths), sw, port);
        if (!quiet)
        {
            context.Out.WriteLine(answer.Word);
        }
        return answer.IsTrue ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static int Sync(CliContext context, ParseResult parse, string input, string? name, bool json)
    {
        var sw = Resolve(context, parse, name);
        int port = sw.ParsePort(input);
        var result = Service(context, parse).Sync(sw, port);
        if (json)
        {
            CliJson.Write(context.Out, SwitchJson.Of(result), CliJson.Default.SwitchJson);
        }
        else
        {
            string before = result.From is int from ? (from == port ? "it already was" : $"was {sw.Describe(from)}") : "was unknown";
            context.Out.WriteLine($"{sw.Name}: input {sw.Describe(port)} recorded ({before}).");
        }
        return ExitCodes.Ok;
    }

    private static int List(CliContext context, ParseResult parse, bool json)
    {
        var config = context.Config(parse);
        var store = new SwitchStateStore(context.Paths);
        var results = config.Model.Switches.Keys.Order(StringComparer.Ordinal)
            .Select(n => SwitchDefinition.From(n, config.Model.Switches[n]))
            .Select(sw => new SwitchResult(sw, store.Load(sw), null, 0))
            .ToList();
        if (json)
        {
            CliJson.Write(context.Out, results.Select(SwitchJson.Of).ToList(), CliJson.Default.ListSwitchJson);
            return ExitCodes.Ok;
        }
        if (results.Count == 0)
        {
            context.Out.WriteLine($"No switches are configured in {config.Path ?? Core.Config.ConfigLoader.DefaultPath} (see 'switches:' in kvmtool.yaml.example).");
            return ExitCodes.Ok;
        }
        var rows = new List<string[]> { ListHeader };
        rows.AddRange(results.Select(r => new[]
        {
            r.Switch.Name, r.Switch.BackendName, r.Switch.Ports.ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.State.Port is int p ? r.Switch.Describe(p) : "-", SwitchStateStore.SourceName(r.State.Source),
            r.Switch.PortNames is { Count: > 0 } names ? string.Join(",", names) : "-",
        }));
        TextTable.Write(context.Out, rows);
        return ExitCodes.Ok;
    }

    private static int Report(CliContext context, SwitchResult result, bool json)
    {
        if (json)
        {
            CliJson.Write(context.Out, SwitchJson.Of(result), CliJson.Default.SwitchJson);
            return ExitCodes.Ok;
        }
        var sw = result.Switch;
        if (result.DryRun)
        {
            context.Out.WriteLine($"{sw.Name}: {DryRunText(result)} (dry run: nothing done)");
            return ExitCodes.Ok;
        }
        if (!sw.IsCounted)
        {
            context.Out.WriteLine($"{sw.Name}: input {sw.Describe(result.State.Port!.Value)}, read back from the switch.");
            return ExitCodes.Ok;
        }
        string presses = result.Presses == 1 ? "1 press" : $"{result.Presses} presses";
        if (result.State.Port is int now)
        {
            context.Out.WriteLine(result.Presses == 0
                ? $"{sw.Name}: already at input {sw.Describe(now)}; no press needed."
                : $"{sw.Name}: input {sw.Describe(now)}, {presses} from input {sw.Describe(result.From!.Value)}.");
        }
        else
        {
            context.Out.WriteLine($"{sw.Name}: {presses} made; the input is still unknown. " +
                $"Run 'kvmtool switch sync N --switch {sw.Name}' with the input the switch shows.");
        }
        return ExitCodes.Ok;
    }

    private static string DryRunText(SwitchResult result)
    {
        var sw = result.Switch;
        if (!sw.IsCounted)
        {
            return result.Target is int t ? $"would select input {sw.Describe(t)} and read it back" : "would read the input and select the one beside it";
        }
        if (result.Presses == 0)
        {
            return $"already at input {sw.Describe(result.From!.Value)}; would press nothing";
        }
        var timings = sw.Timings;
        string presses = result.Presses == 1 ? "once" : $"{result.Presses} times";
        string how = $"would press {presses} ({timings.Press.TotalMilliseconds:0} ms each, {timings.Gap.TotalMilliseconds:0} ms apart)";
        if (result.From is not int from)
        {
            return how + "; the current input is unknown";
        }
        var path = new List<string> { sw.Describe(from) };
        int at = from;
        for (int i = 0; i < result.Presses; i++)
        {
            at = PressCounting.Next(at, sw.Ports);
            path.Add(sw.Describe(at));
        }
        return how + ": input " + string.Join(" -> ", path);
    }

    private static string Describe(SwitchState state, SwitchDefinition sw) => state.Port is int port
        ? $"input {sw.Describe(port)}, " + state.Source switch
        {
            PortSource.ReadBack => "read back from the switch",
            PortSource.Synced => "as set with 'switch sync'",
            _ => "counted from kvmtool's presses since the last sync (drifts if anything else moves the switch; correct with 'kvmtool switch sync')",
        }
        : $"unknown ({state.Reason}); run 'kvmtool switch sync N --switch {sw.Name}' with the input the switch shows";
}

/// <summary>A switch's state or a command's outcome, as --json prints it.</summary>
public sealed record SwitchJson(
    string Switch, string Backend, int Ports, IReadOnlyList<string>? PortNames, int? Port, string? PortName, string Known,
    string? Reason, int? From, int? Target, int Presses, bool DryRun)
{
    public static SwitchJson Of(SwitchResult r) => new(
        r.Switch.Name, r.Switch.BackendName, r.Switch.Ports, r.Switch.PortNames, r.State.Port,
        r.State.Port is int p ? r.Switch.PortName(p) : null, SwitchStateStore.SourceName(r.State.Source),
        r.State.Known ? null : r.State.Reason, r.From, r.Target, r.Presses, r.DryRun);
}
