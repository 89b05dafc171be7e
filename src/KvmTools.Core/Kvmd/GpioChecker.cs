namespace KvmTools.Core.Kvmd;

/// <summary>
/// 'gpio check': kvmd's rules for the GPIO part of its configuration, applied to one file or to the merge of
/// every file kvmd would load. Errors are what makes kvmd refuse to start (held to kvmd's own loader by
/// KvmdOracleTests); warnings are what kvmd loads but would run or show differently from what the file seems to say.
/// </summary>
public static class GpioChecker
{
    /// <param name="files">The files, in kvmd's order.</param>
    /// <param name="driverTypes">The driver types kvmd knows; by default the installed kvmd's (<see cref="KvmdDriverTypes.Installed"/>).</param>
    public static List<GpioProblem> Check(IReadOnlyList<KvmdYamlFile> files, KvmdDriverTypes? driverTypes = null)
    {
        var problems = files.SelectMany(f => f.Problems).ToList();
        YMapping? merged = null;
        foreach (var file in files)
        {
            if (file.Root is YMapping map)
            {
                merged = merged is null ? map : YMapping.Merge(merged, map);
            }
        }
        if (merged is not null)
        {
            new Rules(problems, driverTypes ?? KvmdDriverTypes.Installed()).Run(merged);
        }
        return problems;
    }

    public static List<GpioProblem> CheckText(string text, string path, KvmdDriverTypes? driverTypes = null) =>
        Check([KvmdYamlFile.Parse(text, path)], driverTypes);

    private sealed record Driver(string Name, string Type, YNode? Node);

    private sealed record Channel(string Name, bool Output, bool Const, YNode Node);

    private sealed class Rules(List<GpioProblem> problems, KvmdDriverTypes driverTypes)
    {
        private const string Gpio = "kvmd/gpio";

        private static readonly string[] BoolWords = ["1", "true", "yes", "0", "false", "no"];
        private static readonly HashSet<string> CommandDriverKeys = ["type", "cmd"];
        private static readonly HashSet<string> OutputKeys = ["driver", "pin", "mode", "inverted", "busy_delay", "initial", "switch", "pulse"];
        private static readonly HashSet<string> InputKeys = ["driver", "pin", "mode", "inverted", "debounce"];

        private readonly Dictionary<string, Driver> _drivers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, Channel> _channels = new(StringComparer.Ordinal);
        private readonly HashSet<string> _usedDrivers = new(StringComparer.Ordinal);
        private readonly HashSet<string> _shownChannels = new(StringComparer.Ordinal);

        private void Error(YNode at, string path, string message, string fix) => problems.Add(GpioProblem.At(Severity.Error, at, path, message, fix));

        private void Warn(YNode at, string path, string message, string fix) => problems.Add(GpioProblem.At(Severity.Warning, at, path, message, fix));

        public void Run(YMapping root)
        {
            if (Section(root, "kvmd", "kvmd") is not { } kvmd || Section(kvmd, "gpio", Gpio) is not { } gpio)
            {
                return;
            }
            if (gpio.Get("state_poll") is { } poll)
            {
                Number(poll, Gpio + "/state_poll", 0.1);
            }
            _drivers["__gpio__"] = new Driver("__gpio__", "gpio", null);
            if (Section(gpio, "drivers", Gpio + "/drivers") is { } drivers)
            {
                foreach (var entry in drivers.Entries)
                {
                    CheckDriver(entry);
                }
            }
            if (Section(gpio, "scheme", Gpio + "/scheme") is { } scheme)
            {
                foreach (var entry in scheme.Entries)
                {
                    CheckChannel(entry);
                }
            }
            if (Section(gpio, "view", Gpio + "/view") is { } view)
            {
                if (Section(view, "header", Gpio + "/view/header") is { } header && header.Get("title") is { } title)
                {
                    CheckTitle(title);
                }
                if (view.Get("table") is { } table)
                {
                    CheckTable(table);
                }
            }
            foreach (var driver in _drivers.Values.Where(d => d.Node is not null && !_usedDrivers.Contains(d.Name)))
            {
                Warn(driver.Node!, $"{Gpio}/drivers/{driver.Name}", $"driver '{driver.Name}' is used by no channel.",
                    "Remove it, or add a channel under kvmd/gpio/scheme with 'driver: " + driver.Name + "'.");
            }
            foreach (var channel in _channels.Values.Where(c => !_shownChannels.Contains(c.Name)))
            {
                Warn(channel.Node, $"{Gpio}/scheme/{channel.Name}", $"channel '{channel.Name}' is in no row of view/table, so kvmd's page does not show it.",
                    "Add a cell for it to kvmd/gpio/view/table, or remove it.");
            }
        }

        /// <summary>A mapping section kvmd walks; anything else there (even an empty value) stops kvmd.</summary>
        private YMapping? Section(YMapping parent, string key, string path)
        {
            var value = parent.Get(key);
            if (value is null or YMapping)
            {
                return value as YMapping;
            }
            Error(value, path, $"'{key}' must be a mapping, but it is {Describe(value)}; kvmd would refuse to start.",
                value is YScalar { Kind: PyKind.Null } ? $"Write '{key}: {{}}' for an empty one, or remove it." : "Indent its keys under it.");
            return null;
        }

        private static string Describe(YNode node) => node switch
        {
            YScalar { Kind: PyKind.Null } => "empty",
            YScalar s => s.Describe(),
            YSequence => "a list",
            _ => "a mapping",
        };

        private bool NameOk(YScalar key, string path, string what, bool channel)
        {
            if (!key.IsString)
            {
                Warn(key, path, $"the {what} name {key.Describe()} is not text; kvmd reads it as '{key.PythonStr}'.", $"Quote it, or rename the {what}.");
                return false;
            }
            string name = key.Text;
            var pattern = channel ? KvmdRules.ChannelName() : KvmdRules.DriverName();
            if (!pattern.IsMatch(name) || name.Contains('\n', StringComparison.Ordinal) || name.Length > KvmdRules.MaxNameLength)
            {
                Error(key, path, $"'{name}' is not a valid kvmd GPIO {what} name; kvmd would refuse to start.",
                    $"Use letters, digits, '_' and '-'{(channel ? " and '.'" : "")}, starting with a letter or '_' (at most 255).");
                return false;
            }
            if (KvmdRules.IsReserved(name))
            {
                Warn(key, path, $"'{name}' has the __name__ form PiKVM uses for its own {what}s.", $"Unless you mean PiKVM's own {what}, pick another name.");
            }
            return true;
        }

        private void CheckDriver(YEntry entry)
        {
            string path = $"{Gpio}/drivers/{entry.Key.Text}";
            if (!NameOk(entry.Key, path, "driver", channel: false))
            {
                return;
            }
            string name = entry.Key.Text;
            if (entry.Value is not YMapping body)
            {
                Error(entry.Value, path, $"driver '{name}' must be a mapping (type: ...), but it is {Describe(entry.Value)}; kvmd would refuse to start.",
                    "Give it 'type:' and its options.");
                return;
            }
            var typeNode = body.Get("type");
            string? type = null;
            if (typeNode is null)
            {
                Error(entry.Key, path, $"driver '{name}' has no 'type'; kvmd would refuse to start.", "Add 'type: cmd' (a button) or 'type: cmdret' (an indicator).");
            }
            else if (typeNode is not YScalar { IsString: true } t || t.Text.Trim().Length == 0)
            {
                Error(typeNode, path + "/type", $"the driver type {Describe(typeNode)} is not a type name; kvmd would refuse to start.", "Write e.g. 'type: cmd'.");
            }
            else if (!driverTypes.Names.Contains(t.Text.Trim()))
            {
                string known = "Use one of: " + string.Join(", ", driverTypes.Names.Order(StringComparer.Ordinal)) + ".";
                if (driverTypes.From is { } from)
                {
                    Error(typeNode, path + "/type", $"kvmd has no GPIO driver type '{t.Text}' (its drivers are in {from}); it would refuse to start.", known);
                }
                else
                {
                    // No kvmd here to ask: a newer one may have the type, so this is no reason to refuse the file.
                    Warn(typeNode, path + "/type", $"kvmd 4.197 has no GPIO driver type '{t.Text}', and no kvmd is installed here to ask; unless yours is newer and has it, kvmd would refuse to start.", known);
                }
            }
            else
            {
                type = t.Text.Trim();
            }
            _drivers[name] = new Driver(name, type ?? "", entry.Key);
            if (type is "cmd" or "cmdret")
            {
                CheckCommand(body, entry.Key, path, name);
                foreach (var extra in body.Entries.Where(e => !e.Key.IsString || !CommandDriverKeys.Contains(e.Key.Text)))
                {
                    Warn(extra.Key, $"{path}/{extra.Key.Text}", $"'{extra.Key.Text}' is not an option of {type} drivers; kvmd ignores it.", "Remove it (the options are type and cmd).");
                }
            }
        }

        private void CheckCommand(YMapping body, YScalar key, string path, string name)
        {
            string at = path + "/cmd";
            var node = body.Get("cmd");
            if (node is null)
            {
                Error(key, path, $"driver '{name}' has no 'cmd'; kvmd would refuse to start.", "Add cmd: [\"/usr/bin/kvmtool\", ...].");
                return;
            }
            if (node is YScalar s && s.IsString)
            {
                Warn(node, at, "'cmd' is one string; kvmd splits it at commas and tabs, not at spaces.",
                    "Write the command as a list of quoted strings: [\"/usr/bin/kvmtool\", \"relay\", \"1\", \"pulse\"].");
                var items = s.Text.Split([',', '\t'], StringSplitOptions.RemoveEmptyEntries).Select(i => i.Trim()).ToList();
                CheckArgv(node, at, items);
                return;
            }
            if (node is not YSequence seq)
            {
                Error(node, at, $"'cmd' must be a list, but it is {Describe(node)}; kvmd would refuse to start.", "Write cmd: [\"/absolute/program\", \"arg\"].");
                return;
            }
            if (seq.Items.Count == 0)
            {
                Error(node, at, "'cmd' is empty; kvmd would refuse to start.", "Write cmd: [\"/absolute/program\", \"arg\"].");
                return;
            }
            var argv = new List<string>();
            for (int i = 0; i < seq.Items.Count; i++)
            {
                string item = $"{at}[{i}]";
                switch (seq.Items[i])
                {
                    case YScalar { Kind: PyKind.Null } n:
                        Error(n, item, "an argument is empty (null); kvmd would refuse to start.", "Quote it: \"\" (or remove it).");
                        argv.Add("None");
                        break;
                    case YScalar { IsString: true } str:
                        if (str.Text.Trim() != str.Text)
                        {
                            Warn(str, item, $"argument {i} has spaces or line breaks around it, which kvmd strips.", "Remove them.");
                        }
                        if (str.Text.Contains('\0', StringComparison.Ordinal))
                        {
                            Error(str, item, $"argument {i} holds a NUL character, which no command line can carry.", "Remove it.");
                        }
                        argv.Add(str.Text.Trim());
                        break;
                    case YScalar other:
                        Warn(other, item, $"argument {i} is {other.Describe()}, not text; kvmd passes '{other.PythonStr}'.",
                            $"Quote it: \"{other.Text}\".");
                        argv.Add(other.PythonStr);
                        break;
                    default:
                        Warn(seq.Items[i], item, $"argument {i} is a list or mapping; kvmd would pass its Python text.", "Write each argument as a quoted string.");
                        argv.Add("[]");
                        break;
                }
            }
            CheckArgv(node, at, argv);
        }

        private void CheckArgv(YNode node, string at, List<string> argv)
        {
            if (argv.Count == 0)
            {
                Error(node, at, "'cmd' is empty; kvmd would refuse to start.", "Write cmd: [\"/absolute/program\", \"arg\"].");
                return;
            }
            if (!argv[0].StartsWith('/'))
            {
                Warn(node, at + "[0]", $"the program '{argv[0]}' is not an absolute path; kvmd runs it with no PATH lookup from /.",
                    "Write the full path, e.g. /usr/bin/kvmtool.");
            }
            if (KvmdRules.PythonListReprLength(argv) > KvmdRules.MaxCommandRepr)
            {
                Error(node, at, $"the command is longer than kvmd allows ({KvmdRules.MaxCommandRepr} characters as Python prints it); kvmd would refuse to start.",
                    "Put the command in a script and run that.");
            }
        }

        private void CheckChannel(YEntry entry)
        {
            string path = $"{Gpio}/scheme/{entry.Key.Text}";
            if (!NameOk(entry.Key, path, "channel", channel: true))
            {
                return;
            }
            string name = entry.Key.Text;
            if (entry.Value is not YMapping body)
            {
                Error(entry.Value, path, $"channel '{name}' must be a mapping (driver, pin, mode, ...), but it is {Describe(entry.Value)}; kvmd would refuse to start.",
                    "Give it driver:, pin: and mode:.");
                return;
            }
            Driver? driver = null;
            var driverNode = body.Get("driver");
            if (driverNode is null)
            {
                driver = _drivers["__gpio__"];
            }
            else if (driverNode is YScalar { IsString: true } d && _drivers.TryGetValue(d.Text.Trim(), out var found))
            {
                driver = found;
            }
            else
            {
                Error(driverNode, path + "/driver", $"the driver {Describe(driverNode)} is not defined under kvmd/gpio/drivers; kvmd would refuse to start.",
                    "Name a driver defined under kvmd/gpio/drivers.");
            }
            if (driver is not null)
            {
                _usedDrivers.Add(driver.Name);
            }

            var modeNode = body.Get("mode");
            string? mode = null;
            if (modeNode is null)
            {
                Error(entry.Key, path, $"channel '{name}' has no 'mode'; kvmd would refuse to start.", "Add 'mode: output' (a button) or 'mode: input' (an indicator).");
            }
            else if (modeNode is not YScalar { IsString: true } m || m.Text.Trim().ToLowerInvariant() is not ("input" or "output"))
            {
                Error(modeNode, path + "/mode", $"the mode {Describe(modeNode)} is neither input nor output; kvmd would refuse to start.", "Write 'mode: output' or 'mode: input'.");
            }
            else
            {
                mode = m.Text.Trim().ToLowerInvariant();
                string? allowed = driver?.Type switch { "cmd" => "output", "cmdret" => "input", _ => null };
                if (allowed is not null && mode != allowed)
                {
                    Error(modeNode, path + "/mode", $"a {driver!.Type} driver only has {allowed} pins, but the mode is {mode}; kvmd would refuse to start.",
                        $"Write 'mode: {allowed}'" + (driver.Type == "cmd" ? " (cmd drivers are buttons)." : " (cmdret drivers are indicators)."));
                    mode = null;
                }
            }
            if (body.Get("inverted") is { } inverted)
            {
                Bool(inverted, path + "/inverted", allowNull: false);
            }
            if (mode == "input")
            {
                if (body.Get("debounce") is { } debounce)
                {
                    Number(debounce, path + "/debounce", 0);
                }
                foreach (var extra in body.Entries.Where(e => e.Key.IsString && !InputKeys.Contains(e.Key.Text) && OutputKeys.Contains(e.Key.Text)))
                {
                    Warn(extra.Key, $"{path}/{extra.Key.Text}", $"'{extra.Key.Text}' only applies to outputs; kvmd ignores it for this input.", "Remove it.");
                }
                _channels[name] = new Channel(name, false, false, entry.Key);
            }
            else if (mode == "output")
            {
                CheckOutput(name, path, body, driver, entry.Key);
            }
        }

        private void CheckOutput(string name, string path, YMapping body, Driver? driver, YScalar key)
        {
            bool? switchable = body.Get("switch") is { } sw ? Bool(sw, path + "/switch", allowNull: false) : true;
            if (body.Get("initial") is { } initial)
            {
                Bool(initial, path + "/initial", allowNull: true);
            }
            if (body.Get("busy_delay") is { } busy)
            {
                Number(busy, path + "/busy_delay", 0.1);
            }
            double? delay = 0.1, min = 0.1, max = 0.1;
            var pulse = body.Get("pulse");
            if (pulse is YScalar p && (p.Kind == PyKind.Bool && p.PythonStr == "False" || p.Kind == PyKind.WholeNumber && p.PythonStr == "0"))
            {
                delay = 0;
            }
            else if (pulse is YMapping pm)
            {
                if (pm.Get("delay") is { } d) { delay = Number(d, path + "/pulse/delay", 0); }
                if (pm.Get("min_delay") is { } mn) { min = Number(mn, path + "/pulse/min_delay", 0.1); }
                if (pm.Get("max_delay") is { } mx) { max = Number(mx, path + "/pulse/max_delay", 0.1); }
            }
            else if (pulse is not null)
            {
                Error(pulse, path + "/pulse", $"'pulse' must be a mapping (delay, min_delay, max_delay) or false, but it is {Describe(pulse)}; kvmd would refuse to start.",
                    "Write pulse: {delay: 0.1} or pulse: false.");
            }
            foreach (var extra in body.Entries.Where(e => e.Key.IsString && e.Key.Text == "debounce"))
            {
                Warn(extra.Key, $"{path}/debounce", "'debounce' only applies to inputs; kvmd ignores it for this output.", "Remove it.");
            }

            bool constant = false;
            if (switchable is false && delay == 0)
            {
                constant = true;
                Warn(key, path, $"output '{name}' can neither switch nor pulse (switch: false and a pulse delay of 0): kvmd treats it as constant, and a button for it breaks the GPIO menu.",
                    "Give it a pulse delay (pulse: {delay: 0.1}) or 'switch: true'.");
            }
            else if (delay is > 0 && min is { } lo && max is { } hi)
            {
                if (delay > hi)
                {
                    Warn(pulse ?? key, path + "/pulse/delay", $"the pulse delay {delay} is above max_delay {hi}; kvmd shortens it to {hi}.",
                        $"Raise max_delay to at least {delay}.");
                }
                else if (delay < lo)
                {
                    Warn(pulse ?? key, path + "/pulse/delay", $"the pulse delay {delay} is below min_delay {lo}; kvmd lengthens it to {lo}.", "Make them agree.");
                }
            }
            if (driver?.Type == "cmd" && switchable is true && !constant)
            {
                Warn(body.Get("switch") ?? key, path + "/switch",
                    $"output '{name}' runs a command but is switchable: kvmd shows an on/off switch that runs the command only when turned on, and it never reads back on.",
                    "Write 'switch: false' to make it a push button.");
            }
            _channels[name] = new Channel(name, true, constant, key);
        }

        private bool? Bool(YNode node, string path, bool allowNull)
        {
            if (allowNull && node is YScalar { Kind: PyKind.Null })
            {
                return null;
            }
            if (node is YScalar s && BoolWords.Contains(s.PythonStr.Trim().ToLowerInvariant()))
            {
                string word = s.PythonStr.Trim().ToLowerInvariant();
                return word is "1" or "true" or "yes";
            }
            Error(node, path, $"{Describe(node)} is not a boolean kvmd accepts (true/false, yes/no, 1/0; 'on' and 'off' are not); kvmd would refuse to start.",
                "Write true or false.");
            return null;
        }

        private double? Number(YNode node, string path, double minimum)
        {
            double? value = node is YScalar s && s.Kind is not (PyKind.Null or PyKind.Bool) ? PyYamlScalars.PythonFloat(s.PythonStr) : null;
            if (value is not { } v || double.IsNaN(v))
            {
                Error(node, path, $"{Describe(node)} is not a number kvmd accepts; kvmd would refuse to start.", "Write a number such as 0.1.");
                return null;
            }
            if (v < minimum)
            {
                Error(node, path, $"{v} is below kvmd's minimum of {minimum} here; kvmd would refuse to start.", $"Write at least {minimum}.");
                return null;
            }
            return v;
        }

        private void CheckTitle(YNode title)
        {
            const string path = Gpio + "/view/header/title";
            if (title is YSequence seq)
            {
                for (int i = 0; i < seq.Items.Count; i++)
                {
                    if (seq.Items[i] is not YScalar { IsString: true } item)
                    {
                        Warn(seq.Items[i], $"{path}[{i}]", $"a title item is {Describe(seq.Items[i])}, not text.", "Quote it.");
                        continue;
                    }
                    string text = item.Text;
                    if (text.StartsWith('#') || text.Length == 0)
                    {
                        continue;
                    }
                    string channel = text.Split('|', 3)[0].Trim();
                    if (!_channels.TryGetValue(channel, out var ch) || ch.Output)
                    {
                        Warn(item, $"{path}[{i}]", $"title item '{text}' names no input channel; kvmd's page silently drops it.",
                            "The title shows labels (\"#Text\") and input channels only.");
                    }
                    else
                    {
                        _shownChannels.Add(channel);
                    }
                }
            }
            else if (title is YScalar s && !s.IsString)
            {
                Warn(title, path, $"the title is {s.Describe()}, not text; kvmd's page shows '{s.PythonStr}'.", $"Quote it: \"{s.Text}\".");
            }
            else if (title is not YScalar)
            {
                Warn(title, path, "the title must be text or a list.", "Write title: \"Switches\".");
            }
        }

        private void CheckTable(YNode table)
        {
            const string path = Gpio + "/view/table";
            if (table is not YSequence rows)
            {
                Warn(table, path, $"view/table must be a list of rows, but it is {Describe(table)}; kvmd shows garbage.",
                    "Write table: [[\"#Label\", \"channel\"]].");
                return;
            }
            for (int r = 0; r < rows.Items.Count; r++)
            {
                string rowPath = $"{path}[{r}]";
                if (rows.Items[r] is not YSequence row)
                {
                    Warn(rows.Items[r], rowPath, $"row {r} is {Describe(rows.Items[r])}, not a list of cells; kvmd shows each character as a cell.",
                        "Write the row as a list: [\"#Label\", \"channel\"] (or [] for a separator).");
                    continue;
                }
                for (int c = 0; c < row.Items.Count; c++)
                {
                    CheckCell(row.Items[c], $"{rowPath}[{c}]");
                }
            }
        }

        private void CheckCell(YNode node, string path)
        {
            if (node is not YScalar { IsString: true } cell)
            {
                string shown = node is YScalar s ? s.PythonStr : "(a list or mapping)";
                Warn(node, path, $"the cell {Describe(node)} is not text; kvmd's page would use '{shown}'.",
                    node is YScalar q ? $"Quote it: \"{q.Text}\"." : "Write each cell as a quoted string.");
                return;
            }
            string text = cell.Text.Trim();
            if (text.StartsWith('#') || text.Length == 0)
            {
                return;
            }
            string[] parts = [.. text.Split('|', 3).Select(p => p.Trim())];
            if (!_channels.TryGetValue(parts[0], out var channel))
            {
                Warn(cell, path, $"the cell '{cell.Text}' names no channel defined under kvmd/gpio/scheme; kvmd's page silently drops it.",
                    "Start labels with '#', or name a defined channel.");
                return;
            }
            _shownChannels.Add(channel.Name);
            if (!channel.Output)
            {
                if (parts.Length > 1 && !KvmdRules.Colours.Contains(parts[1]))
                {
                    Warn(cell, path, $"'{parts[1]}' is not a colour kvmd's page knows; the indicator would be green.",
                        "Use " + string.Join(", ", KvmdRules.Colours) + ".");
                }
                if (parts.Length > 2)
                {
                    Warn(cell, path, $"indicator cells take 'channel|colour'; kvmd ignores '{parts[2]}'.", "Put the text in a label cell (\"#Text\").");
                }
                return;
            }
            if (channel.Const)
            {
                Warn(cell, path, $"the button '{channel.Name}' is for a constant output; it breaks kvmd's GPIO menu.", "Give the channel a pulse delay or make it switchable.");
            }
            if (parts.Length == 2)
            {
                var words = parts[1].Split(',').Select(w => w.Trim().ToLowerInvariant()).ToList();
                if (words.Any(w => w is "confirm" or "hide"))
                {
                    Warn(cell, path, $"'{cell.Text}' makes a button whose text is '{parts[1]}': kvmd reads options only in the three-part form.",
                        $"Write '{parts[0]}|{parts[1]}|Text'.");
                }
            }
            else if (parts.Length == 3)
            {
                // kvmd compares the options exactly: no spaces, no capitals.
                var unknown = parts[1].Split(',').Where(w => w.Length > 0 && w is not ("confirm" or "hide")).ToList();
                if (unknown.Count > 0)
                {
                    Warn(cell, path, $"kvmd ignores the button option(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}.", "The options are confirm and hide.");
                }
            }
        }
    }
}
