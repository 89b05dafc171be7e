using System.Runtime.InteropServices;

namespace KvmTools.Core.Linux;

/// <summary>
/// A serial port's terminal settings as kvmtool found them, put back when it is done. The line speed belongs to
/// the port, not to one open file: kvmd keeps the CH9329's port open, and if kvmtool left it at another speed
/// kvmd would go on talking at the wrong rate until it reopened the port.
/// </summary>
public sealed unsafe class TtySettings : IDisposable
{
    /// <summary>Offset of c_cflag in struct termios (after c_iflag and c_oflag), the same on every Linux ABI kvmtool targets.</summary>
    private const int CflagOffset = 8;

    /// <summary>CBAUD | CBAUDEX: the bits of c_cflag that select the line speed.</summary>
    private const uint SpeedMask = 0x100F;

    private static readonly Dictionary<uint, int> SpeedCodes = new()
    {
        [0x9] = 1200,
        [0xA] = 1800,
        [0xB] = 2400,
        [0xC] = 4800,
        [0xD] = 9600,
        [0xE] = 19200,
        [0xF] = 38400,
        [0x1001] = 57600,
        [0x1002] = 115200,
        [0x1003] = 230400,
        [0x1004] = 460800,
        [0x1005] = 500000,
        [0x1006] = 576000,
        [0x1007] = 921600,
    };

    private readonly byte[] _saved;
    private int _fd;

    private TtySettings(int fd, byte[] saved)
    {
        _fd = fd;
        _saved = saved;
        BaudRate = BaudFromTermios(saved);
    }

    /// <summary>The speed the port was set to when kvmtool found it; null when it is not a standard rate.</summary>
    public int? BaudRate { get; }

    /// <summary>
    /// Opens <paramref name="path"/> and records its settings. Returns null when the path is not a terminal
    /// (a socket or a plain file in tests): there is nothing to restore then.
    /// </summary>
    public static TtySettings? Capture(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_NOCTTY | LibC.O_NONBLOCK | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is LibC.EACCES or LibC.EPERM
                ? SerialPortAccess.Denied(path)
                : LinuxErrors.FromErrno(errno, "open", path,
                    errno == LibC.EBUSY ? "Another program holds the port exclusively; stop it first ('fuser " + path + "' names it)." : null);
        }
        byte[] termios = new byte[LibC.TermiosBufferSize];
        fixed (byte* t = termios)
        {
            if (LibC.TcGetAttr(fd, t) != 0)
            {
                _ = LibC.Close(fd);
                return null;
            }
        }
        return new TtySettings(fd, termios);
    }

    /// <summary>Reads the line speed from a struct termios as tcgetattr filled it.</summary>
    public static int? BaudFromTermios(ReadOnlySpan<byte> termios)
    {
        uint cflag = BitConverter.ToUInt32(termios[CflagOffset..]);
        return SpeedCodes.TryGetValue(cflag & SpeedMask, out int baud) ? baud : null;
    }

    /// <summary>Puts the recorded settings back; a port that has gone away meanwhile is not an error.</summary>
    public void Restore()
    {
        if (_fd < 0)
        {
            return;
        }
        fixed (byte* t = _saved)
        {
            _ = LibC.TcSetAttr(_fd, LibC.TCSANOW, t);
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
