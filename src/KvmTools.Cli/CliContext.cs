using System.CommandLine;
using KvmTools.Core.Config;
using KvmTools.Core.Linux;

namespace KvmTools.Cli;

/// <summary>What every command needs from its surroundings; tests build one around fixture roots.</summary>
public sealed class CliContext(TextWriter output, TextWriter error, Func<string, string?> environment)
{
    /// <summary>The global --config option; its value wins over KVMTOOL_CONFIG, which wins over the default path.</summary>
    public static readonly Option<string?> ConfigOption = new("--config")
    {
        Description = $"The configuration file (default: $KVMTOOL_CONFIG, else {ConfigLoader.DefaultPath}).",
        Recursive = true,
    };

    /// <summary>
    /// For kvmd's cmdret indicators (KvmdCommandLines): print nothing and answer by the exit status alone, because
    /// kvmd logs whatever an indicator prints on every poll. Errors are still printed.
    /// </summary>
    public static Option<bool> QuietOption() => new(KvmTools.Core.Kvmd.KvmdCommandLines.QuietOption)
    {
        Description = "Print nothing; the exit status is the answer (errors are still printed). For kvmd indicators.",
    };

    private LoadedConfig? _config;

    private readonly Dictionary<Command, TimeSpan> _backstops = [];

    /// <summary>
    /// Gives the backstop for when the process's last-resort timer (Program.cs) should fire, from the start, for
    /// <paramref name="command"/> and its subcommands: for commands whose own limits add up to more than the
    /// default (administrators' commands; never a kvmd driver). KVMTOOL_BACKSTOP_SECONDS still wins.
    /// </summary>
    public void DeclareBackstop(Command command, TimeSpan limit) => _backstops[command] = limit;

    /// <summary>What the parsed command (or the nearest command above it) declared; null for the default.</summary>
    public TimeSpan? DeclaredBackstop(ParseResult parse)
    {
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            if (_backstops.TryGetValue(result.Command, out var limit))
            {
                return limit;
            }
        }
        return null;
    }

    /// <summary>Applies a command's declared backstop (<see cref="DeclareBackstop"/>) before it runs.</summary>
    public Action<TimeSpan>? ExtendBackstop { get; init; }

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public Func<string, string?> Environment { get; } = environment;

    /// <summary>True when standard error is a terminal (a person watching); false under cron, systemd and tests.</summary>
    public bool ErrorIsTerminal { get; init; }

    /// <summary>
    /// Moves the process's last-resort backstop timer (Program.cs) to this far from now; infinite turns it off.
    /// For commands whose own budget is longer than the backstop (the watchdog), which must bound themselves instead.
    /// </summary>
    public Action<TimeSpan>? RearmBackstop { get; init; }

    /// <summary>Kernel and state roots; the KVMTOOL_*_ROOT/DIR variables exist for tests and packagers.</summary>
    public SystemPaths Paths { get; } = SystemPaths.FromEnvironment(environment);

    /// <summary>Loads the configuration once, on first use, so commands that need none pay nothing for it.</summary>
    public LoadedConfig Config(ParseResult parse)
    {
        if (_config is null)
        {
            string? fromOption = parse.GetValue(ConfigOption);
            string? fromEnv = Environment("KVMTOOL_CONFIG");
            string path = ConfigPath(parse);
            string? stamp = ConfigIndex.StampOf(path, out _);
            _config = ConfigLoader.Load(path, explicitPath: fromOption is not null || fromEnv is not null);
            if (stamp is not null)
            {
                // What lets the next status poll skip YAML: see ConfigIndex and the kvmtool executable's quick path.
                ConfigIndex.Refresh(Paths, CliApp.Version, path, stamp, _config.Model);
            }
        }
        return _config;
    }

    public string ConfigPath(ParseResult parse) =>
        parse.GetValue(ConfigOption) ?? Environment("KVMTOOL_CONFIG") ?? Paths.DefaultConfig;
}
