using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>
/// An open file descriptor on a device node. Every read and write waits with poll() against a deadline,
/// so no call can block past the caller's timeout (kvmd runs cmd drivers with no timeout of its own).
/// </summary>
public sealed unsafe class DeviceFile : IDisposable
{
    private int _fd;

    private DeviceFile(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    public string Path { get; }

    internal int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(Path);

    public static DeviceFile Open(string path, bool write = true, string? permissionHint = null)
    {
        int flags = (write ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_NONBLOCK | LibC.O_CLOEXEC | LibC.O_NOCTTY;
        int fd = LibC.Open(path, flags, 0);
        if (fd < 0)
        {
            throw LinuxErrors.FromErrno(Marshal.GetLastPInvokeError(), "open", path, permissionHint);
        }
        return new DeviceFile(fd, path);
    }

    /// <summary>Writes all of <paramref name="data"/> in one write() call where the device accepts it.</summary>
    public void Write(ReadOnlySpan<byte> data, Deadline deadline)
    {
        int done = 0;
        while (done < data.Length)
        {
            nint n;
            fixed (byte* p = data[done..])
            {
                n = LibC.Write(Fd, p, data.Length - done);
            }
            if (n >= 0)
            {
                done += (int)n;
                continue;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
            {
                continue;
            }
            if (errno != LibC.EAGAIN)
            {
                throw LinuxErrors.FromErrno(errno, "write to", Path);
            }
            WaitFor(LibC.POLLOUT, deadline, "write to");
        }
    }

    /// <summary>Reads what is available, waiting until the deadline for the first byte; returns 0 on timeout.</summary>
    public int Read(Span<byte> buffer, Deadline deadline)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = LibC.Read(Fd, p, buffer.Length);
            }
            if (n >= 0)
            {
                return (int)n;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno == LibC.EINTR)
            {
                continue;
            }
            if (errno != LibC.EAGAIN)
            {
                throw LinuxErrors.FromErrno(errno, "read from", Path);
            }
            if (!Poll(LibC.POLLIN, deadline))
            {
                return 0;
            }
        }
    }

    /// <summary>An ioctl whose argument is a buffer; returns the ioctl's non-negative result.</summary>
    public int Ioctl(nuint request, Span<byte> argument, string what)
    {
        while (true)
        {
            int r;
            fixed (byte* p = argument)
            {
                r = LibC.Ioctl(Fd, request, p);
            }
            if (r >= 0)
            {
                return r;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
            {
                throw LinuxErrors.FromErrno(errno, what + " on", Path);
            }
        }
    }

    /// <summary>An ioctl that takes no argument (or an integer one).</summary>
    public int Ioctl(nuint request, nint argument, string what)
    {
        while (true)
        {
            int r = LibC.Ioctl(Fd, request, argument);
            if (r >= 0)
            {
                return r;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
            {
                throw LinuxErrors.FromErrno(errno, what + " on", Path);
            }
        }
    }

    private void WaitFor(short events, Deadline deadline, string action)
    {
        if (!Poll(events, deadline))
        {
            throw new DeviceTimeoutException(
                $"Timed out after {deadline.Budget.TotalMilliseconds:0} ms trying to {action} {Path}.",
                "The device stopped answering; re-plug it or reset it with 'kvmtool usb reset'.");
        }
    }

    private bool Poll(short events, Deadline deadline)
    {
        while (true)
        {
            int remaining = deadline.RemainingMilliseconds;
            if (remaining <= 0)
            {
                return false;
            }
            var pfd = new LibC.PollFd { Fd = Fd, Events = events };
            int r = LibC.Poll(&pfd, 1, remaining);
            if (r > 0)
            {
                if ((pfd.Revents & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0 && (pfd.Revents & events) == 0)
                {
                    throw new NotFoundException(
                        $"{Path} reported an error or hang-up (the device went away).",
                        "Check the cable and run 'kvmtool usb list' to see what is attached now.");
                }
                return true;
            }
            if (r == 0)
            {
                return false;
            }
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
            {
                throw LinuxErrors.FromErrno(errno, "poll", Path);
            }
        }
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = LibC.Close(_fd);
            _fd = -1;
        }
    }
}
