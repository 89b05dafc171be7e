using System.Runtime.InteropServices;

namespace KvmTools.Tests.Fakes;

/// <summary>
/// A real pseudo-terminal pair from the kernel: kvmtool opens the slave (/dev/pts/N) as if it were a serial
/// port, and the test holds the master side to see exactly which bytes arrived and to answer.
/// </summary>
public sealed unsafe partial class PseudoTerminal : IDisposable
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
