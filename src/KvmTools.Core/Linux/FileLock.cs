using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>
/// An exclusive advisory lock (flock) on a file under the runtime directory. kvmd, cron and a shell may run
/// kvmtool at the same moment; commands on one device take its lock so that their effects serialize.
/// The kernel drops the lock when the process dies, so a crash never leaves a device locked.
/// The file is opened with open(2), not FileStream, whose own share-mode flock would collide with ours.
/// </summary>
public sealed class FileLock : IDisposable
{
    /// <summary>How often a waiting process retries; short, because holders finish in milliseconds.</summary>
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMilliseconds(10);

    private const int O_CREAT = 0x40;

    /// <summary>rw-rw-r--: kvmd (group) and root share the lock files.</summary>
    private const int LockFileMode = 0x1B4;

    private int _fd;

    private FileLock(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    public static FileLock Acquire(string path, TimeSpan timeout)
    {
        string dir = System.IO.Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(dir);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new PermissionDeniedException($"Permission denied: cannot create {dir}.", RuntimeDirHint(dir), e);
        }
        int fd = LibC.Open(path, LibC.O_RDWR | O_CREAT | LibC.O_CLOEXEC, LockFileMode);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw LinuxErrors.FromErrno(errno, "create the lock file", path, RuntimeDirHint(dir));
        }

        var deadline = Deadline.After(timeout);
        while (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EAGAIN && errno != LibC.EINTR)
            {
                _ = LibC.Close(fd);
                throw LinuxErrors.FromErrno(errno, "lock", path);
            }
            if (deadline.Expired)
            {
                _ = LibC.Close(fd);
                throw new DeviceTimeoutException(
                    $"Another kvmtool is still using this device (waited {timeout.TotalSeconds:0.#} s for {path}).",
                    "Try again when it has finished; 'fuser " + path + "' shows which process holds it.");
            }
            Thread.Sleep(RetryInterval);
        }
        return new FileLock(fd, path);
    }

    private static string RuntimeDirHint(string dir) =>
        $"{dir} must be writable by this user (the package creates /run/kvmtool for group kvmd through systemd-tmpfiles).";

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = LibC.Close(_fd);
            _fd = -1;
        }
    }
}
