using KvmTools.Core.Usb;
using YamlDotNet.Serialization;

namespace KvmTools.Core.Config;

/// <summary>
/// kvmtool.yaml: the user's devices, named once, so that every command and the kvmd generator can refer
/// to them by name. Each capability owns one top-level section; keys are written in kebab-case.
/// </summary>
[YamlSerializable]
public sealed class KvmToolConfig
{
    /// <summary>The schema version this build reads; files may state it with 'version: 1'.</summary>
    public const int SchemaVersion = 1;

    /// <summary>The file's schema version (optional).</summary>
    public int? Version { get; set; }

    /// <summary>Named relay channels: a board (how to find it) and a channel on it.</summary>
    public Dictionary<string, RelayConfig> Relays { get; set; } = [];

    /// <summary>KVM/HDMI switches: how each is driven (a relay or GPIO on its button, select lines, a serial protocol).</summary>
    public Dictionary<string, Switching.SwitchConfig> Switches { get; set; } = [];

    /// <summary>The CH9329 keyboard/mouse chip: its serial port, baud rate and address.</summary>
    public Ch9329.Ch9329Config? Ch9329 { get; set; }

    /// <summary>The capture-path watchdog: checks, recovery ladder, limits.</summary>
    public Watchdog.WatchdogConfig? Watchdog { get; set; }

    /// <summary>Named USB devices for 'kvmtool usb reset NAME' (and the watchdog).</summary>
    public UsbConfig Usb { get; set; } = new();

    /// <summary>kvmd's web page: buttons, indicators and where the generated GPIO override goes.</summary>
    public Kvmd.KvmdConfig? Kvmd { get; set; }
}

/// <summary>One named relay channel, e.g. hdmi-button = channel 1 of the board at USB port 1-1.4.</summary>
[YamlSerializable]
public sealed class RelayConfig
{
    /// <summary>The board's USB port path (see 'kvmtool relay list'); stable across reboots.</summary>
    public string? UsbPort { get; set; }

    public string? Serial { get; set; }

    /// <summary>A /dev/hidrawN node or a udev symlink to one.</summary>
    public string? Device { get; set; }

    /// <summary>A serial port, for LCUS boards on a CH340 chip.</summary>
    public string? Port { get; set; }

    /// <summary>lcus or dcttech, for a board whose USB id kvmtool does not recognise.</summary>
    public string? Family { get; set; }

    public int? Channel { get; set; }

    /// <summary>How many channels the board has (LCUS boards cannot report it).</summary>
    public int? Channels { get; set; }

    /// <summary>Default pulse length for 'pulse' on this relay.</summary>
    public int? PulseMs { get; set; }
}
