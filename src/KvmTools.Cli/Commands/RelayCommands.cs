using System.CommandLine;
using KvmTools.Core;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Relays;

namespace KvmTools.Cli.Commands;

/// <summary>'kvmtool relay': list boards, switch, pulse and query channels.</summary>
public static class RelayCommands
{
    private static readonly string[] Actions = ["on", "off", "toggle", "pulse", "status"];
    private static readonly string[] ListHeader = ["FAMILY", "ID", "DEVICE", "USB-PORT", "SERIAL", "CHANNELS", "NAME"];

    public static Command Build(CliContext context)
    {
        var device = new Option<string?>("--device") { Description = "The board's node: /dev/hidrawN (or a serial tty for LCUS serial boards)." };
        var serial = new Option<string?>("--serial") { Description = "The board's serial number or id, as 'relay list' shows it." };
        var usbPort = new Option<string?>("--usb-port") { Description = "The board's USB port path, e.g. 1-1.4 (stable across reboots)." };
        var port = new Option<string?>("--port") { Description = "A serial port with an LCUS board on it, e.g. /dev/ttyUSB0 (9600 8N1)." };
        var family = new Option<string?>("--family") { Description = "Force the protocol for an unrecognised board: lcus or dcttech." };
        family.AcceptOnlyFromAmong("lcus", "dcttech");
        var channels = new Option<int?>("--channels") { Description = "How many channels the board has (LCUS boards cannot report it)." };
        var ms = new Option<int?>("--ms") { Description = "Pulse length in milliseconds (default 500, or the relay's pulse-ms)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var quiet = CliContext.QuietOption();
        var target = new Argument<string>("channel") { Description = "A channel number (1..N), 'all', or a relay named in kvmtool.yaml." };
        var action = new Argument<string>("action") { Description = "on, off, toggle, pulse or status ('all' takes on or off)." };
        action.AcceptOnlyFromAmong(Actions);

        var list = new Command("list",
            "List the relay boards attached: family, USB id, device node, USB port path, serial, channels.\n\n" +
            "Examples:\n  kvmtool relay list\n  kvmtool relay list --all --json");
        var all = new Option<bool>("--all") { Description = "Also list HID devices that are not relay boards, marked as such." };
        list.Options.Add(all);
        list.Options.Add(json);
        list.SetAction(parse => List(context, parse.GetValue(all), parse.GetValue(json)));

        var relay = new Command("relay",
            "Switch a USB relay board's channels: LCUS/NOYITO HID boards (5131:2007), the same boards on a serial port,\n" +
            "and dcttech USBRelay boards (16c0:05df).\n\n" +
            "'status' prints on, off or unknown and exits 0 only when on, so it can be a kvmd cmdret input\n" +
            "(with --quiet it prints nothing).\n\n" +
            "Examples:\n" +
            "  kvmtool relay 1 on\n" +
            "  kvmtool relay 2 pulse --ms 300 --usb-port 1-1.4\n" +
            "  kvmtool relay 1 status\n" +
            "  kvmtool relay all off\n" +
            "  kvmtool relay 1 on --port /dev/ttyUSB0\n" +
            "  kvmtool relay hdmi-button pulse        (named in kvmtool.yaml)")
        {
            target, action, device, serial, usbPort, port, family, channels, ms, json, quiet,
        };
        relay.Subcommands.Add(list);
        relay.SetAction(parse =>
        {
            var selector = new BoardSelector(
                parse.GetValue(device), parse.GetValue(serial), parse.GetValue(usbPort), parse.GetValue(port),
                RelayTarget.ParseFamily(parse.GetValue(family)), parse.GetValue(channels));
            return Act(context, parse, parse.GetValue(target)!, parse.GetValue(action)!, selector, parse.GetValue(ms),
                parse.GetValue(json), parse.GetValue(quiet));
        });
        return relay;
    }

    private static int List(CliContext context, bool all, bool json)
    {
        var service = RelayService.ForSystem(context.Paths);
        var boards = service.Discovery.ListHid(includeOthers: all).ToList();
        if (json)
        {
            CliJson.Write(context.Out, boards.Select(RelayBoardJson.From).ToList(), CliJson.Default.ListRelayBoardJson);
            return ExitCodes.Ok;
        }
        if (boards.Count == 0)
        {
            context.Out.WriteLine("No relay boards found." + (all ? " No HID devices either." : " ('kvmtool relay list --all' shows every HID device.)"));
            return ExitCodes.Ok;
        }
        var rows = new List<string[]> { ListHeader };
        rows.AddRange(boards.Select(b => new[]
        {
            b.FamilyName, b.Id, b.Device, b.UsbPort ?? "-", b.Serial ?? "-",
            b.IsRelay ? b.Channels + (b.ChannelsKnown ? "" : "?") : "-", b.Name ?? "-",
        }));
        TextTable.Write(context.Out, rows);
        if (boards.Any(b => b.IsRelay && !b.ChannelsKnown))
        {
            context.Out.WriteLine("?: the board cannot report its channel count; set 'channels:' in kvmtool.yaml.");
        }
        return ExitCodes.Ok;
    }

    private static int Act(CliContext context, ParseResult parse, string targetText, string action, BoardSelector selector, int? ms, bool json, bool quiet)
    {
        var service = RelayService.ForSystem(context.Paths);
        RelayResult result;
        if (targetText == "all")
        {
            if (action != "off")
            {
                throw new UsageException($"'relay all {action}' is not supported.", "Use 'kvmtool relay all off'.");
            }
            result = service.AllOff(selector);
        }
        else
        {
            var target = RelayTarget.Resolve(targetText, selector, context.Config(parse));
            if (ms is not null && action != "pulse")
            {
                throw new UsageException("--ms only applies to 'pulse'.", $"Use 'kvmtool relay {targetText} pulse --ms {ms}'.");
            }
            result = action switch
            {
                "on" => service.Set(target.Selector, target.Channel, true),
                "off" => service.Set(target.Selector, target.Channel, false),
                "toggle" => service.Toggle(target.Selector, target.Channel),
                "pulse" => service.Pulse(target.Selector, target.Channel,
                    ms is int m ? TimeSpan.FromMilliseconds(m) : target.DefaultPulse ?? TimeSpan.FromMilliseconds(500)),
                "status" => service.Status(target.Selector, target.Channel),
                _ => throw new UsageException($"Unknown action '{action}'.", "Use on, off, toggle, pulse or status."),
            };
        }

        if (quiet)
        {
            // Nothing to say: the exit status is the answer.
        }
        else if (json)
        {
            CliJson.Write(context.Out, RelayResultJson.From(result), CliJson.Default.RelayResultJson);
        }
        else if (action == "status")
        {
            context.Out.WriteLine(IndicatorQueries.Relay(result.State).Word);
        }
        else
        {
            string which = result.Channel == 0 ? "all channels" : $"channel {result.Channel}";
            context.Out.WriteLine($"{which} {IndicatorQueries.Relay(result.State).Word}{(action == "pulse" ? " (pulsed)" : "")}: {result.Board.Describe()}");
        }
        // For kvmd cmdret inputs: a status is "true" only when the relay is known to be on.
        return action == "status" && !IndicatorQueries.Relay(result.State).IsTrue ? ExitCodes.Failed : ExitCodes.Ok;
    }
}

/// <summary>One board, as 'relay list --json' prints it.</summary>
public sealed record RelayBoardJson(
    string Family, string Id, string VendorId, string ProductId, string Device, string? UsbPort, string? Serial,
    int? Channels, bool ChannelsKnown, string? Name, bool IsRelay)
{
    public static RelayBoardJson From(RelayBoardInfo b) => new(
        b.FamilyName, b.Id, $"{b.VendorId:x4}", $"{b.ProductId:x4}", b.Device, b.UsbPort, b.Serial,
        b.IsRelay ? b.Channels : null, b.ChannelsKnown, b.Name, b.IsRelay);
}

/// <summary>The outcome of a relay command, as --json prints it.</summary>
public sealed record RelayResultJson(int Channel, string State, bool ReadBack, RelayBoardJson Board)
{
    public static RelayResultJson From(RelayResult r) => new(
        r.Channel,
        IndicatorQueries.Relay(r.State).Word,
        r.ReadBack,
        RelayBoardJson.From(r.Board));
}
