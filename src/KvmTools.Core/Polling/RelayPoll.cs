using System.Globalization;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;

namespace KvmTools.Core.Polling;

/// <summary>
/// 'relay N status' for LCUS HID boards, the write-only boards whose state lives in kvmtool's state file: the
/// same board selection (RelayDiscovery), state key and identity check (RelayStateStore) over <see cref="PollFiles"/>.
/// Null whenever the full command line must answer: a dcttech or serial board (device I/O), no single matching
/// board, a channel out of range, an unreadable file; it then also gives the error.
/// </summary>
public static class RelayPoll
{
    private const string DcttechId = "16c0:05df";

    public static IndicatorAnswer? LcusStatus(SystemPaths paths, string? device, string? serial, string? usbPort, int? channels, int channel)
    {
        var boards = new List<Board>();
        if (device is not null)
        {
            string mapped = paths.MapDevPath(device);
            string? node = PollFiles.RealPath(mapped);
            string name = node is null ? "" : Path.GetFileName(node);
            if (!name.StartsWith("hidraw", StringComparison.Ordinal) || Read(paths, name) is not { Lcus: true } board)
            {
                return null;
            }
            boards.Add(board);
        }
        else
        {
            foreach (string name in PollFiles.List(paths.Sys("class", "hidraw")) ?? [])
            {
                if (!name.StartsWith("hidraw", StringComparison.Ordinal) || Read(paths, name) is not { } board)
                {
                    continue;
                }
                if (board.Id == DcttechId)
                {
                    return null; // possibly a dcttech board: selecting among those reads their ids from the devices
                }
                if (board.Lcus)
                {
                    boards.Add(board);
                }
            }
        }

        Board? match = null;
        foreach (var board in boards)
        {
            if ((serial is null || string.Equals(board.Serial, serial, StringComparison.Ordinal)) &&
                (usbPort is null || string.Equals(board.UsbPort, usbPort, StringComparison.Ordinal)))
            {
                if (match is not null)
                {
                    return null;
                }
                match = board;
            }
        }
        if (match is null || channel < 1 || channel > (channels ?? RelayDiscovery.LcusDefaultChannels))
        {
            return null;
        }
        return State(paths, match, channel);
    }

    private static IndicatorAnswer? State(SystemPaths paths, Board board, int channel)
    {
        string key = board.UsbPort is not null ? "usb-" + board.UsbPort + "-hid" : "dev-" + board.Device.Trim('/').Replace('/', '_');
        switch (PollFiles.ReadText(Path.Combine(paths.RuntimeDir, "relays", key + ".state"), out string text))
        {
            case PollRead.Missing:
                return IndicatorQueries.Relay(RelayState.Unknown);
            case PollRead.Failed:
                return null;
        }
        string? identity = null;
        bool? on = null;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.EndsWith('\r') ? raw[..^1] : raw;
            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            string name = line[..eq];
            string value = line[(eq + 1)..];
            if (name == "identity")
            {
                identity = value;
            }
            else if (value is "on" or "off" && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int ch) && ch == channel)
            {
                on = value == "on";
            }
        }
        if (!string.Equals(identity ?? "", board.Identity ?? "", StringComparison.Ordinal) || on is null)
        {
            return IndicatorQueries.Relay(RelayState.Unknown);
        }
        return IndicatorQueries.Relay(on.Value ? RelayState.On : RelayState.Off);
    }

    /// <summary>One hidraw node as HidrawEnumerator and RelayDiscovery see it; null when sysfs does not describe it.</summary>
    private static Board? Read(SystemPaths paths, string name)
    {
        string node = paths.Sys("class", "hidraw", name);
        string? hidId = null, uniq = null;
        if (PollFiles.ReadText(Path.Combine(node, "device", "uevent"), out string uevent) == PollRead.Read)
        {
            foreach (string line in uevent.Split('\n'))
            {
                int eq = line.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }
                string key = line[..eq];
                if (key == "HID_ID")
                {
                    hidId = line[(eq + 1)..].Trim();
                }
                else if (key == "HID_UNIQ")
                {
                    uniq = line[(eq + 1)..].Trim();
                }
            }
        }
        if (hidId is null || !HidrawEnumerator.TryParseHidId(hidId, out ushort bus, out ushort vid, out ushort pid))
        {
            return null;
        }
        string id = vid.ToString("x4", CultureInfo.InvariantCulture) + ":" + pid.ToString("x4", CultureInfo.InvariantCulture);
        bool lcus = bus == HidrawInfo.BusUsb && vid == RelayDiscovery.LcusVendorId && pid == RelayDiscovery.LcusProductId;
        string? portPath = null, identity = null, usbSerial = null;
        if (Directory.Exists(node) && PollFiles.RealPath(node) is { } resolved)
        {
            // Up to the USB device that owns the interface: the first directory with a readable busnum/devnum/ids.
            string root = Path.GetFullPath(paths.SysRoot).TrimEnd('/');
            for (string? dir = resolved; dir is not null && dir.Length > root.Length; dir = Path.GetDirectoryName(dir))
            {
                if (int.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "busnum")), out int busNumber) &&
                    int.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "devnum")), out int devNumber) &&
                    ushort.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "idVendor")), NumberStyles.HexNumber, null, out _) &&
                    ushort.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "idProduct")), NumberStyles.HexNumber, null, out _))
                {
                    portPath = Path.GetFileName(dir.TrimEnd('/'));
                    identity = busNumber.ToString(CultureInfo.InvariantCulture) + "/" + devNumber.ToString(CultureInfo.InvariantCulture);
                    usbSerial = PollFiles.ReadTrimmed(Path.Combine(dir, "serial"));
                    break;
                }
            }
        }
        string? serial = string.IsNullOrWhiteSpace(uniq) ? usbSerial : uniq;
        return new Board(id, lcus, paths.Dev(name), portPath, serial, identity);
    }

    private sealed class Board(string id, bool lcus, string device, string? usbPort, string? serial, string? identity)
    {
        public string Id { get; } = id;
        public bool Lcus { get; } = lcus;
        public string Device { get; } = device;
        public string? UsbPort { get; } = usbPort;
        public string? Serial { get; } = serial;
        public string? Identity { get; } = identity;
    }
}
