using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>Owner, group and mode of a file (from <see cref="FileStatus"/>), and who may open it.</summary>
public readonly record struct FileOwnership(uint Uid, uint Gid, UnixFileMode Mode)
{
    public static FileOwnership? TryRead(string path) =>
        FileStatus.Of(path) is { } status ? new FileOwnership(status.Uid, status.Gid, status.Mode) : null;

    /// <summary>Whether a user with these ids could open the file for reading and writing (root always can).</summary>
    public bool AllowsReadWrite(UserIdentity user)
    {
        if (user.Uid == 0)
        {
            return true;
        }
        if (user.Uid == Uid)
        {
            return Mode.HasFlag(UnixFileMode.UserRead) && Mode.HasFlag(UnixFileMode.UserWrite);
        }
        if (user.Groups.Contains(Gid))
        {
            return Mode.HasFlag(UnixFileMode.GroupRead) && Mode.HasFlag(UnixFileMode.GroupWrite);
        }
        return Mode.HasFlag(UnixFileMode.OtherRead) && Mode.HasFlag(UnixFileMode.OtherWrite);
    }
}

/// <summary>A user and every group it is in, as the kernel would check file access for it.</summary>
public sealed record UserIdentity(string Name, uint Uid, IReadOnlySet<uint> Groups)
{
    public static UserIdentity Current(string etcRoot = "/etc")
    {
        uint uid = LibC.Geteuid();
        var passwd = ReadDatabase(Path.Combine(etcRoot, "passwd"));
        string name = passwd.FirstOrDefault(p => p.Length > 2 && p[2] == uid.ToString(System.Globalization.CultureInfo.InvariantCulture))?[0] ?? uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var groups = new HashSet<uint>(GetGroups());
        return new UserIdentity(name, uid, groups);
    }

    /// <summary>Looks a user up in passwd/group files; null when there is no such user.</summary>
    public static UserIdentity? Lookup(string name, string etcRoot = "/etc")
    {
        var entry = ReadDatabase(Path.Combine(etcRoot, "passwd")).FirstOrDefault(p => p.Length > 3 && p[0] == name);
        if (entry is null || !uint.TryParse(entry[2], out uint uid) || !uint.TryParse(entry[3], out uint gid))
        {
            return null;
        }
        var groups = new HashSet<uint> { gid };
        foreach (var group in ReadDatabase(Path.Combine(etcRoot, "group")))
        {
            if (group.Length > 3 && uint.TryParse(group[2], out uint g) && group[3].Split(',').Contains(name))
            {
                groups.Add(g);
            }
        }
        return new UserIdentity(name, uid, groups);
    }

    public static uint? GroupId(string name, string etcRoot = "/etc")
    {
        var entry = ReadDatabase(Path.Combine(etcRoot, "group")).FirstOrDefault(g => g.Length > 2 && g[0] == name);
        return entry is not null && uint.TryParse(entry[2], out uint gid) ? gid : null;
    }

    private static List<string[]> ReadDatabase(string path)
    {
        try
        {
            return File.ReadAllLines(path).Where(l => !l.StartsWith('#')).Select(l => l.Split(':')).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static unsafe uint[] GetGroups()
    {
        var groups = new uint[256];
        int n;
        fixed (uint* p = groups)
        {
            n = LibC.GetGroups(groups.Length, p);
        }
        return n < 0 ? [] : [.. groups.AsSpan(0, n).ToArray(), LibC.Getegid()];
    }
}
