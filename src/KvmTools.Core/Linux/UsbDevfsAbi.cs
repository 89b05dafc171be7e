using System.Buffers.Binary;

namespace KvmTools.Core.Linux;

/// <summary>The setup stage of a USB control request (USB 2.0 section 9.3), as usbdevfs takes it.</summary>
public readonly record struct UsbSetupPacket(byte RequestType, byte Request, ushort Value, ushort Index, ushort Length);

/// <summary>
/// The usbdevfs ioctl ABI (linux/usbdevice_fs.h) as pure functions, so the byte layout is tested without a kernel.
/// The structs hold their fields in CPU order (the kernel converts to the wire's little-endian); every target
/// kvmtool is built for (x86-64, arm64, armhf) is little-endian.
/// </summary>
public static class UsbDevfsAbi
{
    /// <summary>USBDEVFS_RESET = _IO('U', 20): a port reset of the device, which keeps its address.</summary>
    public const uint ResetRequest = 0x5514;

    /// <summary>
    /// sizeof(struct usbdevfs_ctrltransfer): u8 bRequestType, u8 bRequest, u16 wValue, u16 wIndex, u16 wLength,
    /// u32 timeout, then the data pointer, aligned to its own size: offset 16 and 24 bytes on 64-bit,
    /// offset 12 and 16 bytes on 32-bit (armhf, and 32-bit programs on a 64-bit kernel through its compat path).
    /// </summary>
    public static int CtrlTransferSize(int pointerSize) => pointerSize switch
    {
        8 => 24,
        4 => 16,
        _ => throw new ArgumentOutOfRangeException(nameof(pointerSize), pointerSize, "pointers are 4 or 8 bytes"),
    };

    /// <summary>USBDEVFS_CONTROL = _IOWR('U', 0, struct usbdevfs_ctrltransfer): 0xC0185500 on 64-bit, 0xC0105500 on 32-bit.</summary>
    public static uint ControlRequest(int pointerSize) => (uint)LibC.Ioc(3, 'U', 0, (uint)CtrlTransferSize(pointerSize));

    /// <summary>Fills a struct usbdevfs_ctrltransfer for a process whose pointers are <paramref name="pointerSize"/> bytes.</summary>
    public static void EncodeCtrlTransfer(UsbSetupPacket setup, uint timeoutMs, ulong dataAddress, int pointerSize, Span<byte> destination)
    {
        int size = CtrlTransferSize(pointerSize);
        if (destination.Length < size)
        {
            throw new ArgumentException($"needs {size} bytes", nameof(destination));
        }
        destination[..size].Clear();
        destination[0] = setup.RequestType;
        destination[1] = setup.Request;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], setup.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[4..], setup.Index);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[6..], setup.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], timeoutMs);
        if (pointerSize == 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], dataAddress);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], checked((uint)dataAddress));
        }
    }
}
