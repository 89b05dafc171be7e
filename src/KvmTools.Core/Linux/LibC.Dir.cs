using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>Directory listing and path resolution (SmallFile).</summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Lib, EntryPoint = "opendir", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint OpenDir(string path);

    /// <summary>struct dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]; the same on every target.</summary>
    [LibraryImport(Lib, EntryPoint = "readdir64")]
    internal static partial byte* ReadDir(nint dir);

    [LibraryImport(Lib, EntryPoint = "closedir")]
    internal static partial int CloseDir(nint dir);

    [LibraryImport(Lib, EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial byte* RealPath(string path, byte* resolved);

    [LibraryImport(Lib, EntryPoint = "free")]
    internal static partial void Free(byte* pointer);
}
