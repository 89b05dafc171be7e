using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>
/// Owner, mode, filesystem and identity of a path, from statx(2), whose result layout is the same on every
/// architecture (unlike struct stat). .NET has no portable way to read a file's owner, device or inode.
/// </summary>
public readonly record struct FileStatus(uint Uid, uint Gid, UnixFileMode Mode, ulong Device)
{
    public ulong Inode { get; init; }

    /// <summary>A regular file (not a directory, FIFO, socket or device node).</summary>
    public bool IsRegularFile { get; init; }

    /// <summary>Its group or every user may write it: someone besides its owner can have changed it.</summary>
    public bool OthersMayWrite => (Mode & (UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0;

    public long Size { get; init; }

    /// <summary>Last content change, in nanoseconds since the epoch.</summary>
    public long ModifiedNs { get; init; }

    /// <summary>Last content or metadata change (no user can set it back), in nanoseconds since the epoch.</summary>
    public long ChangedNs { get; init; }

    public static FileStatus? Of(string path) => Of(path, out _);

    /// <summary>The path's status, or null with the errno (ENOENT: nothing there) when statx fails.</summary>
    public static FileStatus? Of(string path, out int errno) => Query(LibC.AT_FDCWD, path, 0, out errno);

    /// <summary>The status of an open file descriptor: of what was opened, whatever the path points at now.</summary>
    public static FileStatus? OfDescriptor(int fd) => Query(fd, "", LibC.AT_EMPTY_PATH, out _);

    private static FileStatus? Query(int dirfd, string path, int flags, out int errno)
    {
        errno = 0;
        var buffer = new byte[256];
        int result;
        unsafe
        {
            fixed (byte* b = buffer)
            {
                result = LibC.Statx(dirfd, path, flags, LibC.STATX_BASIC_STATS, b);
            }
        }
        if (result != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }
        uint uid = BitConverter.ToUInt32(buffer, 20);
        uint gid = BitConverter.ToUInt32(buffer, 24);
        ushort mode = BitConverter.ToUInt16(buffer, 28);
        ulong device = ((ulong)BitConverter.ToUInt32(buffer, 136) << 32) | BitConverter.ToUInt32(buffer, 140);
        return new FileStatus(uid, gid, (UnixFileMode)(mode & 0xFFF), device)
        {
            IsRegularFile = (mode & 0xF000) == 0x8000, // S_IFREG
            Inode = BitConverter.ToUInt64(buffer, 32),
            Size = BitConverter.ToInt64(buffer, 40),
            ChangedNs = Nanoseconds(buffer, 96),
            ModifiedNs = Nanoseconds(buffer, 112),
        };
    }

    // struct statx_timestamp: s64 tv_sec, u32 tv_nsec.
    private static long Nanoseconds(byte[] buffer, int offset) =>
        (BitConverter.ToInt64(buffer, offset) * 1_000_000_000) + BitConverter.ToUInt32(buffer, offset + 8);

    /// <summary>Gives <paramref name="path"/> this owner; throws the typed failure for the errno.</summary>
    public static void Chown(string path, uint uid, uint gid)
    {
        if (LibC.Chown(path, uid, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw LinuxErrors.FromErrno(errno, "change the owner of", path, "Run kvmtool as root (sudo).");
        }
    }

    public static uint EffectiveUid => LibC.Geteuid();
}

internal static unsafe partial class LibC
{
    internal const int AT_FDCWD = -100;
    internal const int AT_EMPTY_PATH = 0x1000;
    internal const uint STATX_BASIC_STATS = 0x7ff;

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Lib, EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chown(string path, uint owner, uint group);
}
