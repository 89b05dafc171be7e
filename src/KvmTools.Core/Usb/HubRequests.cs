using KvmTools.Core.Linux;

namespace KvmTools.Core.Usb;

/// <summary>The hub class requests kvmtool sends (USB 2.0 section 11.24, USB 3.x section 10.16), as pure values.</summary>
public static class HubRequests
{
    /// <summary>bmRequestType: host-to-device, class, recipient "other" (a port).</summary>
    public const byte ToPort = 0x23;

    /// <summary>bmRequestType: device-to-host, class, recipient device (the hub).</summary>
    public const byte FromHub = 0xA0;

    public const byte ClearFeature = 0x01;
    public const byte SetFeature = 0x03;
    public const byte GetDescriptor = 0x06;

    /// <summary>PORT_POWER, the same feature selector for USB 2 and USB 3 hubs.</summary>
    public const ushort PortPowerFeature = 8;

    public const byte Usb2HubDescriptorType = 0x29;
    public const byte Usb3HubDescriptorType = 0x2A;

    /// <summary>Enough for wHubCharacteristics of any hub; the hub sends at most what it has.</summary>
    public const ushort DescriptorLength = 12;

    /// <summary>ClearPortFeature(PORT_POWER): switch the port's power off.</summary>
    public static UsbSetupPacket ClearPortPower(int port) => new(ToPort, ClearFeature, PortPowerFeature, CheckPort(port), 0);

    /// <summary>SetPortFeature(PORT_POWER): switch the port's power on.</summary>
    public static UsbSetupPacket SetPortPower(int port) => new(ToPort, SetFeature, PortPowerFeature, CheckPort(port), 0);

    /// <summary>GetHubDescriptor: type 0x29 for USB 2 hubs, 0x2A for SuperSpeed hubs.</summary>
    public static UsbSetupPacket GetHubDescriptor(bool superSpeed) =>
        new(FromHub, GetDescriptor, (ushort)((superSpeed ? Usb3HubDescriptorType : Usb2HubDescriptorType) << 8), 0, DescriptorLength);

    /// <summary>The 8 setup bytes as they go on the wire (little-endian fields).</summary>
    public static byte[] SetupBytes(UsbSetupPacket p) =>
    [
        p.RequestType, p.Request, (byte)p.Value, (byte)(p.Value >> 8), (byte)p.Index, (byte)(p.Index >> 8), (byte)p.Length, (byte)(p.Length >> 8),
    ];

    private static ushort CheckPort(int port) =>
        port is >= 1 and <= 255 ? (ushort)port : throw new ArgumentOutOfRangeException(nameof(port), port, "hub ports are numbered 1 to 255");
}

/// <summary>How a hub switches its ports' power (wHubCharacteristics bits 1:0).</summary>
public enum PortPowerSwitching
{
    /// <summary>One switch for all ports: switching one may cut (or fail to cut) all of them.</summary>
    Ganged,
    PerPort,
    /// <summary>The hub cannot switch port power at all.</summary>
    None,
    /// <summary>The hub descriptor could not be read.</summary>
    Unknown,
}

/// <summary>The parts of a hub class descriptor kvmtool needs.</summary>
public sealed record HubDescriptor(byte Type, int Ports, ushort Characteristics)
{
    public PortPowerSwitching Switching => (Characteristics & 0x3) switch
    {
        0 => PortPowerSwitching.Ganged,
        1 => PortPowerSwitching.PerPort,
        _ => PortPowerSwitching.None,
    };

    /// <summary>bLength, bDescriptorType, bNbrPorts, wHubCharacteristics: the same first 5 bytes for USB 2 and USB 3 hubs.</summary>
    public static HubDescriptor? Parse(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5 || bytes[0] < 5 || (bytes[1] != HubRequests.Usb2HubDescriptorType && bytes[1] != HubRequests.Usb3HubDescriptorType))
        {
            return null;
        }
        return new HubDescriptor(bytes[1], bytes[2], (ushort)(bytes[3] | (bytes[4] << 8)));
    }
}
