using System.Runtime.InteropServices;
using System.Text;

namespace KvmTools.Core.Linux;

/// <summary>
/// Writes sysfs attributes (authorized, bind/unbind, a hub port's disable) with open/write/close, so that the
/// errno the kernel's store function returns reaches the caller unchanged (a stream would buffer and retry).
/// </summary>
public static unsafe class SysfsWriter
{
    public static void Write(string path, string value, string? permissionHint = null)
    {
        int fd = LibC.Open(path, LibC.O_WRONLY | LibC.O_TRUNC | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxErrors.FromErrno(Marshal.GetLastPInvokeError(), "open", path, permissionHint);
        }
        try
        {
            byte[] bytes = Encoding.ASCII.GetBytes(value);
            while (true)
            {
                nint n;
                fixed (byte* p = bytes)
                {
                    n = LibC.Write(fd, p, bytes.Length);
                }
                if (n >= 0)
                {
                    return;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno != LibC.EINTR)
                {
                    throw LinuxErrors.FromErrno(errno, $"write '{value}' to", path, permissionHint);
                }
            }
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>Whether this user may write <paramref name="path"/> (false also when it does not exist).</summary>
    public static bool CanWrite(string path) => LibC.Access(path, LibC.W_OK) == 0;
}
