using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;

namespace KvmTools.Core.Polling;

/// <summary>
/// 'relay N status' for LCUS HID boards, the write-only boards whose state lives in kvmtool's state file: the
/// boards as HidrawEnumerator and RelayDiscovery.DetectFamily see them, picked as RelayDiscovery.Select picks
/// them, and the state as RelayStateStore keeps it, without RelayDiscovery's error reports (and their size).
/// Null whenever the full command line must answer: a dcttech or serial board (device I/O), no single matching
/// board, a channel out of range, an unreadable file; it then also gives the error.
/// </summary>
public static class RelayPoll
{
    public static IndicatorAnswer? LcusStatus(SystemPaths paths, string? device, string? serial, string? usbPort, int? channels, int channel)
    {
        var hidraw = new HidrawEnumerator(paths);
        IReadOnlyList<HidrawInfo> candidates;
        if (device is not null)
        {
            string name = SmallFile.RealPath(paths.MapDevPath(device)) is { } node ? Path.GetFileName(node) : "";
            if (!name.StartsWith("hidraw", StringComparison.Ordinal) || hidraw.TryRead(name) is not { } hid)
            {
                return null;
            }
            candidates = [hid];
        }
        else
        {
            candidates = hidraw.List();
        }

        HidrawInfo? match = null;
        foreach (var hid in candidates)
        {
            switch (RelayDiscovery.DetectFamily(hid))
            {
                case RelayFamily.None when device is null:
                    continue;
                case RelayFamily.LcusHid:
                    break;
                default:
                    return null; // a dcttech board (selecting among those reads their ids), or --device not a relay
            }
            if ((serial is null || string.Equals(hid.Serial, serial, StringComparison.Ordinal)) &&
                (usbPort is null || string.Equals(hid.Usb?.PortPath, usbPort, StringComparison.Ordinal)))
            {
                if (match is not null)
                {
                    return null;
                }
                match = hid;
            }
        }
        if (match is null || channel < 1 || channel > (channels ?? RelayDiscovery.LcusDefaultChannels))
        {
            return null;
        }

        string key = RelayBoardInfo.StateKeyOf(RelayFamily.LcusHid, match.Usb?.PortPath, match.DevicePath);
        switch (SmallFile.Read(new RelayStateStore(paths).PathFor(key), out string text))
        {
            case SmallFileRead.Missing:
                return IndicatorQueries.Relay(RelayState.Unknown);
            case SmallFileRead.Failed:
                return null;
        }
        return RelayStateStore.Parse(text, RelayDiscovery.Identity(match.Usb)).TryGetValue(channel, out bool on)
            ? IndicatorQueries.Relay(on ? RelayState.On : RelayState.Off)
            : IndicatorQueries.Relay(RelayState.Unknown);
    }
}
