using System.Runtime.InteropServices;
using System.Text;

namespace KvmTools.Core.Linux;

/// <summary>What a read found: the text, nothing there (ENOENT, ENOTDIR), or another failure.</summary>
public enum SmallFileRead
{
    Read,
    Missing,
    Failed,
}

/// <summary>
/// Reads of small files (sysfs attributes, kvmtool's state files), directory listings and path resolution, straight
/// from libc: open/read/close, opendir/readdir, realpath. Each is one or two system calls, and none brings in the
/// .NET file stack, which is the largest part of the kvmtool executable's start-up (Polling/).
/// </summary>
public static unsafe class SmallFile
{
    private const int MaxSize = 1 << 20;

    public static SmallFileRead Read(string path, out string text) => Read(path, ownOnly: false, out text);

    /// <summary>
    /// Reads a file only if nobody but this process's user can have written it: a regular file owned by the
    /// effective user and writable by no group or other user (checked on the opened file, so a file swapped in
    /// between is caught; opened non-blocking, so a FIFO in its place cannot hang the caller). Anything else is
    /// <see cref="SmallFileRead.Failed"/>. For what kvmtool keeps in directories that group kvmd may write.
    /// </summary>
    public static SmallFileRead ReadOwn(string path, out string text) => Read(path, ownOnly: true, out text);

    private static SmallFileRead Read(string path, bool ownOnly, out string text)
    {
        text = "";
        int fd;
        do
        {
            fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC | (ownOnly ? LibC.O_NONBLOCK : 0), 0);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == LibC.EINTR);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError() is LibC.ENOENT or LibC.ENOTDIR ? SmallFileRead.Missing : SmallFileRead.Failed;
        }
        try
        {
            if (ownOnly && !IsOwn(fd))
            {
                return SmallFileRead.Failed;
            }
            byte[] buffer = new byte[4096];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxSize)
                    {
                        return SmallFileRead.Failed;
                    }
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
                nint n;
                fixed (byte* b = buffer)
                {
                    n = LibC.Read(fd, b + length, buffer.Length - length);
                }
                if (n < 0)
                {
                    if (Marshal.GetLastPInvokeError() == LibC.EINTR)
                    {
                        continue;
                    }
                    return SmallFileRead.Failed;
                }
                if (n == 0)
                {
                    break;
                }
                length += (int)n;
            }
            // As File.ReadAllText does: a UTF-8 byte-order mark is not part of the text.
            int start = length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0;
            text = Encoding.UTF8.GetString(buffer, start, length - start);
            return SmallFileRead.Read;
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    private static bool IsOwn(int fd) =>
        FileStatus.OfDescriptor(fd) is { IsRegularFile: true, OthersMayWrite: false } s && s.Uid == LibC.Geteuid();

    /// <summary>The names in a directory (not . and ..); null when it cannot be listed.</summary>
    public static List<string>? List(string dir)
    {
        nint handle = LibC.OpenDir(dir);
        if (handle == 0)
        {
            return null;
        }
        try
        {
            var names = new List<string>();
            // d_name starts at byte 19 of struct dirent64 (see LibC.ReadDir).
            for (byte* entry = LibC.ReadDir(handle); entry != null; entry = LibC.ReadDir(handle))
            {
                string name = Marshal.PtrToStringUTF8((nint)(entry + 19)) ?? "";
                if (name is not ("." or ".."))
                {
                    names.Add(name);
                }
            }
            return names;
        }
        finally
        {
            _ = LibC.CloseDir(handle);
        }
    }

    /// <summary>The path with every symbolic link resolved, as the kernel does; null when it does not exist.</summary>
    public static string? RealPath(string path)
    {
        byte* resolved = LibC.RealPath(path, null);
        if (resolved == null)
        {
            return null;
        }
        try
        {
            return Marshal.PtrToStringUTF8((nint)resolved);
        }
        finally
        {
            LibC.Free(resolved);
        }
    }
}
