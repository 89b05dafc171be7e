using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace KvmTools.Core.Linux;

/// <summary>
/// GPIO through the kernel's character device (/dev/gpiochipN, uAPI v2, Linux 5.10+), with plain ioctls:
/// no libgpiod to install, and lines can be read "as is" without turning a driven output into an input.
/// The structures are built byte by byte at the offsets of &lt;linux/gpio.h&gt;, which are the same on
/// x86-64, arm64 and armhf (every 64-bit field is __aligned_u64).
/// </summary>
public sealed partial class GpioCharDevice(SystemPaths paths) : IGpio
{
    internal const int NameSize = 32;
    internal const int MaxLines = 64;
    internal const int MaxAttributes = 10;

    internal const int ChipInfoSize = 68;
    internal const int LineInfoSize = 256;
    internal const int LineRequestSize = 592;
    internal const int LineValuesSize = 16;

    // struct gpio_v2_line_request
    private const int RequestConsumer = 256;
    private const int RequestConfig = 288;
    private const int RequestNumLines = 560;
    private const int RequestFd = 588;

    // struct gpio_v2_line_config (inside the request)
    private const int ConfigNumAttrs = 8;
    private const int ConfigAttrs = 32;
    private const int ConfigAttrSize = 24;

    // struct gpio_v2_line_info
    private const int InfoConsumer = 32;
    private const int InfoOffset = 64;

    internal const ulong FlagActiveLow = 1UL << 1;
    internal const ulong FlagInput = 1UL << 2;
    internal const ulong FlagOutput = 1UL << 3;
    internal const ulong FlagBiasPullUp = 1UL << 8;
    internal const ulong FlagBiasPullDown = 1UL << 9;

    private const uint AttrFlags = 1;
    private const uint AttrOutputValues = 2;

    internal static readonly nuint GetChipInfoIoctl = LibC.Ioc(2, '\xB4', 0x01, ChipInfoSize);
    internal static readonly nuint GetLineInfoIoctl = LibC.Ioc(3, '\xB4', 0x05, LineInfoSize);
    internal static readonly nuint GetLineIoctl = LibC.Ioc(3, '\xB4', 0x07, LineRequestSize);
    internal static readonly nuint GetValuesIoctl = LibC.Ioc(3, '\xB4', 0x0E, LineValuesSize);
    internal static readonly nuint SetValuesIoctl = LibC.Ioc(3, '\xB4', 0x0F, LineValuesSize);

    /// <summary>
    /// The usual fix for EACCES: PiKVM OS and Raspberry Pi OS give /dev/gpiochip* to group gpio.
    /// </summary>
    public const string PermissionHint =
        "Run as root, or add the user to the group that owns /dev/gpiochip* (gpio on PiKVM OS and Raspberry Pi OS): " +
        "'usermod -aG gpio kvmd'.";

    [GeneratedRegex("^gpiochip[0-9]+$")]
    private static partial Regex ChipName();

    public GpioChipInfo FindChip(string chip)
    {
        if (chip.StartsWith('/') || ChipName().IsMatch(chip))
        {
            string path = chip.StartsWith('/') ? paths.MapDevPath(chip) : paths.Dev(chip);
            if (!File.Exists(path))
            {
                throw new NotFoundException($"The GPIO chip {chip} does not exist ({path}).",
                    "Chips present: " + DescribeAll() + ". 'gpiodetect' lists them too; give 'chip:' as a name or a label.");
            }
            return ReadChip(path);
        }
        var all = ListChips();
        var byLabel = all.Where(c => string.Equals(c.Label, chip, StringComparison.Ordinal)).ToList();
        return byLabel.Count switch
        {
            1 => byLabel[0],
            0 => throw new NotFoundException($"No GPIO chip is labelled '{chip}'.",
                "Chips present: " + DescribeAll(all) + ". Give 'chip:' as gpiochipN or as one of these labels."),
            _ => throw new UsageException($"{byLabel.Count} GPIO chips are labelled '{chip}': " +
                string.Join(", ", byLabel.Select(c => c.Name)) + ".", "Give 'chip:' as gpiochipN instead."),
        };
    }

    public IReadOnlyList<GpioChipInfo> ListChips()
    {
        if (!Directory.Exists(paths.DevRoot))
        {
            return [];
        }
        var result = new List<GpioChipInfo>();
        foreach (string path in Directory.GetFiles(paths.DevRoot, "gpiochip*").Order(StringComparer.Ordinal))
        {
            try
            {
                result.Add(ReadChip(path));
            }
            catch (KvmToolException)
            {
                // A chip that cannot be opened is left out of the list; asking for it by name reports why.
            }
        }
        return result;
    }

    private string DescribeAll(IReadOnlyList<GpioChipInfo>? chips = null)
    {
        chips ??= ListChips();
        return chips.Count == 0 ? "none (no /dev/gpiochip* that this user can open)" : string.Join(", ", chips.Select(c => c.Describe()));
    }

    private static unsafe GpioChipInfo ReadChip(string path)
    {
        int fd = OpenChip(path);
        try
        {
            var info = new byte[ChipInfoSize];
            fixed (byte* p = info)
            {
                if (LibC.Ioctl(fd, GetChipInfoIoctl, p) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw LinuxErrors.FromErrno(errno, "read the chip information of", path,
                        errno == LibC.ENOTTY ? $"{path} is not a GPIO character device." : null);
                }
            }
            return new GpioChipInfo(path, CString(info.AsSpan(0, NameSize)), CString(info.AsSpan(NameSize, NameSize)),
                (int)BinaryPrimitives.ReadUInt32LittleEndian(info.AsSpan(2 * NameSize)));
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    public unsafe IGpioLineRequest Request(GpioChipInfo chip, IReadOnlyList<GpioLineSettings> lines, string consumer)
    {
        byte[] request = EncodeRequest(chip, lines, consumer);
        int fd = OpenChip(chip.Path);
        try
        {
            fixed (byte* p = request)
            {
                if (LibC.Ioctl(fd, GetLineIoctl, p) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == LibC.EBUSY)
                    {
                        throw Busy(fd, chip, lines);
                    }
                    throw LinuxErrors.FromErrno(errno, "request GPIO lines " + string.Join(",", lines.Select(l => l.Offset)) + " of", chip.Path,
                        errno == LibC.EINVAL ? "The chip refused the line settings (direction, active-low, bias); check the lines in kvmtool.yaml." : PermissionHint);
                }
            }
            int lineFd = BinaryPrimitives.ReadInt32LittleEndian(request.AsSpan(RequestFd));
            return new LineRequest(lineFd, chip, lines);
        }
        finally
        {
            _ = LibC.Close(fd);
        }
    }

    /// <summary>Builds struct gpio_v2_line_request: one flags attribute per distinct set of flags, one for output values.</summary>
    internal static byte[] EncodeRequest(GpioChipInfo chip, IReadOnlyList<GpioLineSettings> lines, string consumer)
    {
        if (lines.Count is 0 or > MaxLines)
        {
            throw new ArgumentOutOfRangeException(nameof(lines), lines.Count, "A request takes 1 to 64 lines.");
        }
        var request = new byte[LineRequestSize];
        var span = request.AsSpan();
        for (int i = 0; i < lines.Count; i++)
        {
            int offset = lines[i].Offset;
            if (offset < 0 || offset >= chip.Lines)
            {
                throw new UsageException($"GPIO line {offset} does not exist on {chip.Describe()}.",
                    $"Use a line offset from 0 to {chip.Lines - 1}; 'gpioinfo {chip.Name}' lists them with their names.");
            }
            BinaryPrimitives.WriteUInt32LittleEndian(span[(i * 4)..], (uint)offset);
        }
        byte[] name = Encoding.ASCII.GetBytes(consumer);
        name.AsSpan(0, Math.Min(name.Length, NameSize - 1)).CopyTo(span[RequestConsumer..]);

        var groups = lines.Select((l, i) => (Flags: Flags(l), Bit: 1UL << i)).GroupBy(x => x.Flags).ToList();
        ulong outputMask = 0, outputValues = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            if (lines[i].Direction == GpioDirection.Output)
            {
                outputMask |= 1UL << i;
                if (lines[i].InitialValue)
                {
                    outputValues |= 1UL << i;
                }
            }
        }
        int attrs = groups.Count + (outputMask != 0 ? 1 : 0);
        if (attrs > MaxAttributes)
        {
            throw new UsageException("Too many different line settings in one GPIO request.", "Use the same active-low setting for all lines of a switch.");
        }
        var config = span[RequestConfig..];
        BinaryPrimitives.WriteUInt32LittleEndian(config[ConfigNumAttrs..], (uint)attrs);
        int a = 0;
        foreach (var group in groups)
        {
            WriteAttribute(config, a++, AttrFlags, group.Key, group.Aggregate(0UL, (m, x) => m | x.Bit));
        }
        if (outputMask != 0)
        {
            WriteAttribute(config, a, AttrOutputValues, outputValues, outputMask);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[RequestNumLines..], (uint)lines.Count);
        return request;
    }

    private static void WriteAttribute(Span<byte> config, int index, uint id, ulong value, ulong mask)
    {
        var attr = config[(ConfigAttrs + index * ConfigAttrSize)..];
        BinaryPrimitives.WriteUInt32LittleEndian(attr, id);
        BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], value);
        BinaryPrimitives.WriteUInt64LittleEndian(attr[16..], mask);
    }

    internal static ulong Flags(GpioLineSettings line)
    {
        ulong flags = line.ActiveLow ? FlagActiveLow : 0;
        flags |= line.Direction switch
        {
            GpioDirection.Input => FlagInput,
            GpioDirection.Output => FlagOutput,
            _ => 0,
        };
        // The kernel accepts a bias only together with a direction.
        if (line.Direction != GpioDirection.AsIs)
        {
            flags |= line.Bias switch
            {
                GpioBias.PullUp => FlagBiasPullUp,
                GpioBias.PullDown => FlagBiasPullDown,
                _ => 0,
            };
        }
        return flags;
    }

    /// <summary>Names who holds a busy line (kvmd's own gpio driver, typically) so that the user knows what to change.</summary>
    private static unsafe DeviceTimeoutException Busy(int chipFd, GpioChipInfo chip, IReadOnlyList<GpioLineSettings> lines)
    {
        var holders = new List<string>();
        foreach (var line in lines)
        {
            var info = new byte[LineInfoSize];
            BinaryPrimitives.WriteUInt32LittleEndian(info.AsSpan(InfoOffset), (uint)line.Offset);
            fixed (byte* p = info)
            {
                if (LibC.Ioctl(chipFd, GetLineInfoIoctl, p) == 0)
                {
                    string holder = CString(info.AsSpan(InfoConsumer, NameSize));
                    if (holder.Length > 0)
                    {
                        holders.Add($"line {line.Offset} by '{holder}'");
                    }
                }
                else
                {
                    _ = Marshal.GetLastPInvokeError();
                }
            }
        }
        return new DeviceTimeoutException(
            $"GPIO lines of {chip.Name} are in use" + (holders.Count > 0 ? ": " + string.Join(", ", holders) : "") + ".",
            "Another program holds them (kvmd's gpio driver holds the pins named in its configuration): " +
            "free them there, or pick other lines in kvmtool.yaml. 'gpioinfo " + chip.Name + "' shows every holder.");
    }

    private static int OpenChip(string path)
    {
        int fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw LinuxErrors.FromErrno(errno, "open", path, errno is LibC.EACCES or LibC.EPERM ? PermissionHint : null);
        }
        return fd;
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        int end = bytes.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private sealed unsafe class LineRequest(int fd, GpioChipInfo chip, IReadOnlyList<GpioLineSettings> lines) : IGpioLineRequest
    {
        private int _fd = fd;

        private ulong AllLines => lines.Count == 64 ? ulong.MaxValue : (1UL << lines.Count) - 1;

        public void SetValues(IReadOnlyList<bool> values)
        {
            ulong bits = 0, mask = 0;
            for (int i = 0; i < lines.Count && i < values.Count; i++)
            {
                if (lines[i].Direction != GpioDirection.Output)
                {
                    continue;
                }
                mask |= 1UL << i;
                if (values[i])
                {
                    bits |= 1UL << i;
                }
            }
            if (mask == 0)
            {
                return;
            }
            Span<byte> buffer = stackalloc byte[LineValuesSize];
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, bits);
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[8..], mask);
            fixed (byte* p = buffer)
            {
                if (LibC.Ioctl(_fd, SetValuesIoctl, p) != 0)
                {
                    throw LinuxErrors.FromErrno(Marshal.GetLastPInvokeError(), "set GPIO lines of", chip.Path);
                }
            }
        }

        public bool[] GetValues()
        {
            Span<byte> buffer = stackalloc byte[LineValuesSize];
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[8..], AllLines);
            fixed (byte* p = buffer)
            {
                if (LibC.Ioctl(_fd, GetValuesIoctl, p) != 0)
                {
                    throw LinuxErrors.FromErrno(Marshal.GetLastPInvokeError(), "read GPIO lines of", chip.Path);
                }
            }
            ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
            var result = new bool[lines.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (bits & (1UL << i)) != 0;
            }
            return result;
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
}
