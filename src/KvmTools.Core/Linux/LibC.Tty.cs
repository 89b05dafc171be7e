using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>The terminal and file-status calls that serial ports need.</summary>
internal static unsafe partial class LibC
{
    internal const int TCSANOW = 0;
    internal const int AT_FDCWD = -100;
    internal const uint STATX_BASIC_STATS = 0x7FF;

    /// <summary>
    /// Room for glibc's struct termios (60 bytes on x86-64, arm64 and armhf); the extra space costs nothing.
    /// </summary>
    internal const int TermiosBufferSize = 256;

    /// <summary>struct statx has one layout on every architecture: 256 bytes.</summary>
    internal const int StatxBufferSize = 256;

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    internal static partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    internal static partial int TcSetAttr(int fd, int actions, byte* termios);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int dirFd, string path, int flags, uint mask, byte* buffer);
}
