using KvmTools.Core.Relays;
using KvmTools.Core.Switching;
using KvmTools.Core.Usb;

namespace KvmTools.Core.Kvmd;

/// <summary>An indicator's answer: the word printed, and whether the input reads as true (exit status 0).</summary>
public readonly record struct IndicatorAnswer(string Word, bool IsTrue);

/// <summary>
/// The queries behind kvmd's cmdret inputs (see <see cref="KvmdCommandLines"/>): relay status, switch is,
/// usb status. kvmd re-runs every one of them whenever a page connects or any GPIO state changes, so they read
/// sysfs and kvmtool's state files only (a dcttech board, which can report its state, is asked). The full
/// command line answers through here; the kvmtool executable's quick path (Polling/) words its answers here too.
/// </summary>
public static class IndicatorQueries
{
    /// <summary>on, off or unknown; true only when the relay is known to be on.</summary>
    public static IndicatorAnswer Relay(RelayState state) => state switch
    {
        RelayState.On => new("on", true),
        RelayState.Off => new("off", false),
        _ => new("unknown", false),
    };

    /// <summary>active, not active or unknown (<paramref name="activePort"/> null): whether <paramref name="port"/> is the active input.</summary>
    public static IndicatorAnswer Switch(int? activePort, int port) => activePort switch
    {
        int active when active == port => new("active", true),
        int => new("not active", false),
        null => new("unknown", false),
    };

    /// <summary>present (and authorized), not authorized, or missing (<paramref name="authorized"/> null).</summary>
    public static IndicatorAnswer Usb(bool? authorized) => authorized switch
    {
        true => new("present", true),
        false => new("not authorized", false),
        null => new("missing", false),
    };

    /// <summary>Whether <paramref name="port"/> is the switch's active input, from its state file.</summary>
    public static IndicatorAnswer SwitchIs(SwitchStateStore store, SwitchDefinition sw, int port) => Switch(store.Load(sw).Port, port);

    /// <summary>Whether the device is attached and authorized: an absent device is an answer, not an error.</summary>
    public static IndicatorAnswer UsbStatus(UsbLookup usb, string selector)
    {
        IReadOnlyList<UsbDevice> found;
        try
        {
            found = usb.Resolve(selector);
        }
        catch (NotFoundException)
        {
            return Usb(null);
        }
        return Usb(found.All(d => d.Authorized));
    }
}
