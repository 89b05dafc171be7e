using KvmTools.Core.Config;

namespace KvmTools.Core.Kvmd;

/// <summary>
/// The argv each built-in button and indicator kind runs: the interface between kvmtool and kvmd, in one place
/// (README, "The command lines kvmd runs"). kvmd execs these as user kvmd with cwd /, kvmd's own environment
/// (no KVMTOOL_CONFIG), no shell, no PATH lookup and no timeout, and logs their merged stdout and stderr: at
/// INFO when they exit 0, at ERROR otherwise. So:
/// <list type="bullet">
/// <item>Every line names its devices by their kvmtool.yaml names, so an edit of kvmtool.yaml reaches the buttons
/// at once, and carries <c>--config FILE</c> (absolute) unless the file is the default one.</item>
/// <item>Indicators (cmdret) carry <c>--quiet</c>: the exit status is the answer (0 true, 1 false) and they print
/// nothing, so a page connect leaves kvmd's log silent; any other exit status is a failure, and its message
/// reaches kvmd's log once per poll.</item>
/// <item>Buttons (cmd) print one line saying what they did (INFO in kvmd's log) and exit 0, or print the error
/// and exit with its code (ERROR, and kvmd reports the button as failed).</item>
/// <item>A button that needs root (a USB reset may rebind drivers, deauthorize a device or switch a hub port's
/// power) runs as <c>/usr/bin/sudo --non-interactive LINE</c>; 'gpio apply' installs a sudo rule for exactly
/// those lines (<see cref="SudoRules"/>).</item>
/// </list>
/// </summary>
/// <param name="Kvmtool">The installed kvmtool executable, absolute.</param>
/// <param name="ConfigPath">The kvmtool.yaml the commands must read; null for the default file.</param>
public sealed record KvmdCommandLines(string Kvmtool, string? ConfigPath)
{
    public static readonly IReadOnlyList<string> RelayActions = ["pulse", "on", "off"];

    /// <summary>What runs a root button's line; kvmd does no PATH lookup. Debian and Arch both install it here.</summary>
    public const string SudoPath = "/usr/bin/sudo";

    /// <summary>Never asks for a password: without a matching rule sudo fails at once, with a message kvmd logs.</summary>
    public const string SudoNonInteractive = "--non-interactive";

    /// <summary>The option that makes an indicator answer by its exit status alone.</summary>
    public const string QuietOption = "--quiet";

    /// <summary>
    /// The lines for <paramref name="config"/>: they name its file when it is not the default one, because kvmd
    /// passes no KVMTOOL_CONFIG and runs them from '/'.
    /// </summary>
    public static KvmdCommandLines For(string kvmtool, string? configPath) =>
        new(kvmtool, configPath is null || configPath == ConfigLoader.DefaultPath ? null : Path.GetFullPath(configPath));

    /// <summary>kvmtool relay NAME pulse|on|off.</summary>
    public string[] Relay(string relay, string action) => Line("relay", relay, action);

    /// <summary>kvmtool relay NAME status --quiet: exit 0 while the relay is on, 1 while off or unknown.</summary>
    public string[] RelayStatus(string relay) => Line("relay", relay, "status", QuietOption);

    /// <summary>kvmtool switch PORT --switch NAME.</summary>
    public string[] SwitchTo(string switchName, string port) => Line("switch", port, "--switch", switchName);

    /// <summary>kvmtool switch is PORT --switch NAME --quiet: exit 0 while PORT is active (no device I/O).</summary>
    public string[] SwitchIs(string switchName, string port) => Line("switch", "is", port, "--switch", switchName, QuietOption);

    /// <summary>sudo --non-interactive kvmtool usb reset NAME: every method but ioctl, and auto's later steps, need root.</summary>
    public string[] UsbReset(string device) => AsRoot(Line("usb", "reset", device));

    /// <summary>kvmtool usb status NAME --quiet: exit 0 while the device is present and authorized (sysfs only).</summary>
    public string[] UsbStatus(string device) => Line("usb", "status", device, QuietOption);

    /// <summary>kvmtool ch9329 reset.</summary>
    public string[] Ch9329Reset() => Line("ch9329", "reset");

    /// <summary>The line sudo runs for a root button's <paramref name="argv"/>; null for a button that runs as kvmd.</summary>
    public static IReadOnlyList<string>? RootLine(IReadOnlyList<string> argv) =>
        argv.Count > 2 && argv[0] == SudoPath && argv[1] == SudoNonInteractive ? argv.Skip(2).ToList() : null;

    private static string[] AsRoot(string[] line) => [SudoPath, SudoNonInteractive, .. line];

    private string[] Line(params string[] words) =>
        ConfigPath is null ? [Kvmtool, .. words] : [Kvmtool, .. words, "--config", ConfigPath];
}
