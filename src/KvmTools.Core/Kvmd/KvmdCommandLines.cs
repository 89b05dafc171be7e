namespace KvmTools.Core.Kvmd;

/// <summary>
/// The argv each built-in button and indicator kind runs: kvmtool's own command-line contracts, in one place.
/// kvmd execs these as user kvmd with cwd /, no shell, no PATH lookup and no timeout.
/// </summary>
public static class KvmdCommandLines
{
    public static readonly IReadOnlyList<string> RelayActions = ["pulse", "on", "off"];

    /// <summary>kvmtool relay NAME pulse|on|off.</summary>
    public static string[] Relay(string kvmtool, string relay, string action) => [kvmtool, "relay", relay, action];

    /// <summary>kvmtool relay NAME status: exit 0 while the relay is on.</summary>
    public static string[] RelayStatus(string kvmtool, string relay) => [kvmtool, "relay", relay, "status"];

    /// <summary>kvmtool switch PORT --switch NAME.</summary>
    public static string[] SwitchTo(string kvmtool, string switchName, string port) => [kvmtool, "switch", port, "--switch", switchName];

    /// <summary>kvmtool switch is PORT --switch NAME: exit 0 while PORT is active (no device I/O).</summary>
    public static string[] SwitchIs(string kvmtool, string switchName, string port) => [kvmtool, "switch", "is", port, "--switch", switchName];

    /// <summary>kvmtool usb reset NAME.</summary>
    public static string[] UsbReset(string kvmtool, string device) => [kvmtool, "usb", "reset", device];

    /// <summary>kvmtool usb status NAME: exit 0 while the device is present and authorized (sysfs only).</summary>
    public static string[] UsbStatus(string kvmtool, string device) => [kvmtool, "usb", "status", device];

    /// <summary>kvmtool ch9329 reset.</summary>
    public static string[] Ch9329Reset(string kvmtool) => [kvmtool, "ch9329", "reset"];
}
