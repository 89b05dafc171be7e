using System.Globalization;
using System.Text.RegularExpressions;

namespace KvmTools.Core.Usb;

/// <summary>Which form of selector the user gave.</summary>
public enum UsbSelectorKind
{
    Id,
    BusDevice,
    PortPath,
    Serial,
    Product,
    Node,
    Name,
}

/// <summary>
/// How the user names a USB device: usbreset's forms (VID:PID, BBB/DDD, a product string, SN:serial), a port
/// path (1-1.4), a device node (/dev/video0, /dev/kvmd-video) or a name from kvmtool.yaml. Every criterion
/// that is set must match.
/// </summary>
public sealed partial record UsbSelector(string Text, UsbSelectorKind Kind)
{
    public ushort? VendorId { get; init; }
    public ushort? ProductId { get; init; }
    public int? Bus { get; init; }
    public int? Device { get; init; }
    public string? PortPath { get; init; }
    public string? Serial { get; init; }
    public string? Product { get; init; }

    /// <summary>A device node as given (/dev/video0); matched against the nodes and their /dev symlinks.</summary>
    public string? Node { get; init; }

    /// <summary>The kvmtool.yaml name this selector came from.</summary>
    public string? Name { get; init; }

    /// <summary>The named device's reset-method, used when --method is not given.</summary>
    public UsbResetMethod? ResetMethod { get; init; }

    public static UsbSelector Parse(string text, UsbConfig config)
    {
        string t = text.Trim();
        if (t.Length == 0)
        {
            throw new UsageException("The USB device selector is empty.", SelectorHint);
        }
        var devfs = DevfsNodePattern().Match(t);
        if (devfs.Success)
        {
            return new UsbSelector(t, UsbSelectorKind.BusDevice) { Bus = Int(devfs.Groups[1].Value), Device = Int(devfs.Groups[2].Value) };
        }
        if (t.StartsWith('/'))
        {
            return new UsbSelector(t, UsbSelectorKind.Node) { Node = t };
        }
        if (t.StartsWith("SN:", StringComparison.Ordinal))
        {
            return t.Length > 3
                ? new UsbSelector(t, UsbSelectorKind.Serial) { Serial = t[3..] }
                : throw new UsageException("'SN:' needs the serial number after it.", "Write SN:0123456789 ('kvmtool usb list' shows serials).");
        }
        if (TryParseId(t, out ushort vid, out ushort pid))
        {
            return new UsbSelector(t, UsbSelectorKind.Id) { VendorId = vid, ProductId = pid };
        }
        var busDev = BusDevicePattern().Match(t);
        if (busDev.Success)
        {
            return new UsbSelector(t, UsbSelectorKind.BusDevice) { Bus = Int(busDev.Groups[1].Value), Device = Int(busDev.Groups[2].Value) };
        }
        if (UsbInventory.PortPathPattern().IsMatch(t))
        {
            return new UsbSelector(t, UsbSelectorKind.PortPath) { PortPath = t };
        }
        if (config.Devices.TryGetValue(t, out var named))
        {
            return FromConfig(t, named);
        }
        return new UsbSelector(t, UsbSelectorKind.Product) { Product = t };
    }

    /// <summary>A named device from kvmtool.yaml (already validated by the loader).</summary>
    public static UsbSelector FromConfig(string name, UsbDeviceConfig device)
    {
        ushort? vid = null, pid = null;
        if (device.Id is not null && TryParseId(device.Id, out ushort v, out ushort p))
        {
            (vid, pid) = (v, p);
        }
        return new UsbSelector(name, UsbSelectorKind.Name)
        {
            Name = name,
            VendorId = vid,
            ProductId = pid,
            PortPath = device.UsbPort,
            Serial = device.Serial,
            Product = device.Product,
            Node = device.Device,
            ResetMethod = device.ResetMethod is not null && UsbResetMethods.TryParse(device.ResetMethod, out var m) ? m : null,
        };
    }

    /// <summary>VID:PID in hex, each optionally with 0x: 534d:2109, 0x534d:0x2109.</summary>
    public static bool TryParseId(string text, out ushort vendorId, out ushort productId)
    {
        vendorId = productId = 0;
        var m = IdPattern().Match(text.Trim());
        return m.Success
            && ushort.TryParse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out vendorId)
            && ushort.TryParse(m.Groups[2].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out productId);
    }

    /// <summary>Whether <paramref name="device"/> matches; <paramref name="nodeTarget"/> is where <see cref="Node"/> finally points.</summary>
    public bool Matches(UsbDevice device, string? mappedNode, string? nodeTarget)
    {
        if (VendorId is ushort v && device.VendorId != v)
        {
            return false;
        }
        if (ProductId is ushort p && device.ProductId != p)
        {
            return false;
        }
        if (Bus is int b && device.BusNumber != b)
        {
            return false;
        }
        if (Device is int d && device.DeviceNumber != d)
        {
            return false;
        }
        if (PortPath is not null && device.PortPath != PortPath)
        {
            return false;
        }
        if (Serial is not null && !string.Equals(device.Serial, Serial, StringComparison.Ordinal))
        {
            return false;
        }
        if (Product is not null && !string.Equals(device.Product?.Trim(), Product.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (Node is not null && !device.Nodes.Any(n =>
                n.Path == nodeTarget || n.Path == mappedNode || (mappedNode is not null && n.Aliases.Contains(mappedNode))))
        {
            return false;
        }
        return true;
    }

    /// <summary>The selector as the user wrote it, with what a name stands for.</summary>
    public string Describe()
    {
        if (Kind != UsbSelectorKind.Name)
        {
            return Kind == UsbSelectorKind.Product ? $"product \"{Text}\"" : Text;
        }
        var parts = new List<string>();
        if (VendorId is not null)
        {
            parts.Add($"id {VendorId:x4}:{ProductId:x4}");
        }
        if (PortPath is not null)
        {
            parts.Add("usb-port " + PortPath);
        }
        if (Serial is not null)
        {
            parts.Add("serial " + Serial);
        }
        if (Product is not null)
        {
            parts.Add($"product \"{Product}\"");
        }
        if (Node is not null)
        {
            parts.Add("device " + Node);
        }
        return $"'{Name}' ({string.Join(", ", parts)})";
    }

    public const string SelectorHint =
        "Give VID:PID (534d:2109), BBB/DDD (001/005), a port path (1-1.4), SN:serial, a product string, " +
        "a device node (/dev/video0) or a name from kvmtool.yaml; 'kvmtool usb list' shows them all.";

    private static int Int(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    [GeneratedRegex("^(?:0[xX])?([0-9a-fA-F]{1,4}):(?:0[xX])?([0-9a-fA-F]{1,4})$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^([0-9]{1,3})/([0-9]{1,3})$")]
    private static partial Regex BusDevicePattern();

    [GeneratedRegex("^/dev/bus/usb/([0-9]{1,3})/([0-9]{1,3})$")]
    private static partial Regex DevfsNodePattern();
}
