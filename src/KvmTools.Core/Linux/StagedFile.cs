namespace KvmTools.Core.Linux;

/// <summary>
/// Replaces a file atomically with a given owner and mode, staging the new content where a reader of the target
/// directory never sees it. kvmd loads every file in override.d, a half-written temporary file included, so the
/// temporary file goes into the parent directory when that is on the same filesystem (rename stays atomic there),
/// and into the target directory itself only when it is not.
/// </summary>
public static class StagedFile
{
    /// <summary>rw-r--r--: what kvmd's packaging gives the files in /etc/kvmd.</summary>
    public const UnixFileMode DefaultMode =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="path"/>: temporary file, fsync, owner and mode (those of
    /// <paramref name="keep"/>, else root-ish defaults), <paramref name="beforeCommit"/> (tests stop here to look at what
    /// a crash would leave), rename over the target, fsync of the directories.
    /// </summary>
    public static void Write(string path, ReadOnlySpan<byte> content, FileStatus? keep, Action<string>? beforeCommit = null)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string staging = StagingDirectory(dir);
        string temp = Path.Combine(staging, $".kvmtool-{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            };
            using (var stream = new FileStream(temp, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(temp, keep?.Mode ?? DefaultMode);
            if (keep is { } k && FileStatus.Of(temp) is { } now && (now.Uid != k.Uid || now.Gid != k.Gid))
            {
                FileStatus.Chown(temp, k.Uid, k.Gid);
            }
            beforeCommit?.Invoke(temp);
            File.Move(temp, path, overwrite: true);
            AtomicFile.SyncDirectory(dir);
            if (staging != dir)
            {
                AtomicFile.SyncDirectory(staging);
            }
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>Removes a file durably (the directory entry's removal is synced).</summary>
    public static void Delete(string path)
    {
        File.Delete(path);
        AtomicFile.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    private static string StagingDirectory(string dir)
    {
        string? parent = Path.GetDirectoryName(dir);
        if (parent is not null && FileStatus.Of(parent) is { } p && FileStatus.Of(dir) is { } d && p.Device == d.Device)
        {
            return parent;
        }
        return dir;
    }
}
