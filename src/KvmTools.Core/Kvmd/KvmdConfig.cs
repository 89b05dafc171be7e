using YamlDotNet.Serialization;

namespace KvmTools.Core.Kvmd;

/// <summary>
/// The 'kvmd:' section of kvmtool.yaml: the buttons and indicators to put on kvmd's web page, and where
/// kvmd's GPIO override lives. 'kvmtool gpio generate' turns it into kvmd drivers, channels and a view table.
/// </summary>
[YamlSerializable]
public sealed class KvmdConfig
{
    public const string DefaultKvmtoolPath = "/usr/bin/kvmtool";
    public const string DefaultOverrideDir = "/etc/kvmd/override.d";
    public const string DefaultTitle = "GPIO";

    /// <summary>The installed kvmtool, as kvmd must exec it: an absolute path (kvmd does no PATH lookup).</summary>
    public string? KvmtoolPath { get; set; }

    /// <summary>kvmd's override.d directory; gpio.yaml is written there.</summary>
    public string? OverrideDir { get; set; }

    /// <summary>Where replaced files are kept; never inside override.d, which kvmd loads whole.</summary>
    public string? BackupDir { get; set; }

    /// <summary>The GPIO menu's title on kvmd's page.</summary>
    public string? Title { get; set; }

    public Dictionary<string, KvmdButtonConfig?> Buttons { get; set; } = [];

    public Dictionary<string, KvmdIndicatorConfig?> Indicators { get; set; } = [];

    /// <summary>The menu's rows: "#Text" is a label, "" an empty cell, anything else a button or indicator name.</summary>
    public List<List<string>?>? Layout { get; set; }
}

/// <summary>A web button: one kind (relay, switch + port, usb-reset, ch9329-reset or argv) plus how it looks.</summary>
[YamlSerializable]
public sealed class KvmdButtonConfig
{
    /// <summary>The button's text (default: its name).</summary>
    public string? Label { get; set; }

    /// <summary>Ask "are you sure?" before running.</summary>
    public bool? Confirm { get; set; }

    /// <summary>An indicator shown beside the button in the default layout.</summary>
    public string? Indicator { get; set; }

    /// <summary>A relay named under 'relays:'; with <see cref="Action"/> pulse (default), on or off.</summary>
    public string? Relay { get; set; }

    public string? Action { get; set; }

    /// <summary>A KVM switch named under 'switches:'; with <see cref="Port"/>.</summary>
    public string? Switch { get; set; }

    /// <summary>The switch port to select: a number or a port name.</summary>
    public string? Port { get; set; }

    /// <summary>A USB device named under 'usb:' to reset.</summary>
    public string? UsbReset { get; set; }

    /// <summary>true: reset the CH9329 keyboard/mouse chip.</summary>
    public bool? Ch9329Reset { get; set; }

    /// <summary>Anything else: the exact command, argv[0] an absolute path.</summary>
    public List<string>? Argv { get; set; }
}

/// <summary>A web indicator (a coloured dot): one kind (relay, switch + port, capture-healthy or argv).</summary>
[YamlSerializable]
public sealed class KvmdIndicatorConfig
{
    /// <summary>The text beside the indicator when it has a row of its own (default: its name).</summary>
    public string? Label { get; set; }

    /// <summary>green (default), yellow, red, blue, cyan, magenta, pink or white.</summary>
    public string? Colour { get; set; }

    /// <summary>On while this relay is on.</summary>
    public string? Relay { get; set; }

    /// <summary>On while this switch's active port is <see cref="Port"/>.</summary>
    public string? Switch { get; set; }

    public string? Port { get; set; }

    /// <summary>On while this USB device (the capture dongle) is present and authorized.</summary>
    public string? CaptureHealthy { get; set; }

    /// <summary>Anything else: a command whose exit code 0 means on. It must be quick and never hang.</summary>
    public List<string>? Argv { get; set; }
}
