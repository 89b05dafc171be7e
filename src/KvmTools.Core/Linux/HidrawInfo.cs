namespace KvmTools.Core.Linux;

/// <summary>One /dev/hidrawN node and what sysfs says about the HID device behind it.</summary>
public sealed record HidrawInfo(
    string Name,
    string DevicePath,
    ushort Bus,
    ushort VendorId,
    ushort ProductId,
    string? HidName,
    string? Uniq,
    string? Phys,
    UsbDeviceInfo? Usb)
{
    public const ushort BusUsb = 0x03;

    public string Id => $"{VendorId:x4}:{ProductId:x4}";

    /// <summary>A serial number if the device has one: HID_UNIQ, else the USB device's iSerialNumber.</summary>
    public string? Serial => !string.IsNullOrEmpty(Uniq) ? Uniq : Usb?.Serial;
}
