using System.CommandLine;
using System.Globalization;
using KvmTools.Core;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Usb;

namespace KvmTools.Cli.Commands;

/// <summary>'kvmtool usb': list USB devices and reset one, with proof that it came back.</summary>
public static class UsbCommands
{
    private static readonly string[] ListHeader = ["BUS/DEV", "PORT", "ID", "SPEED", "AUTH", "DRIVERS", "NODES (/dev)", "SERIAL", "NAME", "PRODUCT"];

    public static Command Build(CliContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };

        var list = new Command("list",
            "List the USB devices from sysfs: bus/device number, port path, VID:PID, speed, whether authorized,\n" +
            "interface drivers, the device nodes they made (video, hidraw, tty, input, sound) with the /dev symlinks\n" +
            "pointing at them (/dev/kvmd-video), serial, the kvmtool.yaml name, manufacturer and product.\n\n" +
            "Examples:\n  kvmtool usb list\n  kvmtool usb list --json")
        {
            json,
        };
        list.SetAction(parse => List(context, parse, parse.GetValue(json)));

        var selector = new Argument<string>("selector")
        {
            Description = "534d:2109 or 0x534d:0x2109, BBB/DDD, a port path (1-1.4), SN:serial, a product string, " +
                          "a device node (/dev/video0, /dev/kvmd-video) or a name from kvmtool.yaml.",
        };
        var method = new Option<string?>("--method")
        {
            Description = "ioctl (default: USBDEVFS_RESET), authorize (sysfs authorized 0/1), rebind (driver unbind/probe), " +
                          "power (switch the hub port off and on) or auto (each in turn until the device is back).",
        };
        method.AcceptOnlyFromAmong("ioctl", "authorize", "rebind", "power", "auto");
        var timeout = new Option<double?>("--timeout")
        {
            Description = $"Seconds to wait for the device to come back (default {UsbService.DefaultTimeout.TotalSeconds:0}, at most {UsbService.MaxTimeout.TotalSeconds:0}).",
        };
        var all = new Option<bool>("--all") { Description = "Reset every device the selector matches instead of refusing to choose." };
        var yes = new Option<bool>("--yes") { Description = "Allow 'power' on a hub whose ports share one power switch (ganged)." };
        var resetJson = new Option<bool>("--json") { Description = "Print JSON instead of text." };

        var reset = new Command("reset",
            "Reset a USB device, wait for it to come back at the same port with the same VID:PID, and report its new\n" +
            "bus/device number and nodes. Exits 0 only when it came back with its drivers bound and its nodes present;\n" +
            "1 when it did not; 2 when the selector matches several devices (use --all) or 'power' needs --yes;\n" +
            "3 when nothing matches; 4 without the privileges the method needs (the message names the fix).\n\n" +
            "Examples:\n" +
            "  kvmtool usb reset 534d:2109\n" +
            "  kvmtool usb reset /dev/kvmd-video --method auto\n" +
            "  kvmtool usb reset 1-1.4 --method power --timeout 15\n" +
            "  kvmtool usb reset capture               (a device named in kvmtool.yaml)")
        {
            selector, method, timeout, all, yes, resetJson,
        };
        reset.SetAction(parse =>
        {
            var options = new UsbResetOptions(
                parse.GetValue(method) is { } m ? UsbResetMethods.Parse(m) : null,
                parse.GetValue(timeout) is double s ? TimeSpan.FromSeconds(s) : null,
                parse.GetValue(all),
                parse.GetValue(yes));
            return Reset(context, parse, parse.GetValue(selector)!, options, parse.GetValue(resetJson));
        });

        var statusSelector = new Argument<string>("selector") { Description = "The device, in any selector form 'usb reset' takes." };
        var statusQuiet = CliContext.QuietOption();
        var status = new Command("status",
            "Exit 0 when the device is on the bus and authorized, 1 when it is not (prints present, missing or\n" +
            "not authorized). Reads sysfs only, never the device, so kvmd can poll it as a cmdret indicator.\n\n" +
            "Examples:\n" +
            "  kvmtool usb status capture\n" +
            "  kvmtool usb status 534d:2109 && echo present")
        {
            statusSelector, statusQuiet,
        };
        status.SetAction(parse => Status(context, parse, parse.GetValue(statusSelector)!, parse.GetValue(statusQuiet)));

        var usb = new Command("usb",
            "USB devices: list them, and reset a hung one (an HDMI capture dongle, a HID relay, a CH9329) with proof\n" +
            "that it came back.\n\n" +
            "Examples:\n" +
            "  kvmtool usb list\n" +
            "  kvmtool usb reset 534d:2109\n" +
            "  kvmtool usb reset capture --method auto");
        usb.Subcommands.Add(list);
        usb.Subcommands.Add(reset);
        usb.Subcommands.Add(status);
        return usb;
    }

    private static int Status(CliContext context, ParseResult parse, string selector, bool quiet)
    {
        var answer = IndicatorQueries.UsbStatus(new UsbLookup(context.Paths, context.Config(parse).Model.Usb), selector);
        if (!quiet)
        {
            context.Out.WriteLine(answer.Word);
        }
        return answer.IsTrue ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static UsbService Service(CliContext context, ParseResult parse) =>
        UsbService.ForSystem(context.Paths, context.Config(parse).Model.Usb);

    private static int List(CliContext context, ParseResult parse, bool json)
    {
        var service = Service(context, parse);
        var devices = service.List();
        if (json)
        {
            CliJson.Write(context.Out, devices.Select(d => UsbDeviceJson.From(d, service.NamesOf(d), context.Paths.DevRoot)).ToList(),
                CliJson.Default.ListUsbDeviceJson);
            return ExitCodes.Ok;
        }
        if (devices.Count == 0)
        {
            context.Out.WriteLine($"No USB devices found (nothing under {service.Inventory.DevicesDir}; this machine may have no USB bus).");
            return ExitCodes.Ok;
        }
        var rows = new List<string[]> { ListHeader };
        rows.AddRange(devices.Select(d => new[]
        {
            d.BusDevice, d.PortPath, d.Id, Speed(d.Speed), d.Authorized ? "yes" : "no",
            d.Drivers.Count == 0 ? "-" : string.Join(',', d.Drivers),
            Nodes(context, d), d.Serial ?? "-", service.NamesOf(d) is { Count: > 0 } names ? string.Join(',', names) : "-",
            string.Join(' ', new[] { d.Manufacturer, d.Product }.Where(s => !string.IsNullOrEmpty(s))) is { Length: > 0 } p ? p : "-",
        }));
        TextTable.Write(context.Out, rows);
        return ExitCodes.Ok;
    }

    private static int Reset(CliContext context, ParseResult parse, string selector, UsbResetOptions options, bool json)
    {
        var results = Service(context, parse).Reset(selector, options);
        if (json)
        {
            CliJson.Write(context.Out, results.Select(r => UsbResetJson.From(r, context.Paths.DevRoot)).ToList(), CliJson.Default.ListUsbResetJson);
        }
        else
        {
            foreach (var r in results)
            {
                PrintResult(context, r);
            }
        }
        foreach (var r in results.Where(r => !r.CameBack))
        {
            context.Error.WriteLine("kvmtool: " + r.Problem);
            if (r.Hint is not null)
            {
                context.Error.WriteLine("  fix: " + r.Hint);
            }
        }
        return results.All(r => r.CameBack) ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static void PrintResult(CliContext context, UsbResetResult r)
    {
        var o = context.Out;
        string what = r.Before?.Describe() ?? $"port {r.PortPath}";
        string method = r.SucceededWith is { } s && s != r.Method ? $"{r.Method.Name()}: {s.Name()}" : r.Method.Name();
        o.WriteLine(r.CameBack
            ? $"{what}: back after {r.Elapsed.TotalSeconds:0.0} s ({method})."
            : $"{what}: NOT back after {r.Elapsed.TotalSeconds:0.0} s ({method}).");
        if (r.Before is { } before)
        {
            o.WriteLine($"  before: bus {before.BusNumber} device {before.DeviceNumber}; nodes {Nodes(context, before)}");
        }
        if (r.After is { } after)
        {
            o.WriteLine($"  after:  bus {after.BusNumber} device {after.DeviceNumber}{(r.Renumbered ? " (re-enumerated)" : r.Before is null ? "" : " (same address)")}; nodes {Nodes(context, after)}");
        }
        else
        {
            o.WriteLine($"  after:  nothing at {r.PortPath}");
        }
        if (r.Method == UsbResetMethod.Auto || r.Attempts.Count > 1)
        {
            foreach (var a in r.Attempts)
            {
                o.WriteLine($"  {a.Method.Name(),-9} {OutcomeWord(a.Outcome)}: {a.Detail}");
            }
        }
        else if (r.CameBack)
        {
            o.WriteLine("  " + r.Evidence);
        }
        if (r.Disturbed.Count > 0)
        {
            o.WriteLine("  also re-enumerated (same hub power switch): " + string.Join("; ", r.Disturbed.Select(d => d.Describe())));
        }
    }

    internal static string OutcomeWord(UsbAttemptOutcome outcome) => outcome switch
    {
        UsbAttemptOutcome.Back => "back",
        UsbAttemptOutcome.NotBack => "not-back",
        UsbAttemptOutcome.Skipped => "skipped",
        _ => "failed",
    };

    /// <summary>Nodes relative to the /dev root, each with its symlinks: "video0 (kvmd-video), video1".</summary>
    private static string Nodes(CliContext context, UsbDevice d)
    {
        var present = d.Nodes.Where(n => n.Exists).ToList();
        if (present.Count == 0)
        {
            return "-";
        }
        string Rel(string path) => Path.GetRelativePath(context.Paths.DevRoot, path);
        return string.Join(", ", present.Select(n => Rel(n.Path) + (n.Aliases.Count > 0 ? $" ({string.Join(", ", n.Aliases.Select(Rel))})" : "")));
    }

    private static string Speed(string? mbps) => mbps is null ? "-" : mbps + "M";
}

/// <summary>One device node, as --json prints it.</summary>
public sealed record UsbNodeJson(string Path, string Subsystem, bool Exists, List<string> Aliases);

/// <summary>One interface, as --json prints it.</summary>
public sealed record UsbInterfaceJson(string Name, string? Class, string? Driver);

/// <summary>One USB device, as 'usb list --json' prints it.</summary>
public sealed record UsbDeviceJson(
    int BusNumber, int DeviceNumber, string PortPath, string Id, string VendorId, string ProductId,
    string? Manufacturer, string? Product, string? Serial, string? SpeedMbps, bool Authorized, bool IsHub,
    string DevfsPath, List<string> Drivers, List<UsbInterfaceJson> Interfaces, List<UsbNodeJson> Nodes, List<string> Names)
{
    public static UsbDeviceJson From(UsbDevice d, IReadOnlyList<string> names, string devRoot) => new(
        d.BusNumber, d.DeviceNumber, d.PortPath, d.Id, $"{d.VendorId:x4}", $"{d.ProductId:x4}",
        d.Manufacturer, d.Product, d.Serial, d.Speed, d.Authorized, d.IsHub,
        Path.Combine(devRoot, d.DevfsName), d.Drivers.ToList(),
        d.Interfaces.Select(i => new UsbInterfaceJson(i.Name, i.Class?.ToString("x2", CultureInfo.InvariantCulture), i.Driver)).ToList(),
        d.Nodes.Select(n => new UsbNodeJson(n.Path, n.Subsystem, n.Exists, n.Aliases.ToList())).ToList(),
        names.ToList());
}

/// <summary>One method tried, as --json prints it.</summary>
public sealed record UsbAttemptJson(string Method, string Outcome, string Detail, double ElapsedSeconds);

/// <summary>The outcome of resetting one device, as 'usb reset --json' prints it.</summary>
public sealed record UsbResetJson(
    string Selector, string PortPath, string Method, string? SucceededWith, bool CameBack, bool Renumbered,
    UsbDeviceJson? Before, UsbDeviceJson? After, string Evidence, string? Problem, string? Hint,
    List<UsbAttemptJson> Attempts, List<string> Disturbed, double ElapsedSeconds)
{
    public static UsbResetJson From(UsbResetResult r, string devRoot) => new(
        r.Selector, r.PortPath, r.Method.Name(), r.SucceededWith?.Name(), r.CameBack, r.Renumbered,
        r.Before is null ? null : UsbDeviceJson.From(r.Before, [], devRoot),
        r.After is null ? null : UsbDeviceJson.From(r.After, [], devRoot),
        r.Evidence, r.Problem, r.Hint,
        r.Attempts.Select(a => new UsbAttemptJson(a.Method.Name(), UsbCommands.OutcomeWord(a.Outcome), a.Detail, Math.Round(a.Elapsed.TotalSeconds, 3))).ToList(),
        r.Disturbed.Select(d => d.PortPath).ToList(),
        Math.Round(r.Elapsed.TotalSeconds, 3));
}
