using System.Globalization;
using System.Text;
using KvmTools.Core.Linux;
using KvmTools.Core.Polling;
using KvmTools.Core.Switching;
using KvmTools.Core.Usb;

namespace KvmTools.Core.Config;

/// <summary>
/// What kvmd's polling commands need from a validated kvmtool.yaml (named relays, switches' inputs, named USB
/// devices), in a line format that the kvmtool executable's quick path reads without a YAML parser.
/// The full command line writes it under the runtime directory after each successful load; it names the file it
/// was made from and that file's identity (device, inode, size, modification and change times), so an edited,
/// replaced or removed kvmtool.yaml, or another kvmtool version, makes it stale and the quick path hands the
/// command to the full command line, which validates the file again. Of a switch it keeps only its backend,
/// inputs and input names; of a USB device, its id already split into vendor and product.
/// </summary>
public static class ConfigIndex
{
    private const string Magic = "kvmtool-config-index 1";
    private const string Null = "%";

    /// <summary>
    /// The index file for <paramref name="configPath"/> and this process's user: one per configuration file and
    /// user, beside the state files. The runtime directory is writable by group kvmd, so an index is only ever
    /// read by the user who wrote it, and only if nobody else can have written it (<see cref="SmallFile.ReadOwn"/>):
    /// a kvmd-group process can delete root's index (root then reads kvmtool.yaml itself) but cannot make root's
    /// quick path believe another one.
    /// </summary>
    public static string PathFor(SystemPaths paths, string configPath)
    {
        // FNV-1a: a stable name for the path, with nothing to load at start-up.
        ulong hash = 14695981039346656037;
        foreach (char c in Path.GetFullPath(configPath))
        {
            hash = (hash ^ c) * 1099511628211;
        }
        var invariant = CultureInfo.InvariantCulture;
        return Path.Combine(paths.RuntimeDir,
            "config-" + hash.ToString("x16", invariant) + "-u" + FileStatus.EffectiveUid.ToString(invariant) + ".index");
    }

    /// <summary>The file's identity; null when it cannot be read (<paramref name="errno"/> says why).</summary>
    public static string? StampOf(string configPath, out int errno)
    {
        if (FileStatus.Of(configPath, out errno) is not { } s)
        {
            return null;
        }
        var c = CultureInfo.InvariantCulture;
        return s.Device.ToString(c) + ":" + s.Inode.ToString(c) + ":" + s.Size.ToString(c) + ":" +
            s.ModifiedNs.ToString(c) + ":" + s.ChangedNs.ToString(c);
    }

    /// <summary>
    /// Writes the index for a configuration loaded from <paramref name="configPath"/>, whose identity was
    /// <paramref name="stampBeforeLoad"/> before it was read: if the file changed meanwhile, what was loaded may
    /// be either version, and nothing is written. Best effort: the quick path only gets slower without it.
    /// </summary>
    public static void Refresh(SystemPaths paths, string version, string configPath, string stampBeforeLoad, KvmToolConfig model)
    {
        if (StampOf(configPath, out _) != stampBeforeLoad)
        {
            return;
        }
        string text = Render(version, configPath, stampBeforeLoad, model);
        string path = PathFor(paths, configPath);
        try
        {
            if (SmallFile.ReadOwn(path, out string current) == SmallFileRead.Read && current == text)
            {
                return;
            }
            // Written by this user for this user: group kvmd must not be able to edit it in place.
            AtomicFile.WriteText(path, text, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A read-only or missing runtime directory: every poll takes the full path instead.
        }
    }

    /// <summary>The entries of the current index for the file as it is now; null when there is none.</summary>
    public static List<string?[]>? ReadEntries(SystemPaths paths, string version, string configPath)
    {
        if (StampOf(configPath, out _) is not { } stamp ||
            SmallFile.ReadOwn(PathFor(paths, configPath), out string text) != SmallFileRead.Read)
        {
            return null;
        }
        return Parse(text, version, configPath, stamp);
    }

    public static string Render(string version, string configPath, string stamp, KvmToolConfig model)
    {
        var text = new StringBuilder();
        Line(text, Magic);
        Line(text, "version", version);
        Line(text, "config", Path.GetFullPath(configPath));
        Line(text, "stamp", stamp);
        foreach (var (name, r) in model.Relays.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            Line(text, RelayKind, name, r.UsbPort, r.Serial, r.Device, r.Port, r.Family, Int(r.Channel), Int(r.Channels));
        }
        foreach (var (name, s) in model.Switches.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string backend = SwitchBackends.Name(SwitchBackends.Parse(s.Backend!));
            Line(text, [SwitchKind, name, backend, Int(s.Ports), .. s.PortNames ?? []]);
        }
        foreach (var (name, u) in model.Usb.Devices.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string? vendor = null, product = null;
            if (u.Id is not null && UsbSelector.TryParseId(u.Id, out ushort vid, out ushort pid))
            {
                (vendor, product) = (Hex(vid), Hex(pid));
            }
            Line(text, UsbKind, name, vendor, product, u.UsbPort, u.Serial, u.Product, u.Device);
        }
        Line(text, "end");
        return text.ToString();
    }

    /// <summary>
    /// The entries: kind, name, then the fields <see cref="RelayField"/>, <see cref="SwitchField"/> and
    /// <see cref="UsbField"/> place. Null when the text is malformed or not for this version, file and identity.
    /// </summary>
    public static List<string?[]>? Parse(string text, string version, string configPath, string stamp)
    {
        string[] lines = text.Split('\n');
        if (lines.Length < 6 || lines[0] != Magic || lines[^1].Length != 0 || lines[^2] != "end" ||
            lines[1] != Join(["version", version]) || lines[2] != Join(["config", Path.GetFullPath(configPath)]) ||
            lines[3] != Join(["stamp", stamp]))
        {
            return null;
        }
        var entries = new List<string?[]>();
        for (int i = 4; i < lines.Length - 2; i++)
        {
            string[] raw = lines[i].Split('\t');
            var fields = new string?[raw.Length];
            for (int f = 0; f < raw.Length; f++)
            {
                fields[f] = Unescape(raw[f]);
            }
            bool wellFormed = fields[0] switch
            {
                RelayKind => fields.Length == RelayField.Count,
                SwitchKind => fields.Length >= SwitchField.FirstPortName,
                UsbKind => fields.Length == UsbField.Count,
                _ => false,
            };
            if (!wellFormed || fields[1] is null)
            {
                return null;
            }
            entries.Add(fields);
        }
        return entries;
    }

    public const string RelayKind = "relay";
    public const string SwitchKind = "switch";
    public const string UsbKind = "usb";

    /// <summary>Where a relay entry holds what.</summary>
    public static class RelayField
    {
        public const int Name = 1, UsbPort = 2, Serial = 3, Device = 4, Port = 5, Family = 6, Channel = 7, Channels = 8, Count = 9;
    }

    /// <summary>Where a switch entry holds what: its backend's name, its inputs, then their names, if it has any.</summary>
    public static class SwitchField
    {
        public const int Name = 1, Backend = 2, Ports = 3, FirstPortName = 4;
    }

    /// <summary>Where a USB device entry holds what; its id is split into hex vendor and product.</summary>
    public static class UsbField
    {
        public const int Name = 1, VendorId = 2, ProductId = 3, UsbPort = 4, Serial = 5, Product = 6, Device = 7, Count = 8;
    }

    private static string Hex(ushort value) => value.ToString("x4", CultureInfo.InvariantCulture);

    private static string? Int(int? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static void Line(StringBuilder text, params string?[] fields) => text.Append(Join(fields)).Append('\n');

    private static string Join(string?[] fields)
    {
        var text = new StringBuilder();
        for (int i = 0; i < fields.Length; i++)
        {
            text.Append(i == 0 ? "" : "\t").Append(Escape(fields[i]));
        }
        return text.ToString();
    }

    // Fields are tab-separated lines; a lone % stands for "not set", which no escaped value can be.
    private static string Escape(string? value) =>
        value is null ? Null : value.Replace("%", "%25", StringComparison.Ordinal).Replace("\t", "%09", StringComparison.Ordinal)
            .Replace("\n", "%0A", StringComparison.Ordinal).Replace("\r", "%0D", StringComparison.Ordinal);

    private static string? Unescape(string field) =>
        field == Null ? null : field.Replace("%09", "\t", StringComparison.Ordinal).Replace("%0A", "\n", StringComparison.Ordinal)
            .Replace("%0D", "\r", StringComparison.Ordinal).Replace("%25", "%", StringComparison.Ordinal);
}
