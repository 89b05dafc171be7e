using System.Globalization;
using KvmTools.Core.Config;

namespace KvmTools.Core.Kvmd;

/// <summary>The rules of kvmtool.yaml's 'kvmd:' section, checked when the file is loaded (file:line:column).</summary>
public static class KvmdConfigValidator
{
    private const string At = "kvmd";

    public static void Validate(KvmToolConfig config, ConfigProblems problems)
    {
        if (config.Kvmd is not { } kvmd)
        {
            return;
        }
        // 'buttons:' with nothing under it reads as null; it means "no buttons".
        kvmd.Buttons ??= [];
        kvmd.Indicators ??= [];
        CheckAbsolute(kvmd.KvmtoolPath, At + ".kvmtool-path", "the installed kvmtool", problems);
        if (kvmd.KvmtoolPath is { } tool && tool.Trim() != tool)
        {
            problems.At(At + ".kvmtool-path", "kvmtool-path has spaces around it; kvmd would strip them.", "Remove the spaces.");
        }
        CheckAbsolute(kvmd.OverrideDir, At + ".override-dir", "kvmd's override.d directory", problems);
        CheckAbsolute(kvmd.BackupDir, At + ".backup-dir", "the backup directory", problems);
        if (kvmd.BackupDir is { } backups && kvmd.OverrideDir is { } overrides && backups.StartsWith('/') && overrides.StartsWith('/')
            && IsInside(backups, overrides))
        {
            problems.At(At + ".backup-dir", $"backup-dir '{backups}' is inside override-dir: kvmd loads every file there, backups included.",
                "Keep backups elsewhere, e.g. /var/lib/kvmtool/backups.");
        }
        if (kvmd.Title is { } title)
        {
            CheckText(title, At + ".title", "title", problems);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, button) in kvmd.Buttons)
        {
            string at = $"{At}.buttons.{name}";
            ConfigValidator.CheckName(name, at, "button", problems);
            names.Add(name);
            if (button is null)
            {
                problems.AtKey(at, $"button '{name}' is empty.", "Give it a kind, e.g. 'relay: hdmi-button' or 'argv: [...]'.");
                continue;
            }
            ValidateButton(config, kvmd, name, button, at, problems);
        }
        foreach (var (name, indicator) in kvmd.Indicators)
        {
            string at = $"{At}.indicators.{name}";
            ConfigValidator.CheckName(name, at, "indicator", problems);
            if (!names.Add(name))
            {
                problems.AtKey(at, $"'{name}' names both a button and an indicator; they share kvmd's channel names.",
                    "Rename one of them.");
            }
            if (indicator is null)
            {
                problems.AtKey(at, $"indicator '{name}' is empty.", "Give it a kind, e.g. 'relay: hdmi-button'.");
                continue;
            }
            ValidateIndicator(config, name, indicator, at, problems);
        }
        if (kvmd.Layout is { } layout)
        {
            ValidateLayout(kvmd, layout, problems);
        }
    }

    private static void ValidateButton(KvmToolConfig config, KvmdConfig kvmd, string name, KvmdButtonConfig b, string at, ConfigProblems problems)
    {
        var kinds = new List<string>();
        if (b.Relay is not null) { kinds.Add("relay"); }
        if (b.Switch is not null) { kinds.Add("switch"); }
        if (b.UsbReset is not null) { kinds.Add("usb-reset"); }
        if (b.Ch9329Reset is not null) { kinds.Add("ch9329-reset"); }
        if (b.Argv is not null) { kinds.Add("argv"); }
        if (kinds.Count == 0)
        {
            problems.AtKey(at, $"button '{name}' does nothing: it has no relay, switch, usb-reset, ch9329-reset or argv.",
                "Add one, e.g. 'relay: hdmi-button'.");
        }
        else if (kinds.Count > 1)
        {
            problems.AtKey(at, $"button '{name}' has several kinds ({string.Join(", ", kinds)}).", "Give each button exactly one; make several buttons.");
        }

        if (b.Relay is { } relay)
        {
            CheckReference(relay, KvmdReferences.Relays(config), at + ".relay", "relay", "relays", problems);
        }
        if (b.Action is { } action)
        {
            if (b.Relay is null)
            {
                problems.At(at + ".action", "'action' only goes with 'relay'.", "Remove it, or add 'relay: NAME'.");
            }
            else if (!KvmdCommandLines.RelayActions.Contains(action))
            {
                problems.At(at + ".action", $"unknown relay action '{action}'.", "Use pulse, on or off.");
            }
        }
        ValidateSwitchPort(config, b.Switch, b.Port, at, problems);
        if (b.UsbReset is { } usb)
        {
            CheckReference(usb, KvmdReferences.UsbDevices(config), at + ".usb-reset", "USB device", "usb", problems);
        }
        if (b.Ch9329Reset is false)
        {
            problems.At(at + ".ch9329-reset", "'ch9329-reset: false' does nothing.", "Write 'ch9329-reset: true', or remove the button.");
        }
        else if (b.Ch9329Reset is true && KvmdReferences.HasCh9329(config) is false)
        {
            problems.At(at + ".ch9329-reset", "no CH9329 is configured.", "Add the 'ch9329:' section to kvmtool.yaml.");
        }
        if (b.Argv is { } argv)
        {
            ValidateArgv(argv, at + ".argv", problems);
        }
        if (b.Label is { } label)
        {
            CheckText(label, at + ".label", "label", problems);
            CheckButtonText(label, at + ".label", problems);
            if (label.Trim().Length == 0)
            {
                problems.At(at + ".label", "the label is empty; the button would have no text.", "Write the button's text, or remove 'label' to use the name.");
            }
        }
        if (b.Indicator is { } indicator && !kvmd.Indicators.ContainsKey(indicator))
        {
            problems.At(at + ".indicator", $"no indicator is named '{indicator}'.", Known("the indicators are", kvmd.Indicators.Keys));
        }
    }

    private static void ValidateIndicator(KvmToolConfig config, string name, KvmdIndicatorConfig i, string at, ConfigProblems problems)
    {
        var kinds = new List<string>();
        if (i.Relay is not null) { kinds.Add("relay"); }
        if (i.Switch is not null) { kinds.Add("switch"); }
        if (i.CaptureHealthy is not null) { kinds.Add("capture-healthy"); }
        if (i.Argv is not null) { kinds.Add("argv"); }
        if (kinds.Count == 0)
        {
            problems.AtKey(at, $"indicator '{name}' shows nothing: it has no relay, switch, capture-healthy or argv.",
                "Add one, e.g. 'relay: hdmi-button'.");
        }
        else if (kinds.Count > 1)
        {
            problems.AtKey(at, $"indicator '{name}' has several kinds ({string.Join(", ", kinds)}).", "Give each indicator exactly one.");
        }
        if (i.Relay is { } relay)
        {
            CheckReference(relay, KvmdReferences.Relays(config), at + ".relay", "relay", "relays", problems);
        }
        ValidateSwitchPort(config, i.Switch, i.Port, at, problems);
        if (i.CaptureHealthy is { } usb)
        {
            CheckReference(usb, KvmdReferences.UsbDevices(config), at + ".capture-healthy", "USB device", "usb", problems);
        }
        if (i.Argv is { } argv)
        {
            ValidateArgv(argv, at + ".argv", problems);
        }
        if (i.Colour is { } colour && !KvmdRules.Colours.Contains(colour))
        {
            problems.At(at + ".colour", $"kvmd's page has no colour '{colour}' (it would show green).", "Use " + string.Join(", ", KvmdRules.Colours) + ".");
        }
        if (i.Label is { } label)
        {
            CheckText(label, at + ".label", "label", problems);
        }
    }

    private static void ValidateSwitchPort(KvmToolConfig config, string? switchName, string? port, string at, ConfigProblems problems)
    {
        if (switchName is not null)
        {
            CheckReference(switchName, KvmdReferences.Switches(config), at + ".switch", "switch", "switches", problems);
            if (port is null)
            {
                problems.At(at + ".switch", "'switch' needs 'port': the port to select or to show.", "Add 'port: 1'.");
            }
        }
        if (port is not null)
        {
            if (switchName is null)
            {
                problems.At(at + ".port", "'port' only goes with 'switch'.", "Add 'switch: NAME'.");
            }
            bool number = int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 255
                && !port.StartsWith('0');
            if (!number && !ConfigValidator.NamePattern().IsMatch(port))
            {
                problems.At(at + ".port", $"'{port}' is neither a port number (1-255) nor a port name.", "Write the port's number, e.g. 'port: 2'.");
            }
        }
    }

    public static void ValidateArgv(IReadOnlyList<string?> argv, string at, ConfigProblems problems)
    {
        if (argv.Count == 0)
        {
            problems.At(at, "argv is empty.", "Write the command as a list: [\"/usr/local/bin/x\", \"arg\"].");
            return;
        }
        for (int i = 0; i < argv.Count; i++)
        {
            string? arg = argv[i];
            string item = $"{at}[{i}]";
            if (arg is null)
            {
                problems.At(item, "an argument is empty (null).", "Quote it: \"\".");
                continue;
            }
            if (arg.Contains('\0', StringComparison.Ordinal))
            {
                problems.At(item, "an argument holds a NUL character, which no command line can carry.", "Remove it.");
            }
            if (arg.Trim() != arg)
            {
                problems.At(item, $"argument {i} has spaces or line breaks around it; kvmd strips them.", "Remove them.");
            }
        }
        if (argv[0] is { } program && !program.StartsWith('/'))
        {
            problems.At(at + "[0]", $"'{program}' is not an absolute path; kvmd does no PATH lookup.", "Write the full path, e.g. /usr/bin/" + program + ".");
        }
        if (KvmdRules.PythonListReprLength([.. argv.Select(a => a ?? "")]) > KvmdRules.MaxCommandRepr)
        {
            problems.At(at, $"the command is too long for kvmd (more than {KvmdRules.MaxCommandRepr} characters as kvmd counts them).",
                "Put it in a script and run that.");
        }
    }

    private static void ValidateLayout(KvmdConfig kvmd, List<List<string>?> layout, ConfigProblems problems)
    {
        var placed = new HashSet<string>(StringComparer.Ordinal);
        for (int r = 0; r < layout.Count; r++)
        {
            if (layout[r] is not { } row)
            {
                problems.At($"{At}.layout[{r}]", "a layout row is empty (null).", "Write [] for an empty row.");
                continue;
            }
            for (int c = 0; c < row.Count; c++)
            {
                string at = $"{At}.layout[{r}][{c}]";
                string? cell = row[c];
                if (cell is null || cell.Length == 0)
                {
                    continue;
                }
                if (cell.StartsWith('#'))
                {
                    CheckText(cell, at, "label", problems);
                    continue;
                }
                if (kvmd.Buttons.ContainsKey(cell) || kvmd.Indicators.ContainsKey(cell))
                {
                    placed.Add(cell);
                    continue;
                }
                problems.At(at, $"'{cell}' is neither a label (\"#Text\") nor a button or indicator.",
                    Known("the buttons and indicators are", kvmd.Buttons.Keys.Concat(kvmd.Indicators.Keys)));
            }
        }
        foreach (string name in kvmd.Buttons.Keys.Concat(kvmd.Indicators.Keys).Where(n => !placed.Contains(n)))
        {
            string kind = kvmd.Buttons.ContainsKey(name) ? "buttons" : "indicators";
            problems.AtKey($"{At}.{kind}.{name}", $"'{name}' is in no row of 'layout', so kvmd's page would not show it.",
                "Add it to a row of 'layout', or remove it.");
        }
    }

    private static void CheckReference(string name, IReadOnlyCollection<string>? known, string at, string what, string section, ConfigProblems problems)
    {
        if (known is not null && !known.Contains(name))
        {
            problems.At(at, $"no {what} is named '{name}'.", known.Count == 0
                ? $"Name it under '{section}:' in kvmtool.yaml."
                : Known($"the {section} are", known));
        }
    }

    private static void CheckAbsolute(string? path, string at, string what, ConfigProblems problems)
    {
        if (path is not null && (!path.StartsWith('/') || path.Contains('\0', StringComparison.Ordinal) || KvmdRules.TextProblem(path) is not null))
        {
            problems.At(at, $"'{path}' is not an absolute path ({what}).", "Write it from the root, e.g. /etc/kvmd/override.d.");
        }
    }

    private static void CheckText(string text, string at, string what, ConfigProblems problems)
    {
        if (KvmdRules.TextProblem(text) is { } why)
        {
            problems.At(at, $"the {what} cannot be shown as written: {why}.", "Write it on one line, without control characters.");
        }
    }

    /// <summary>
    /// kvmd's page escapes a button's text one UTF-16 unit at a time, so a character beyond U+FFFF (an emoji) comes
    /// out as two broken halves. Labels and the title are inserted as HTML and show such characters fine.
    /// </summary>
    private static void CheckButtonText(string text, string at, ConfigProblems problems)
    {
        foreach (char c in text)
        {
            if (char.IsHighSurrogate(c))
            {
                problems.At(at, $"kvmd's page cannot show '{text}' on a button: it garbles characters beyond U+FFFF (emoji and the like).",
                    "Leave them out of the button's label, or put them in a '#' label cell of the layout beside it.");
                return;
            }
        }
    }

    private static string Known(string intro, IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "None are defined." : $"{char.ToUpperInvariant(intro[0])}{intro[1..]}: {string.Join(", ", list)}.";
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="dir"/> or below it (lexically).</summary>
    public static bool IsInside(string path, string dir)
    {
        string p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string d = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        return p == d || p.StartsWith(d + "/", StringComparison.Ordinal) || d == "/";
    }
}
