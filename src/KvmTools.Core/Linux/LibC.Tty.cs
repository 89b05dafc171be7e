using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>The terminal calls that serial ports need.</summary>
internal static unsafe partial class LibC
{
    internal const int TCSANOW = 0;

    /// <summary>
    /// Room for glibc's struct termios (60 bytes on x86-64, arm64 and armhf); the extra space costs nothing.
    /// </summary>
    internal const int TermiosBufferSize = 256;

    [LibraryImport(Lib, EntryPoint = "tcgetattr", SetLastError = true)]
    internal static partial int TcGetAttr(int fd, byte* termios);

    [LibraryImport(Lib, EntryPoint = "tcsetattr", SetLastError = true)]
    internal static partial int TcSetAttr(int fd, int actions, byte* termios);
}
