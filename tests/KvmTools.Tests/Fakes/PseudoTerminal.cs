using System.Runtime.InteropServices;

namespace KvmTools.Tests.Fakes;

/// <summary>
/// A real pseudo-terminal pair from the kernel: kvmtool opens the slave (/dev/pts/N) as if it were a serial
/// port, and the test holds the master side to see exactly which bytes arrived and to answer.
/// </summary>
public sealed unsafe partial class PseudoTerminal : IDisposable, ICh9329Wire
{
    private const int O_RDWR = 2;
    private const int O_NOCTTY = 0x100;
    private const int O_NONBLOCK = 0x800;
    private const int TCSANOW = 0;

    private readonly int _master;
    private readonly int _slaveKeepAlive;

    public PseudoTerminal()
    {
        _master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
        if (_master < 0 || grantpt(_master) != 0 || unlockpt(_master) != 0)
        {
            throw new IOException("Cannot create a pseudo-terminal: errno " + Marshal.GetLastPInvokeError());
        }
        var name = new byte[128];
        fixed (byte* p = name)
        {
            if (ptsname_r(_master, p, (nuint)name.Length) != 0)
            {
                throw new IOException("ptsname_r failed");
            }
        }
        SlavePath = System.Text.Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
        // Keeping one slave descriptor open stops the master from seeing a hang-up between kvmtool's opens.
        _slaveKeepAlive = open(SlavePath, O_RDWR | O_NOCTTY | O_NONBLOCK);
        MakeRaw(_slaveKeepAlive);
    }

    public string SlavePath { get; }

    /// <summary>Reads everything the slave side wrote, waiting up to <paramref name="timeout"/> for at least <paramref name="atLeast"/> bytes.</summary>
    public byte[] ReadAvailable(int atLeast, TimeSpan timeout)
    {
        var result = new List<byte>();
        var until = DateTime.UtcNow + timeout;
        var buffer = new byte[4096];
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = read(_master, p, buffer.Length);
            }
            if (n > 0)
            {
                result.AddRange(buffer.AsSpan(0, (int)n).ToArray());
                continue;
            }
            if (result.Count >= atLeast || DateTime.UtcNow > until)
            {
                return [.. result];
            }
            Thread.Sleep(5);
        }
    }

    /// <summary>Reads what the slave side wrote within <paramref name="timeoutMs"/>; 0 when nothing came.</summary>
    public int Read(Span<byte> buffer, int timeoutMs)
    {
        var poll = new PollFd { Fd = _master, Events = POLLIN };
        if (poll_(&poll, 1, timeoutMs) <= 0 || (poll.Revents & POLLIN) == 0)
        {
            return 0;
        }
        fixed (byte* p = buffer)
        {
            nint n = read(_master, p, buffer.Length);
            return n > 0 ? (int)n : 0;
        }
    }

    /// <summary>
    /// The line speed the slave is set to: what kvmtool's serial port asked for. A pty moves bytes at any speed,
    /// so simulators read this to behave like a UART that only understands its own rate.
    /// </summary>
    public int? SlaveBaud
    {
        get
        {
            var termios = new byte[256];
            fixed (byte* t = termios)
            {
                if (tcgetattr(_slaveKeepAlive, t) != 0)
                {
                    return null;
                }
            }
            // c_cflag follows c_iflag and c_oflag; CBAUD | CBAUDEX select the speed.
            uint code = BitConverter.ToUInt32(termios, 8) & 0x100F;
            return SpeedCodes.FirstOrDefault(c => c.Code == code).Baud is int baud && baud > 0 ? baud : null;
        }
    }

    int? ICh9329Wire.HostBaud => SlaveBaud;

    /// <summary>Sets the slave's line speed, as another program holding the port (kvmd) would have.</summary>
    public void SetSlaveBaud(int baud)
    {
        uint code = SpeedCodes.First(c => c.Baud == baud).Code;
        var termios = new byte[256];
        fixed (byte* t = termios)
        {
            if (tcgetattr(_slaveKeepAlive, t) != 0 || cfsetspeed(t, code) != 0 || tcsetattr(_slaveKeepAlive, TCSANOW, t) != 0)
            {
                throw new IOException("cannot set the pty's speed: errno " + Marshal.GetLastPInvokeError());
            }
        }
    }

    private static readonly (uint Code, int Baud)[] SpeedCodes =
    [
        (0x9, 1200), (0xB, 2400), (0xC, 4800), (0xD, 9600), (0xE, 19200), (0xF, 38400), (0x1001, 57600), (0x1002, 115200),
    ];

    private const short POLLIN = 1;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int poll_(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int cfsetspeed(byte* termios, uint speed);

    /// <summary>Sends bytes to whoever has the slave open (a simulated device answering).</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            if (write(_master, p, data.Length) != data.Length)
            {
                throw new IOException("write to pty master failed: errno " + Marshal.GetLastPInvokeError());
            }
        }
    }

    /// <summary>No echo, no line discipline: bytes pass unchanged in both directions, like a UART.</summary>
    private static void MakeRaw(int fd)
    {
        var termios = new byte[256];
        fixed (byte* t = termios)
        {
            if (tcgetattr(fd, t) == 0)
            {
                cfmakeraw(t);
                _ = tcsetattr(fd, TCSANOW, t);
            }
        }
    }

    public void Dispose()
    {
        _ = close(_slaveKeepAlive);
        _ = close(_master);
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ptsname_r(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    private static partial int tcgetattr(int fd, byte* termios);

    [LibraryImport("libc")]
    private static partial int tcsetattr(int fd, int action, byte* termios);

    [LibraryImport("libc")]
    private static partial void cfmakeraw(byte* termios);
}
