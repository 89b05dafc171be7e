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
        var lines = KvmdCommandLines.For(kvmd.KvmtoolPath ?? KvmdConfig.DefaultKvmtoolPath, config.Path);
        var channels = new List<GpioChannel>();
        foreach (var (name, button) in kvmd.Buttons)
        {
            channels.Add(new GpioChannel(ChannelName(name), true, ButtonArgv(lines, button!)));
        }
        foreach (var (name, indicator) in kvmd.Indicators)
        {
            channels.Add(new GpioChannel(ChannelName(name), false, IndicatorArgv(lines, indicator!)));
        }
        channels.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));

        var table = Layout(kvmd).Select(row => (IReadOnlyList<string>)row.Select(cell => Cell(kvmd, cell)).ToList()).ToList();
        return new GpioOverride(KvmdRules.HtmlEscape((kvmd.Title ?? KvmdConfig.DefaultTitle).Trim()), channels, table);
    }

    public static string ChannelName(string name) => KvmdRules.NamePrefix + name;

    /// <summary>The menu's rows by name, before they become kvmd cells: the user's 'layout', or the default one.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Layout(KvmdConfig kvmd) => kvmd.Layout is { } rows
        ? rows.Select(r => (IReadOnlyList<string>)(r ?? []).Select(c => c ?? "").ToList()).ToList()
        : DefaultLayout(kvmd);

    public static IReadOnlyList<string> ButtonArgv(KvmdCommandLines lines, KvmdButtonConfig b)
    {
        if (b.Relay is { } relay)
        {
            return lines.Relay(relay, b.Action ?? "pulse");
        }
        if (b.Switch is { } sw)
        {
            return lines.SwitchTo(sw, b.Port!);
        }
        if (b.UsbReset is { } usb)
        {
            return lines.UsbReset(usb);
        }
        if (b.Ch9329Reset is true)
        {
            return lines.Ch9329Reset();
        }
        return b.Argv!;
    }

    public static IReadOnlyList<string> IndicatorArgv(KvmdCommandLines lines, KvmdIndicatorConfig i)
    {
        if (i.Relay is { } relay)
        {
            return lines.RelayStatus(relay);
        }
        if (i.Switch is { } sw)
        {
            return lines.SwitchIs(sw, i.Port!);
        }
        if (i.CaptureHealthy is { } usb)
        {
            return lines.UsbStatus(usb);
        }
        return i.Argv!;
    }

    /// <summary>
    /// Three columns, so that every dot has words and the buttons stand in one column: kvmd's page shows an
    /// indicator as a bare dot (its label is not kvmd's), and lays each row's cells out from the left, so a row with
    /// fewer cells shifts the ones after. A button's row is [its indicator's label, its indicator, the button] (two
    /// empty cells without an indicator); an indicator no button shows gets [its label, the dot, an empty cell].
    /// No separators: kvmd starts a new table after each, whose columns line up with nothing above it.
    /// </summary>
    private static List<IReadOnlyList<string>> DefaultLayout(KvmdConfig kvmd)
    {
        var rows = new List<IReadOnlyList<string>>();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, button) in kvmd.Buttons)
        {
            if (button?.Indicator is { } indicator)
            {
                rows.Add([IndicatorLabel(kvmd, indicator), indicator, name]);
                shown.Add(indicator);
            }
            else
            {
                rows.Add(["", "", name]);
            }
        }
        foreach (var (name, _) in kvmd.Indicators)
        {
            if (!shown.Contains(name))
            {
                rows.Add([IndicatorLabel(kvmd, name), name, ""]);
            }
        }
        return rows;
    }

    private static string IndicatorLabel(KvmdConfig kvmd, string name) => "#" + (kvmd.Indicators[name]?.Label ?? name);

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
