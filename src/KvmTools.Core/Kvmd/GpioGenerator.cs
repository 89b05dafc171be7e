using KvmTools.Core.Config;

namespace KvmTools.Core.Kvmd;

/// <summary>Turns the 'kvmd:' section of kvmtool.yaml into kvmd drivers, channels and a view table.</summary>
public static class GpioGenerator
{
    /// <summary>
    /// kvmd runs a 'cmd' driver when the button's pin goes true and awaits it; the pulse delay only keeps the
    /// button busy afterwards, because the command does its own timing (e.g. 'relay pulse'). A delay above zero
    /// also keeps the output from being "constant", which kvmd's GPIO menu cannot show.
    /// </summary>
    public const string PulseDelay = "0.1";

    public static GpioOverride Build(LoadedConfig config)
    {
        if (config.Model.Kvmd is not { } kvmd)
        {
            throw new ConfigException(config.Path ?? ConfigLoader.DefaultPath, 0, 0,
                "there is no 'kvmd:' section, so there are no buttons to generate.",
                "Add a 'kvmd:' section with buttons and indicators (the commented example kvmtool.yaml shows one).");
        }
        string tool = kvmd.KvmtoolPath ?? KvmdConfig.DefaultKvmtoolPath;
        var channels = new List<GpioChannel>();
        foreach (var (name, button) in kvmd.Buttons)
        {
            channels.Add(new GpioChannel(ChannelName(name), true, ButtonArgv(tool, button!)));
        }
        foreach (var (name, indicator) in kvmd.Indicators)
        {
            channels.Add(new GpioChannel(ChannelName(name), false, IndicatorArgv(tool, indicator!)));
        }
        channels.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var layout = kvmd.Layout is { } rows
            ? rows.Select(r => (IReadOnlyList<string>)(r ?? []).Select(c => c ?? "").ToList()).ToList()
            : DefaultLayout(kvmd);
        var table = layout.Select(row => (IReadOnlyList<string>)row.Select(cell => Cell(kvmd, cell)).ToList()).ToList();
        return new GpioOverride(KvmdRules.HtmlEscape((kvmd.Title ?? KvmdConfig.DefaultTitle).Trim()), channels, table);
    }

    public static string ChannelName(string name) => KvmdRules.NamePrefix + name;

    public static IReadOnlyList<string> ButtonArgv(string tool, KvmdButtonConfig b)
    {
        if (b.Relay is { } relay)
        {
            return KvmdCommandLines.Relay(tool, relay, b.Action ?? "pulse");
        }
        if (b.Switch is { } sw)
        {
            return KvmdCommandLines.SwitchTo(tool, sw, b.Port!);
        }
        if (b.UsbReset is { } usb)
        {
            return KvmdCommandLines.UsbReset(tool, usb);
        }
        if (b.Ch9329Reset is true)
        {
            return KvmdCommandLines.Ch9329Reset(tool);
        }
        return b.Argv!;
    }

    public static IReadOnlyList<string> IndicatorArgv(string tool, KvmdIndicatorConfig i)
    {
        if (i.Relay is { } relay)
        {
            return KvmdCommandLines.RelayStatus(tool, relay);
        }
        if (i.Switch is { } sw)
        {
            return KvmdCommandLines.SwitchIs(tool, sw, i.Port!);
        }
        if (i.CaptureHealthy is { } usb)
        {
            return KvmdCommandLines.UsbStatus(tool, usb);
        }
        return i.Argv!;
    }

    /// <summary>One row per button (with its indicator before it), then a labelled row per indicator no button shows.</summary>
    private static List<IReadOnlyList<string>> DefaultLayout(KvmdConfig kvmd)
    {
        var rows = new List<IReadOnlyList<string>>();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, button) in kvmd.Buttons)
        {
            if (button?.Indicator is { } indicator)
            {
                rows.Add([indicator, name]);
                shown.Add(indicator);
            }
            else
            {
                rows.Add([name]);
            }
        }
        foreach (var (name, indicator) in kvmd.Indicators)
        {
            if (!shown.Contains(name))
            {
                rows.Add(["#" + (indicator?.Label ?? name), name]);
            }
        }
        return rows;
    }

    /// <summary>
    /// A cell in kvmd's syntax. Buttons always take the three-part form 'ch|options|text': kvmd splits a cell at
    /// most twice, so the text may hold any character, '|' included; 'ch|confirm' alone would be a button labelled
    /// "confirm". Labels are HTML-escaped because kvmd's page inserts them as HTML; button texts are not,
    /// because the page escapes those itself.
    /// </summary>
    private static string Cell(KvmdConfig kvmd, string cell)
    {
        if (cell.Length == 0)
        {
            return "";
        }
        if (cell.StartsWith('#'))
        {
            return "#" + KvmdRules.HtmlEscape(cell[1..].Trim());
        }
        if (kvmd.Buttons.TryGetValue(cell, out var button))
        {
            string text = (button!.Label ?? cell).Trim();
            return $"{ChannelName(cell)}|{(button.Confirm is true ? "confirm" : "")}|{text}";
        }
        var indicator = kvmd.Indicators[cell]!;
        return $"{ChannelName(cell)}|{indicator.Colour ?? "green"}";
    }
}
