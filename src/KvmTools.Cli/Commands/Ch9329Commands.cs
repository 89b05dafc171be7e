using System.CommandLine;
using System.Globalization;
using System.Text.Json.Serialization;
using KvmTools.Core;
using KvmTools.Core.Ch9329;

namespace KvmTools.Cli.Commands;

/// <summary>'kvmtool ch9329': ask, reset and configure the CH9329 serial keyboard/mouse chip.</summary>
public static class Ch9329Commands
{
    private const string PortHelp = "The serial port (default: ch9329.port in kvmtool.yaml, else /dev/kvmd-hid, else the only CH340 serial port).";

    public static Command Build(CliContext context)
    {
        var port = new Option<string?>("--port") { Description = PortHelp };
        var baud = new Option<string?>("--baud")
        {
            Description = $"The chip's line speed: {Ch9329BaudRate.List}, or auto to try them (default: ch9329.baud in kvmtool.yaml, else 9600).",
        };
        var address = new Option<string?>("--address") { Description = "The chip's address, 0-254 or 0x00-0xFE (default: ch9329.address, else 0)." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var timeout = new Option<double?>("--timeout")
        {
            Description = $"Seconds to wait for the chip to answer after each reset (default {Ch9329Service.DefaultRecoveryTimeout.TotalSeconds:0}).",
        };

        var info = new Command("info",
            "Ask the chip for its version, whether the target computer has enumerated it, and the lock-key LEDs.\n\n" +
            "Examples:\n  kvmtool ch9329 info\n  kvmtool ch9329 info --json\n  kvmtool ch9329 info --port /dev/ttyUSB0 --baud auto")
        {
            port, baud, address, json,
        };
        info.SetAction(parse =>
        {
            var target = Target(context, parse, port, baud, address);
            var result = Service(context).Info(target);
            if (parse.GetValue(json))
            {
                CliJson.Write(context.Out, Ch9329InfoJson.From(result.Link, result.Info), Ch9329Json.Default.Ch9329InfoJson);
            }
            else
            {
                context.Out.WriteLine($"CH9329 {result.Info.Version} on {result.Link.Describe()}");
                WriteInfo(context, result.Info);
            }
            return ExitCodes.Ok;
        });

        var attempts = new Option<int?>("--attempts") { Description = $"How many times to try the reset (default {Ch9329Service.DefaultAttempts}, at most {Ch9329Service.MaxAttempts})." };
        var reset = new Command("reset",
            "Reset the chip and check that it came back: send RESET, expect its acknowledgement, then ask GET_INFO until\n" +
            "the rebooted chip answers. Failed attempts are repeated after a pause; the exit code is 0 only when the chip\n" +
            "answered after a reset (5: nothing came back; 1: garbage or an error answer).\n\n" +
            "Examples:\n  kvmtool ch9329 reset\n  kvmtool ch9329 reset --attempts 5 --timeout 3")
        {
            port, baud, address, attempts, timeout,
        };
        reset.SetAction(parse =>
        {
            var target = Target(context, parse, port, baud, address);
            var result = Service(context).Reset(target, parse.GetValue(attempts) ?? Ch9329Service.DefaultAttempts, Timeout(parse, timeout));
            context.Out.WriteLine(
                $"CH9329 reset on {result.Link.Describe()}: it acknowledged RESET and answered again after " +
                $"{result.Recovery.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s (attempt {result.Attempt} of {result.Attempts}).");
            foreach (string failure in result.FailedAttempts)
            {
                context.Out.WriteLine("  before that, " + failure);
            }
            WriteInfo(context, result.Info);
            return ExitCodes.Ok;
        });

        var yes = new Option<bool>("--yes") { Description = "Do not ask for confirmation (for scripts and kvmd)." };
        var factoryReset = new Command("factory-reset",
            "Restore the chip's factory settings (9600 baud, address 0x00, WCH's USB ids and strings) with SET_DEFAULT_CFG,\n" +
            "reset it, and confirm that it answers at 9600 baud. Asks for confirmation unless --yes is given.\n\n" +
            "Examples:\n  kvmtool ch9329 factory-reset\n  kvmtool ch9329 factory-reset --yes --baud 115200")
        {
            port, baud, address, yes, timeout,
        };
        factoryReset.SetAction(parse =>
        {
            var target = Target(context, parse, port, baud, address);
            if (!parse.GetValue(yes) && !Confirm(context))
            {
                return ExitCodes.Failed;
            }
            var result = Service(context).FactoryReset(target, Timeout(parse, timeout));
            context.Out.WriteLine($"CH9329 on {result.After.Port.Describe()} restored to its factory settings and reset: " +
                $"it answers at {result.After.Baud} baud, address {Ch9329Address.Format(result.After.Address)}.");
            WriteInfo(context, result.Info);
            if (result.Before.Baud != result.After.Baud)
            {
                context.Out.WriteLine($"note: it was at {result.Before.Baud} baud; set kvmd's hid speed and 'baud:' under 'ch9329:' in kvmtool.yaml " +
                    $"back to {result.After.Baud} (or remove them: 9600 is the default).");
            }
            return ExitCodes.Ok;
        });

        var configGet = new Command("get",
            "Read the chip's parameter block (GET_PARA_CFG) and USB strings.\n\n" +
            "Examples:\n  kvmtool ch9329 config get\n  kvmtool ch9329 config get --json")
        {
            port, baud, address, json,
        };
        configGet.SetAction(parse =>
        {
            var target = Target(context, parse, port, baud, address);
            var result = Service(context).GetConfig(target);
            if (parse.GetValue(json))
            {
                CliJson.Write(context.Out, Ch9329ConfigJson.From(result), Ch9329Json.Default.Ch9329ConfigJson);
            }
            else
            {
                WriteConfig(context, result);
            }
            return ExitCodes.Ok;
        });

        var newBaud = new Option<string?>("--baud") { Description = $"The new line speed: {Ch9329BaudRate.List}." };
        var newAddress = new Option<string?>("--address") { Description = "The new address, 0-254 or 0x00-0xFE." };
        var currentBaud = new Option<string?>("--current-baud")
        {
            Description = "The rate to talk at now, or auto (default: ch9329.baud in kvmtool.yaml, else 9600).",
        };
        var currentAddress = new Option<string?>("--current-address") { Description = "The chip's address now (default: ch9329.address, else 0)." };
        var configSet = new Command("set",
            "Change the chip's baud rate and/or address: read the parameter block, change those fields, write it back,\n" +
            "read it again, reset the chip so that it applies them, then talk at the new rate and address and confirm.\n" +
            "kvmd's hid speed (and ch9329.baud in kvmtool.yaml) must then be changed to match.\n\n" +
            "Examples:\n  kvmtool ch9329 config set --baud 115200\n  kvmtool ch9329 config set --baud 9600 --current-baud auto\n" +
            "  kvmtool ch9329 config set --address 1")
        {
            port, newBaud, newAddress, currentBaud, currentAddress, timeout,
        };
        configSet.SetAction(parse =>
        {
            var target = Target(context, parse, port, currentBaud, currentAddress, "--current-baud", "--current-address");
            int? wantedBaud = parse.GetValue(newBaud) is { } b ? Ch9329BaudRate.Parse(b, "--baud") ?? throw new UsageException(
                "--baud auto cannot be a new setting.", $"Give one of {Ch9329BaudRate.List}.") : null;
            byte? wantedAddress = parse.GetValue(newAddress) is { } a ? Ch9329Address.Parse(a, "--address") : null;
            var result = Service(context).SetConfig(target, wantedBaud, wantedAddress, Timeout(parse, timeout));
            WriteChange(context, result);
            return ExitCodes.Ok;
        });

        var config = new Command("config",
            "Read or change the chip's stored parameters.\n\n" +
            "Examples:\n  kvmtool ch9329 config get\n  kvmtool ch9329 config set --baud 115200");
        config.Subcommands.Add(configGet);
        config.Subcommands.Add(configSet);

        var ch9329 = new Command("ch9329",
            "Talk to the CH9329 serial keyboard/mouse chip of a PiKVM / One-KVM box: ask it, reset it so that it is known\n" +
            "to be back, and change its baud rate or address. Works beside kvmd, which keeps the same port open: kvmtool\n" +
            "skips kvmd's frames, retries a reply kvmd took, and puts the port's line speed back as it found it.\n\n" +
            "Examples:\n" +
            "  kvmtool ch9329 info\n" +
            "  kvmtool ch9329 reset\n" +
            "  kvmtool ch9329 config get --json\n" +
            "  kvmtool ch9329 config set --baud 115200\n" +
            "  kvmtool ch9329 factory-reset --yes");
        ch9329.Subcommands.Add(info);
        ch9329.Subcommands.Add(reset);
        ch9329.Subcommands.Add(factoryReset);
        ch9329.Subcommands.Add(config);
        ch9329.SetAction(parse =>
        {
            context.Error.WriteLine("kvmtool: 'ch9329' needs a command: info, reset, factory-reset or config.");
            context.Error.WriteLine("  fix: see 'kvmtool ch9329 --help'.");
            return ExitCodes.Usage;
        });
        return ch9329;
    }

    private static Ch9329Service Service(CliContext context) => Ch9329Service.ForSystem(context.Paths);

    private static Ch9329Target Target(CliContext context, ParseResult parse, Option<string?> port, Option<string?> baud, Option<string?> address,
        string baudName = "--baud", string addressName = "--address") =>
        Ch9329Target.Resolve(parse.GetValue(port), parse.GetValue(baud), parse.GetValue(address), context.Config(parse), baudName, addressName);

    private static TimeSpan Timeout(ParseResult parse, Option<double?> timeout) =>
        parse.GetValue(timeout) is double seconds
            ? double.IsFinite(seconds) && seconds is > 0 and <= 3600 ? TimeSpan.FromSeconds(seconds)
                : throw new UsageException($"--timeout {seconds} is out of range.", $"Give 1 to {Ch9329Service.MaxRecoveryTimeout.TotalSeconds:0} seconds.")
            : Ch9329Service.DefaultRecoveryTimeout;

    /// <summary>Asks on the terminal; without one (kvmd, cron, a pipe) there is nobody to ask, so --yes is required.</summary>
    private static bool Confirm(CliContext context)
    {
        if (Console.IsInputRedirected)
        {
            throw new UsageException(
                "'ch9329 factory-reset' erases the chip's settings and needs confirmation, but standard input is not a terminal.",
                "Add --yes to confirm, e.g. 'kvmtool ch9329 factory-reset --yes'.");
        }
        context.Error.Write("This restores the CH9329's factory settings (9600 baud, address 0x00, WCH's USB ids and strings) and resets it. Continue? [y/N] ");
        string? answer = Console.In.ReadLine()?.Trim();
        if (answer is "y" or "Y" or "yes")
        {
            return true;
        }
        context.Error.WriteLine("kvmtool: not confirmed; nothing was changed.");
        return false;
    }

    private static void WriteInfo(CliContext context, Ch9329Info info)
    {
        context.Out.WriteLine(info.UsbEnumerated
            ? "target computer: enumerated (its keyboard and mouse are set up)"
            : "target computer: not enumerated (the target is off, asleep or unplugged, or has not set up the chip's USB device)");
        context.Out.WriteLine($"lock keys: Num Lock {OnOff(info.NumLock)}, Caps Lock {OnOff(info.CapsLock)}, Scroll Lock {OnOff(info.ScrollLock)}");
    }

    private static void WriteConfig(CliContext context, Ch9329ConfigResult result)
    {
        var p = result.Parameters;
        context.Out.WriteLine($"CH9329 on {result.Link.Describe()}");
        var rows = new List<string[]>
        {
            new[] { "work mode", $"0x{p.WorkMode:X2}", p.WorkModeName + PinNote(p.WorkMode, "MODE") },
            new[] { "serial mode", $"0x{p.SerialMode:X2}", p.SerialModeName + PinNote(p.SerialMode, "CFG") },
            new[] { "address", Ch9329Address.Format(p.Address), "" },
            new[] { "baud rate", p.BaudRate.ToString(CultureInfo.InvariantCulture), "applied at the next reset" },
            new[] { "packet gap", $"{p.PacketGapMs} ms", "silence that ends a frame" },
            new[] { "USB id", p.UsbId, "as the target computer sees the chip" },
            new[] { "keyboard upload interval", $"{p.KeyboardUploadIntervalMs} ms", "ASCII mode" },
            new[] { "keyboard release delay", $"{p.KeyboardReleaseDelayMs} ms", "ASCII mode" },
            new[] { "auto enter", OnOff(p.AutoEnter), "ASCII mode" },
            new[] { "enter characters", Hex(p.EnterCharacters), "ASCII mode" },
            new[] { "filter", Hex(p.FilterStart) + " / " + Hex(p.FilterEnd), "ASCII mode: start / end" },
            new[] { "custom USB strings", $"0x{p.UsbStringFlags:X2}", StringFlags(p) },
            new[] { "fast keyboard upload", OnOff(p.FastUpload), "" },
            new[] { "manufacturer", Quote(result.Manufacturer), "USB string" },
            new[] { "product", Quote(result.Product), "USB string" },
            new[] { "serial number", Quote(result.Serial), "USB string" },
        };
        TextTable.Write(context.Out, rows);
        if (p.ModesFromPins)
        {
            context.Out.WriteLine("note: modes 0x8n are set by the chip's pins; 'config set' stores them as 0x0n so that a new setting survives a power cycle.");
        }
    }

    private static void WriteChange(CliContext context, Ch9329ConfigChange change)
    {
        if (change.Changes.Count == 0)
        {
            context.Out.WriteLine($"CH9329 on {change.Before.Describe()} already has these settings; nothing was written.");
            return;
        }
        context.Out.WriteLine($"CH9329 on {change.Before.Port.Describe()}: {string.Join(", ", change.Changes)}.");
        context.Out.WriteLine($"Written, reset and confirmed: the chip answers at {change.After.Baud} baud, address " +
            $"{Ch9329Address.Format(change.After.Address)}, and reports these settings.");
        if (change.Old.ModesFromPins)
        {
            context.Out.WriteLine("note: the modes were reported as set by the chip's pins (0x8n) and are stored as 0x0n, the same modes, " +
                "so that the new settings survive a power cycle.");
        }
        if (change.Old.BaudRate != change.New.BaudRate)
        {
            context.Out.WriteLine($"next: set 'baud: {change.New.BaudRate}' under 'ch9329:' in kvmtool.yaml, and kvmd's hid speed to {change.New.BaudRate} " +
                $"('kvmd: {{hid: {{speed: {change.New.BaudRate}}}}}' in /etc/kvmd/override.yaml), then restart kvmd.");
            if (change.New.BaudRate == Ch9329BaudRate.Fastest)
            {
                context.Out.WriteLine("note: WCH does not support 115200 baud when the chip runs at 3.3 V; if it becomes unreliable, go back with " +
                    "'kvmtool ch9329 config set --baud 9600 --current-baud 115200'.");
            }
        }
        if (change.Old.Address != change.New.Address)
        {
            context.Out.WriteLine($"next: set 'address: {change.New.Address}' under 'ch9329:' in kvmtool.yaml. kvmd's CH9329 plugin always sends to " +
                "address 0x00, so with another address kvmd's keyboard and mouse may stop working.");
        }
    }

    private static string PinNote(byte mode, string pins) => (mode & Ch9329Parameters.PinSelected) != 0 ? $" (set by the {pins} pins)" : "";

    private static string StringFlags(Ch9329Parameters p) =>
        !p.CustomStrings ? "off: WCH's strings"
            : $"on: manufacturer {OnOff((p.UsbStringFlags & 0x04) != 0)}, product {OnOff((p.UsbStringFlags & 0x02) != 0)}, serial {OnOff((p.UsbStringFlags & 0x01) != 0)}";

    private static string OnOff(bool on) => on ? "on" : "off";

    internal static string Hex(ReadOnlySpan<byte> bytes) =>
        string.Join(' ', bytes.ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    private static string Quote(string? text) => text is null ? "(not readable)" : $"\"{text}\"";
}

/// <summary>'ch9329 info --json'.</summary>
public sealed record Ch9329InfoJson(
    string Port, string Device, int Baud, bool BaudDetected, string Address,
    string Version, int VersionByte, bool UsbEnumerated, bool NumLock, bool CapsLock, bool ScrollLock)
{
    public static Ch9329InfoJson From(Ch9329Link link, Ch9329Info info) => new(
        link.Port.Path, link.Port.Node, link.Baud, link.BaudDetected, Ch9329Address.Format(link.Address),
        info.Version, info.VersionByte, info.UsbEnumerated, info.NumLock, info.CapsLock, info.ScrollLock);
}

/// <summary>The parameter block as 'ch9329 config get --json' prints it.</summary>
public sealed record Ch9329ParametersJson(
    int WorkMode, string WorkModeName, int SerialMode, string SerialModeName, bool ModesFromPins, string Address, int BaudRate,
    int PacketGapMs, string VendorId, string ProductId, int KeyboardUploadIntervalMs, int KeyboardReleaseDelayMs, bool AutoEnter,
    string EnterCharacters, string FilterStart, string FilterEnd, int UsbStringFlags, bool FastUpload, string Raw);

/// <summary>'ch9329 config get --json'.</summary>
public sealed record Ch9329ConfigJson(
    string Port, string Device, int Baud, bool BaudDetected, Ch9329ParametersJson Parameters,
    string? Manufacturer, string? Product, string? Serial)
{
    public static Ch9329ConfigJson From(Ch9329ConfigResult r)
    {
        var p = r.Parameters;
        var parameters = new Ch9329ParametersJson(
            p.WorkMode, p.WorkModeName, p.SerialMode, p.SerialModeName, p.ModesFromPins, Ch9329Address.Format(p.Address), p.BaudRate,
            p.PacketGapMs, $"{p.VendorId:x4}", $"{p.ProductId:x4}", p.KeyboardUploadIntervalMs, p.KeyboardReleaseDelayMs, p.AutoEnter,
            Ch9329Commands.Hex(p.EnterCharacters), Ch9329Commands.Hex(p.FilterStart), Ch9329Commands.Hex(p.FilterEnd),
            p.UsbStringFlags, p.FastUpload, p.ToHex());
        return new Ch9329ConfigJson(r.Link.Port.Path, r.Link.Port.Node, r.Link.Baud, r.Link.BaudDetected, parameters,
            r.Manufacturer, r.Product, r.Serial);
    }
}

/// <summary>The ch9329 shapes for --json; source-generated with the same options as <see cref="CliJson"/>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Ch9329InfoJson))]
[JsonSerializable(typeof(Ch9329ConfigJson))]
internal sealed partial class Ch9329Json : JsonSerializerContext;
