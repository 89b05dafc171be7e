using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

internal static partial class LibC
{
    internal const int W_OK = 2;

    internal const int O_TRUNC = 0x200;

    /// <summary>access(2): asks the kernel whether this user may write a path, without opening it.</summary>
    [LibraryImport(Lib, EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Access(string path, int mode);
}
