namespace KvmTools.Core.Linux;

/// <summary>
/// The two usbdevfs ioctls kvmtool uses on /dev/bus/usb/BBB/DDD: a device reset, and a control transfer
/// (hub port power and the hub descriptor). Both are synchronous in the kernel and bounded: the reset by the
/// hub driver's own retry limits, the control transfer by the timeout passed with it.
/// The node is opened read-write because usbdevfs refuses every ioctl on a read-only descriptor.
/// </summary>
public static unsafe class UsbDevfs
{
    public static void Reset(string node, string? permissionHint = null)
    {
        using var file = DeviceFile.Open(node, write: true, permissionHint);
        file.Ioctl(UsbDevfsAbi.ResetRequest, 0, "USBDEVFS_RESET");
    }

    /// <summary>Runs one control transfer; returns the number of bytes transferred in the data stage.</summary>
    public static int Control(string node, UsbSetupPacket setup, Span<byte> data, TimeSpan timeout, string what, string? permissionHint = null)
    {
        using var file = DeviceFile.Open(node, write: true, permissionHint);
        int pointerSize = IntPtr.Size;
        Span<byte> transfer = stackalloc byte[UsbDevfsAbi.CtrlTransferSize(pointerSize)];
        fixed (byte* buffer = data)
        {
            UsbDevfsAbi.EncodeCtrlTransfer(
                setup with { Length = (ushort)data.Length },
                (uint)Math.Clamp(timeout.TotalMilliseconds, 1, int.MaxValue),
                (ulong)(nuint)buffer,
                pointerSize,
                transfer);
            return file.Ioctl(UsbDevfsAbi.ControlRequest(pointerSize), transfer, what);
        }
    }
}
