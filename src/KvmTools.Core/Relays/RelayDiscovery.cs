using KvmTools.Core.Linux;

namespace KvmTools.Core.Relays;

/// <summary>Finds relay boards: HID boards through sysfs, serial boards by their tty.</summary>
public sealed class RelayDiscovery(SystemPaths paths, Func<HidrawInfo, IHidDevice> openHid)
{
    public const ushort LcusVendorId = 0x5131;
    public const ushort LcusProductId = 0x2007;

    /// <summary>LCUS boards cannot report their size; 8 covers every common board until the config says better.</summary>
    public const int LcusDefaultChannels = 8;

    private readonly HidrawEnumerator _hidraw = new(paths);

    /// <summary>Every HID relay board (and, with <paramref name="includeOthers"/>, every other HID device).</summary>
    /// <param name="readIds">Ask dcttech boards for their id (one feature report each).</param>
    public IReadOnlyList<RelayBoardInfo> ListHid(bool includeOthers = false, bool readIds = true)
    {
        var result = new List<RelayBoardInfo>();
        foreach (var hid in _hidraw.List())
        {
            var info = Classify(hid, null, readIds);
            if (info.IsRelay || includeOthers)
            {
                result.Add(info);
            }
        }
        return result;
    }

    /// <summary>Describes an LCUS board on a serial port; the port must exist.</summary>
    public RelayBoardInfo DescribeSerial(string port, int? channels)
    {
        string mapped = paths.MapDevPath(port);
        if (!File.Exists(mapped))
        {
            throw new NotFoundException($"The serial port {port} does not exist.",
                "Check the cable; 'ls /dev/ttyUSB* /dev/ttyACM*' lists the serial ports that are attached.");
        }
        string tty = Path.GetFileName(ResolveNode(mapped));
        string? sysDir = SysfsFile.ResolveDirectory(paths.Sys("class", "tty", tty, "device"));
        UsbDeviceInfo? usb = sysDir is null ? null : UsbDeviceInfo.FindAncestor(sysDir, paths.SysRoot);
        return new RelayBoardInfo(
            RelayFamily.LcusSerial, mapped, usb?.VendorId ?? 0, usb?.ProductId ?? 0, usb?.PortPath, usb?.Serial,
            channels ?? LcusDefaultChannels, channels is not null, usb?.Product, Identity(usb));
    }

    /// <summary>Picks exactly one board, or explains why it cannot.</summary>
    public RelayBoardInfo Select(BoardSelector selector)
    {
        if (selector.Port is not null)
        {
            return DescribeSerial(selector.Port, selector.Channels);
        }
        if (selector.Device is not null && !IsHidrawNode(selector.Device))
        {
            return DescribeSerial(selector.Device, selector.Channels);
        }

        List<RelayBoardInfo> candidates;
        if (selector.Device is not null)
        {
            candidates = [ByDevice(selector.Device, selector)];
        }
        else
        {
            candidates = ListHid(includeOthers: false, readIds: selector.Serial is not null)
                .Select(b => WithOverrides(b, selector)).ToList();
        }

        var matches = candidates.Where(b =>
            (selector.Serial is null || string.Equals(b.Serial, selector.Serial, StringComparison.Ordinal)) &&
            (selector.UsbPort is null || string.Equals(b.UsbPort, selector.UsbPort, StringComparison.Ordinal))).ToList();

        if (matches.Count == 1)
        {
            return matches[0];
        }
        if (matches.Count == 0)
        {
            string found = candidates.Count == 0
                ? "No relay board is attached (none of 5131:2007 or 16c0:05df USBRelay was found under /sys/class/hidraw)."
                : "Found: " + string.Join("; ", candidates.Select(b => b.Describe())) + ".";
            throw new NotFoundException(
                selector.IsEmpty ? "No relay board found. " + found : $"No relay board matches {selector.Describe()}. {found}",
                "Run 'kvmtool relay list --all' to see every HID device; for a serial LCUS board give --port /dev/ttyUSBn.");
        }
        throw new UsageException(
            $"{matches.Count} relay boards match {selector.Describe()}: " + string.Join("; ", matches.Select(b => b.Describe())) + ".",
            "Pick one with --usb-port (stable across reboots), --serial or --device, or name it in kvmtool.yaml.");
    }

    private RelayBoardInfo ByDevice(string device, BoardSelector selector)
    {
        string mapped = paths.MapDevPath(device);
        if (!File.Exists(mapped))
        {
            throw new NotFoundException($"The device {device} does not exist.",
                "Run 'kvmtool relay list' to see the relay boards that are attached.");
        }
        string name = Path.GetFileName(ResolveNode(mapped));
        var hid = _hidraw.TryRead(name) ?? throw new NotFoundException(
            $"{device} is not described under {paths.Sys("class", "hidraw", name)}.",
            "Give a /dev/hidrawN node of a relay board; 'kvmtool relay list --all' lists them.");
        var info = WithOverrides(Classify(hid, selector.Family, readIds: selector.Serial is not null), selector);
        if (!info.IsRelay)
        {
            throw new UsageException(
                $"{device} is {hid.Id} \"{hid.HidName}\", not a relay board kvmtool knows.",
                "If it speaks the LCUS or dcttech protocol anyway, add --family lcus or --family dcttech.");
        }
        return info;
    }

    private RelayBoardInfo Classify(HidrawInfo hid, RelayFamily? forced, bool readIds)
    {
        RelayFamily family = forced ?? DetectFamily(hid);
        int? channels = null;
        string? serial = hid.Serial;
        if (family == RelayFamily.Dcttech)
        {
            channels = DcttechProtocol.ChannelsFromName(hid.HidName) ?? DcttechProtocol.ChannelsFromName(hid.Usb?.Product);
            if (readIds)
            {
                serial = TryReadDcttechId(hid) ?? serial;
            }
        }
        int count = channels ?? (family == RelayFamily.Dcttech ? DcttechProtocol.MaxChannels : LcusDefaultChannels);
        return new RelayBoardInfo(family, hid.DevicePath, hid.VendorId, hid.ProductId, hid.Usb?.PortPath, serial,
            count, channels is not null, hid.HidName, Identity(hid.Usb));
    }

    /// <summary>What a HID device is by its bus, USB id and (for V-USB's shared id) its name.</summary>
    public static RelayFamily DetectFamily(HidrawInfo hid)
    {
        if (hid.Bus != HidrawInfo.BusUsb)
        {
            return RelayFamily.None;
        }
        if (hid.VendorId == LcusVendorId && hid.ProductId == LcusProductId)
        {
            return RelayFamily.LcusHid;
        }
        // 16c0:05df is V-USB's shared id: only the product name tells a relay from other hobby devices.
        if (hid.VendorId == DcttechProtocol.VendorId && hid.ProductId == DcttechProtocol.ProductId &&
            (DcttechProtocol.ChannelsFromName(hid.HidName) ?? DcttechProtocol.ChannelsFromName(hid.Usb?.Product)) is not null)
        {
            return RelayFamily.Dcttech;
        }
        return RelayFamily.None;
    }

    private string? TryReadDcttechId(HidrawInfo hid)
    {
        try
        {
            using var device = openHid(hid);
            return DcttechBoard.ReadState(device).BoardId;
        }
        catch (KvmToolException)
        {
            // Listing must not fail because one board cannot be opened; its id just stays unknown.
            return null;
        }
    }

    private static RelayBoardInfo WithOverrides(RelayBoardInfo info, BoardSelector selector) =>
        selector.Channels is int n && info.IsRelay ? info with { Channels = n, ChannelsKnown = true } : info;

    /// <summary>The board's bus/device number: a re-plugged board gets a new one (see RelayStateStore).</summary>
    public static string? Identity(UsbDeviceInfo? usb) => usb is null ? null : $"{usb.BusNumber}/{usb.DeviceNumber}";

    private static bool IsHidrawNode(string device) =>
        Path.GetFileName(ResolveNode(device)).StartsWith("hidraw", StringComparison.Ordinal);

    /// <summary>Follows udev symlinks such as /dev/kvmd-relay to the node itself.</summary>
    private static string ResolveNode(string path)
    {
        try
        {
            var target = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true);
            return target?.FullName ?? path;
        }
        catch (IOException)
        {
            return path;
        }
    }
}
