namespace KvmTools.Core.Switching;

/// <summary>How kvmtool drives a switch, and so whether it can know the active input or must count.</summary>
public enum SwitchBackend
{
    /// <summary>A relay across the switch's push button; each press advances one input; the input is counted.</summary>
    RelayButton,
    /// <summary>A GPIO line on the switch's push button; counted like <see cref="RelayButton"/>.</summary>
    GpioButton,
    /// <summary>GPIO lines drive the select inputs directly; set and read back exactly.</summary>
    GpioSelect,
    /// <summary>A TESmart KVM on RS-232 or the LAN; reports its active port.</summary>
    Tesmart,
    /// <summary>An ezcoo KVM on its USB serial port; reports its active input.</summary>
    Ezcoo,
}

public static class SwitchBackends
{
    public static SwitchBackend Parse(string name) => name switch
    {
        "relay-button" => SwitchBackend.RelayButton,
        "gpio-button" => SwitchBackend.GpioButton,
        "gpio-select" => SwitchBackend.GpioSelect,
        "tesmart" => SwitchBackend.Tesmart,
        "ezcoo" => SwitchBackend.Ezcoo,
        _ => throw new UsageException($"Unknown switch backend '{name}'.", "Use relay-button, gpio-button, gpio-select, tesmart or ezcoo."),
    };

    public static string Name(SwitchBackend backend) => backend switch
    {
        SwitchBackend.RelayButton => "relay-button",
        SwitchBackend.GpioButton => "gpio-button",
        SwitchBackend.GpioSelect => "gpio-select",
        SwitchBackend.Tesmart => "tesmart",
        _ => "ezcoo",
    };

    /// <summary>Button backends cannot ask the switch; kvmtool counts presses from a known starting input.</summary>
    public static bool IsCounted(SwitchBackend backend) => backend is SwitchBackend.RelayButton or SwitchBackend.GpioButton;
}

/// <summary>How long a press holds the button and how long to wait before the next.</summary>
public readonly record struct SwitchTimings(TimeSpan Press, TimeSpan Gap)
{
    /// <summary>
    /// The 8-pin MCUs of cheap HDMI switches debounce their button for some tens of milliseconds and then
    /// switch the mux; 150 ms closed and 350 ms open is counted reliably with margin on both sides.
    /// </summary>
    public static readonly TimeSpan DefaultPress = TimeSpan.FromMilliseconds(150);

    public static readonly TimeSpan DefaultGap = TimeSpan.FromMilliseconds(350);

    public static SwitchTimings From(SwitchConfig config) => new(
        config.PressMs is int p ? TimeSpan.FromMilliseconds(p) : DefaultPress,
        config.GapMs is int g ? TimeSpan.FromMilliseconds(g) : DefaultGap);
}
