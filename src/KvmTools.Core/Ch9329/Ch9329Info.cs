namespace KvmTools.Core.Ch9329;

/// <summary>
/// The answer to GET_INFO (0x81, 8 data bytes): the chip version (0x30 = V1.0, 0x31 = V1.1), whether the target
/// computer has enumerated the chip's USB device (0x01) or not (0x00), and the target's lock-key LEDs
/// (bit 0 Num Lock, bit 1 Caps Lock, bit 2 Scroll Lock). The remaining 5 bytes are reserved.
/// </summary>
public sealed record Ch9329Info(byte VersionByte, bool UsbEnumerated, bool NumLock, bool CapsLock, bool ScrollLock)
{
    public const int DataLength = 8;

    public string Version => VersionByte is >= 0x30 and <= 0x39 ? $"V1.{VersionByte - 0x30}" : $"unknown (0x{VersionByte:X2})";

    public static Ch9329Info Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3)
        {
            throw new OperationFailedException(
                $"The CH9329 answered GET_INFO with {data.Length} data bytes instead of {DataLength}.",
                "The chip may not be a CH9329, or the line is noisy; try again, or check the wiring.");
        }
        byte leds = data[2];
        return new Ch9329Info(data[0], data[1] == 0x01, (leds & 0x01) != 0, (leds & 0x02) != 0, (leds & 0x04) != 0);
    }
}
