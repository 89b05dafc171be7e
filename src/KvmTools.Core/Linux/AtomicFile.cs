using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>
/// Replaces a file so that readers see either the old or the new content, never a mix, even across a crash:
/// a temporary file in the same directory, fsync, rename over the target, fsync of the directory.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode? mode = null)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
            };
            if (mode is { } m)
            {
                options.UnixCreateMode = m;
            }
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            SyncDirectory(dir);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void WriteText(string path, string content, UnixFileMode? mode = null) =>
        Write(path, System.Text.Encoding.UTF8.GetBytes(content), mode);

    /// <summary>Makes the rename itself durable; best effort, as some filesystems refuse fsync on directories.</summary>
    internal static void SyncDirectory(string dir)
    {
        int fd = LibC.Open(dir, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            _ = LibC.Fsync(fd);
            _ = LibC.Close(fd);
        }
        else
        {
            _ = Marshal.GetLastPInvokeError();
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The temporary file is invisible to readers; leaving it is harmless.
        }
    }
}
