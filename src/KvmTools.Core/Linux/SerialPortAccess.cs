
namespace KvmTools.Core.Linux;

/// <summary>
/// Explains a serial port that the current user may not open: which node, which group owns it, and how to get in.
/// kvmd runs kvmtool as user kvmd, and ttyUSB nodes belong to root:dialout until a udev rule says otherwise.
/// </summary>
public static class SerialPortAccess
{
    /// <summary>rw for the group (0060).</summary>
    private const int GroupReadWrite = 0x30;

    public static PermissionDeniedException Denied(string path)
    {
        string node = ResolveNode(path);
        string shown = node == path ? path : $"{path} (→ {node})";
        string user = CurrentUser();
        var owner = Owner(node);
        string detail = owner is null ? "" : $"; it belongs to {owner.Value.User}:{owner.Value.Group} with mode {owner.Value.ModeText}";
        const string udev = "install kvmtool's udev rules (the .deb installs /usr/lib/udev/rules.d/60-kvmtool.rules), which give " +
            "group kvmd access to the CH9329's port, then re-plug it or run 'udevadm trigger'";
        // Joining the group helps only when the group may read and write, and never suggest joining root's group.
        string hint = owner is { } o && (o.Mode & GroupReadWrite) == GroupReadWrite && o.Group != "root"
            ? $"Add {user} to group {o.Group} ('usermod -aG {o.Group} {user}', then restart whatever runs kvmtool), or {udev}."
            : $"Only its owner may open it: run as root, or {udev}.";
        return new PermissionDeniedException($"Permission denied: user {user} cannot open {shown}{detail}.", char.ToUpperInvariant(hint[0]) + hint[1..]);
    }

    /// <summary>Follows udev symlinks such as /dev/kvmd-hid to the node itself.</summary>
    public static string ResolveNode(string path)
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

    /// <summary>The node's owner, group and permission bits as ls shows them; null when stat fails.</summary>
    public static (string User, string Group, int Mode, string ModeText)? Owner(string path)
    {
        if (FileOwnership.TryRead(path) is not { } owner)
        {
            return null;
        }
        int mode = (int)owner.Mode;
        return (NameFromDatabase("/etc/passwd", owner.Uid), NameFromDatabase("/etc/group", owner.Gid), mode & 0x1FF, ModeText(mode));
    }

    private static string CurrentUser()
    {
        try
        {
            return Environment.UserName;
        }
        catch (InvalidOperationException)
        {
            return "uid " + LibC.Geteuid();
        }
    }

    /// <summary>Looks an id up in /etc/passwd or /etc/group (name:x:id:...); the number itself when absent.</summary>
    private static string NameFromDatabase(string file, uint id)
    {
        try
        {
            foreach (string line in File.ReadLines(file))
            {
                string[] fields = line.Split(':');
                if (fields.Length > 2 && uint.TryParse(fields[2], out uint value) && value == id)
                {
                    return fields[0];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable database only costs the name.
        }
        return id.ToString();
    }

    private static string ModeText(int mode)
    {
        const string letters = "rwxrwxrwx";
        var text = new char[9];
        for (int i = 0; i < 9; i++)
        {
            text[i] = (mode & (1 << (8 - i))) != 0 ? letters[i] : '-';
        }
        return new string(text);
    }
}
