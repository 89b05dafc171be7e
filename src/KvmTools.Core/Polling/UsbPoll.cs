using System.Globalization;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;

namespace KvmTools.Core.Polling;

/// <summary>
/// 'usb status NAME' for a USB device named in kvmtool.yaml by id, port path, serial and/or product: the same
/// matching as UsbLookup over sysfs read with <see cref="PollFiles"/>. Null whenever the full command line must
/// answer: other selector forms, a device given by node, several devices matching.
/// </summary>
public static class UsbPoll
{
    public static IndicatorAnswer? Status(SystemPaths paths, List<string?[]> index, string selector)
    {
        // UsbSelector.Parse reads these forms before it looks for a name: leave them to it.
        if (selector.Length == 0 || selector != selector.Trim() || char.IsAsciiDigit(selector[0]) ||
            selector.Contains(':', StringComparison.Ordinal) || selector.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }
        string?[]? entry = null;
        foreach (var e in index)
        {
            if (e[0] == ConfigIndex.UsbKind && e[ConfigIndex.UsbField.Name] == selector)
            {
                entry = e;
            }
        }
        if (entry is null || entry[ConfigIndex.UsbField.Device] is not null)
        {
            return null;
        }
        ushort? vendor = Hex(entry[ConfigIndex.UsbField.VendorId]);
        ushort? product = Hex(entry[ConfigIndex.UsbField.ProductId]);
        string? usbPort = entry[ConfigIndex.UsbField.UsbPort];
        string? serial = entry[ConfigIndex.UsbField.Serial];
        string? productName = entry[ConfigIndex.UsbField.Product];

        string devices = paths.Sys("bus", "usb", "devices");
        bool? authorized = null;
        foreach (string name in PollFiles.List(devices) ?? [])
        {
            if (name.Contains(':', StringComparison.Ordinal) || !Directory.Exists(Path.Combine(devices, name)) ||
                PollFiles.RealPath(Path.Combine(devices, name)) is not { } dir)
            {
                continue;
            }
            if (!int.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "busnum")), out _) ||
                !int.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "devnum")), out _) ||
                !ushort.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "idVendor")), NumberStyles.HexNumber, null, out ushort vid) ||
                !ushort.TryParse(PollFiles.ReadTrimmed(Path.Combine(dir, "idProduct")), NumberStyles.HexNumber, null, out ushort pid))
            {
                continue;
            }
            if ((vendor is ushort v && v != vid) || (product is ushort p && p != pid) ||
                (usbPort is not null && Path.GetFileName(dir.TrimEnd('/')) != usbPort) ||
                (serial is not null && !string.Equals(PollFiles.ReadTrimmed(Path.Combine(dir, "serial")), serial, StringComparison.Ordinal)) ||
                (productName is not null && !string.Equals(PollFiles.ReadTrimmed(Path.Combine(dir, "product")), productName.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            if (authorized is not null)
            {
                return null; // several match: the full command line says which
            }
            authorized = PollFiles.ReadTrimmed(Path.Combine(dir, "authorized")) != "0";
        }
        return IndicatorQueries.Usb(authorized);
    }

    private static ushort? Hex(string? text) =>
        ushort.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort value) ? value : null;
}
