namespace KvmTools.Core.Usb;

/// <summary>
/// Whether the device at a port is the one that was there, in the state it was in: same VID:PID (and serial),
/// authorized, every interface driver bound again, as many nodes of each kind present under /dev, and the
/// /dev symlinks pointing at it again. Node numbers may change (video0 may come back as video2).
/// </summary>
public static class UsbHealth
{
    /// <summary>Userspace claims (libusb); a reset ends them, and no kernel driver brings them back.</summary>
    public const string UserspaceDriver = "usbfs";

    /// <summary>What is still missing; empty when the device is back and healthy.</summary>
    public static List<string> Missing(UsbResetTarget target, UsbDevice? now)
    {
        var missing = new List<string>();
        UsbDevice? before = target.Before;
        if (now is null)
        {
            missing.Add($"nothing is attached at {target.PortPath}");
            return missing;
        }
        if (target.VendorId is ushort vid && (now.VendorId != vid || now.ProductId != target.ProductId))
        {
            missing.Add($"{target.PortPath} now holds {now.Id}, not {vid:x4}:{target.ProductId:x4}");
            return missing;
        }
        if (before?.Serial is not null && now.Serial != before.Serial)
        {
            missing.Add($"{target.PortPath} now holds serial {now.Serial ?? "(none)"}, not {before.Serial}");
            return missing;
        }
        if (!now.Authorized)
        {
            missing.Add($"{target.PortPath} is not authorized");
        }
        if (before is null)
        {
            return missing;
        }
        foreach (var intf in before.Interfaces.Where(i => i.Driver is not null && i.Driver != UserspaceDriver))
        {
            var again = now.Interfaces.FirstOrDefault(i => i.Name == intf.Name);
            if (again?.Driver != intf.Driver)
            {
                missing.Add($"{intf.Driver} is not bound to {intf.Name}");
            }
        }
        foreach (var kind in before.Nodes.Where(n => n.Exists).GroupBy(n => n.Subsystem, StringComparer.Ordinal))
        {
            int had = kind.Count();
            int has = now.Nodes.Count(n => n.Exists && n.Subsystem == kind.Key);
            if (has < had)
            {
                missing.Add($"{has} of {had} {kind.Key} nodes are back (before: {string.Join(", ", kind.Select(n => n.Path))})");
            }
        }
        foreach (string alias in before.Nodes.Where(n => n.Exists).SelectMany(n => n.Aliases))
        {
            if (!now.Nodes.Any(n => n.Exists && n.Aliases.Contains(alias)))
            {
                missing.Add($"{alias} does not point at the device");
            }
        }
        return missing;
    }
}
