using System.Buffers.Binary;

namespace KvmTools.Core.Ch9329;

/// <summary>
/// The 50-byte parameter block of GET_PARA_CFG (0x08, answered by 0x88) and SET_PARA_CFG (0x09).
/// <code>
/// offset size field                                                   byte order
///  0     1    work mode: 00 keyboard and mouse, 01 keyboard, 02 mouse,
///             03 custom HID; 80..83 = the same, chosen by the MODE pins
///  1     1    serial mode: 00 protocol, 01 ASCII, 02 transparent;
///             80..82 = the same, chosen by the CFG pins
///  2     1    address (00 by default; FF is broadcast)
///  3     4    baud rate                                               big-endian
///  7     2    reserved (real chips report 08 00; written back as read)
///  9     2    packet gap in ms: this much silence ends a frame         big-endian
/// 11     2    USB vendor id                                           little-endian (86 1A = 1a86)
/// 13     2    USB product id                                          little-endian (29 E1 = e129)
/// 15     2    ASCII mode: keyboard upload interval, ms                big-endian
/// 17     2    ASCII mode: keyboard release delay, ms                  big-endian
/// 19     1    ASCII mode: auto-enter (01 on)
/// 20     8    ASCII mode: enter characters (two groups of 4)
/// 28     8    ASCII mode: filter start (4) and end (4) strings
/// 36     1    USB string flags: bit 7 custom strings on, bit 2 manufacturer, bit 1 product, bit 0 serial
/// 37     1    fast keyboard upload (01 on)
/// 38    12    reserved
/// </code>
/// The chip keeps the block in flash and applies it at its next reset. GET_PARA_CFG reports pin-selected modes
/// as 80..83 and 80..82; written back like that, a new block appears to work but is lost at the next power
/// cycle, so a block is always written with the modes as 00..03 and 00..02 (<see cref="ForWriting"/>).
/// </summary>
public sealed class Ch9329Parameters : IEquatable<Ch9329Parameters>
{
    public const int Length = 50;

    public const int WorkModeOffset = 0;
    public const int SerialModeOffset = 1;
    public const int AddressOffset = 2;
    public const int BaudRateOffset = 3;
    public const int PacketGapOffset = 9;
    public const int VendorIdOffset = 11;
    public const int ProductIdOffset = 13;
    public const int KeyboardUploadIntervalOffset = 15;
    public const int KeyboardReleaseDelayOffset = 17;
    public const int AutoEnterOffset = 19;
    public const int EnterCharactersOffset = 20;
    public const int FilterOffset = 28;
    public const int UsbStringFlagsOffset = 36;
    public const int FastUploadOffset = 37;

    /// <summary>Set in both mode bytes when the chip's pins, not the stored block, chose the mode.</summary>
    public const byte PinSelected = 0x80;

    private readonly byte[] _bytes;

    private Ch9329Parameters(byte[] bytes) => _bytes = bytes;

    public static Ch9329Parameters Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length != Length)
        {
            throw new OperationFailedException(
                $"The CH9329 answered GET_PARA_CFG with {data.Length} bytes instead of {Length}.",
                "The chip may not be a CH9329, or the line is noisy; try again.");
        }
        return new Ch9329Parameters(data.ToArray());
    }

    public ReadOnlySpan<byte> Bytes => _bytes;

    public byte WorkMode => _bytes[WorkModeOffset];

    public byte SerialMode => _bytes[SerialModeOffset];

    public byte Address => _bytes[AddressOffset];

    public int BaudRate => (int)BinaryPrimitives.ReadUInt32BigEndian(_bytes.AsSpan(BaudRateOffset));

    public int PacketGapMs => BinaryPrimitives.ReadUInt16BigEndian(_bytes.AsSpan(PacketGapOffset));

    public ushort VendorId => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(VendorIdOffset));

    public ushort ProductId => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(ProductIdOffset));

    public int KeyboardUploadIntervalMs => BinaryPrimitives.ReadUInt16BigEndian(_bytes.AsSpan(KeyboardUploadIntervalOffset));

    public int KeyboardReleaseDelayMs => BinaryPrimitives.ReadUInt16BigEndian(_bytes.AsSpan(KeyboardReleaseDelayOffset));

    public bool AutoEnter => _bytes[AutoEnterOffset] == 0x01;

    public ReadOnlySpan<byte> EnterCharacters => _bytes.AsSpan(EnterCharactersOffset, 8);

    public ReadOnlySpan<byte> FilterStart => _bytes.AsSpan(FilterOffset, 4);

    public ReadOnlySpan<byte> FilterEnd => _bytes.AsSpan(FilterOffset + 4, 4);

    public byte UsbStringFlags => _bytes[UsbStringFlagsOffset];

    public bool CustomStrings => (UsbStringFlags & 0x80) != 0;

    public bool FastUpload => _bytes[FastUploadOffset] == 0x01;

    /// <summary>True when either mode byte says the pins chose it (the value GET_PARA_CFG must not be written back with).</summary>
    public bool ModesFromPins => (WorkMode & PinSelected) != 0 || (SerialMode & PinSelected) != 0;

    public string WorkModeName => (WorkMode & 0x7F) switch
    {
        0x00 => "keyboard and mouse",
        0x01 => "keyboard only",
        0x02 => "mouse only",
        0x03 => "custom HID",
        _ => $"unknown (0x{WorkMode:X2})",
    };

    public string SerialModeName => (SerialMode & 0x7F) switch
    {
        0x00 => "protocol",
        0x01 => "ASCII",
        0x02 => "transparent",
        _ => $"unknown (0x{SerialMode:X2})",
    };

    public string UsbId => $"{VendorId:x4}:{ProductId:x4}";

    /// <summary>
    /// The block to write: the same modes, stored as 00..03 / 00..02 so that they survive a power cycle,
    /// with the given baud rate and address; every other byte, reserved ones included, as read.
    /// </summary>
    public Ch9329Parameters ForWriting(int? baudRate = null, byte? address = null)
    {
        byte[] bytes = (byte[])_bytes.Clone();
        bytes[WorkModeOffset] &= 0x7F;
        bytes[SerialModeOffset] &= 0x7F;
        if (baudRate is int baud)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(BaudRateOffset), (uint)baud);
        }
        if (address is byte a)
        {
            bytes[AddressOffset] = a;
        }
        return new Ch9329Parameters(bytes);
    }

    /// <summary>Compares what matters once written: the chip reports pin-chosen modes with bit 7 set either way.</summary>
    public bool SameAsWritten(Ch9329Parameters written)
    {
        for (int i = 0; i < Length; i++)
        {
            byte mine = _bytes[i];
            byte theirs = written._bytes[i];
            if (i is WorkModeOffset or SerialModeOffset)
            {
                mine &= 0x7F;
                theirs &= 0x7F;
            }
            if (mine != theirs)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Names the bytes that differ, for messages: "baud rate 9600 → 115200".</summary>
    public IReadOnlyList<string> Differences(Ch9329Parameters after)
    {
        var changes = new List<string>();
        if (BaudRate != after.BaudRate)
        {
            changes.Add($"baud rate {BaudRate} → {after.BaudRate}");
        }
        if (Address != after.Address)
        {
            changes.Add($"address 0x{Address:X2} → 0x{after.Address:X2}");
        }
        if (WorkMode != after.WorkMode)
        {
            changes.Add($"work mode 0x{WorkMode:X2} → 0x{after.WorkMode:X2} ({after.WorkModeName})");
        }
        if (SerialMode != after.SerialMode)
        {
            changes.Add($"serial mode 0x{SerialMode:X2} → 0x{after.SerialMode:X2} ({after.SerialModeName})");
        }
        return changes;
    }

    public string ToHex() => Convert.ToHexString(_bytes).ToLowerInvariant();

    public bool Equals(Ch9329Parameters? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);

    public override bool Equals(object? obj) => Equals(obj as Ch9329Parameters);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_bytes);
        return hash.ToHashCode();
    }
}
