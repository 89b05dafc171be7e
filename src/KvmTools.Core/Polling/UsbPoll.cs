using System.Globalization;
using KvmTools.Core.Config;
using KvmTools.Core.Kvmd;
using KvmTools.Core.Linux;
using KvmTools.Core.Usb;

namespace KvmTools.Core.Polling;

/// <summary>
/// 'usb status NAME' for a USB device named in kvmtool.yaml by id, port path, serial and/or product: the devices
/// as UsbInventory names them and UsbDeviceInfo reads them, matched as UsbSelector.Matches matches a named device
/// (UsbSelector itself, a record with every selector form, costs the kvmtool executable ~70 KB of start-up).
/// Null whenever the full command line must answer: other selector forms, a device given by node, several
/// devices matching.
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

        var inventory = new UsbInventory(paths);
        bool? authorized = null;
        foreach (string name in SmallFile.List(inventory.DevicesDir) ?? [])
        {
            if (name.Contains(':', StringComparison.Ordinal) || inventory.DeviceDirectory(name) is not { } dir ||
                UsbDeviceInfo.TryRead(dir) is not { } device)
            {
                continue;
            }
            // UsbSelector.Matches for a named device without a node.
            if ((vendor is ushort v && v != device.VendorId) || (product is ushort p && p != device.ProductId) ||
                (usbPort is not null && device.PortPath != usbPort) ||
                (serial is not null && !string.Equals(device.Serial, serial, StringComparison.Ordinal)) ||
                (productName is not null && !string.Equals(device.Product?.Trim(), productName.Trim(), StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }
            if (authorized is not null)
            {
                return null; // several match: the full command line says which
            }
            authorized = UsbInventory.IsAuthorized(dir);
        }
        return IndicatorQueries.Usb(authorized);
    }

    private static ushort? Hex(string? text) =>
        ushort.TryParse(text, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ushort value) ? value : null;
}
