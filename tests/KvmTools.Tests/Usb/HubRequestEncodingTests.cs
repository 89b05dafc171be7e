using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Usb;

namespace KvmTools.Tests.Usb;

public class HubRequestEncodingTests
{
    [Fact]
    public void IoctlNumbersMatchLinuxOnBothWordSizes()
    {
        Assert.Equal(0x5514u, UsbDevfsAbi.ResetRequest);
        Assert.Equal(24, UsbDevfsAbi.CtrlTransferSize(8));
        Assert.Equal(16, UsbDevfsAbi.CtrlTransferSize(4));
        Assert.Equal(0xC0185500u, UsbDevfsAbi.ControlRequest(8));
        Assert.Equal(0xC0105500u, UsbDevfsAbi.ControlRequest(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => UsbDevfsAbi.CtrlTransferSize(2));
    }

    [Fact]
    public void ClearPortFeaturePortPowerIsTheSpecsRequest()
    {
        var p = HubRequests.ClearPortPower(4);
        Assert.Equal(new UsbSetupPacket(0x23, 0x01, 8, 4, 0), p);
        Assert.Equal([0x23, 0x01, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00], HubRequests.SetupBytes(p));
    }

    [Fact]
    public void SetPortFeaturePortPowerIsTheSpecsRequest()
    {
        var p = HubRequests.SetPortPower(2);
        Assert.Equal(new UsbSetupPacket(0x23, 0x03, 8, 2, 0), p);
        Assert.Equal([0x23, 0x03, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00], HubRequests.SetupBytes(p));
    }

    [Fact]
    public void GetHubDescriptorAsksForTheRightType()
    {
        Assert.Equal([0xA0, 0x06, 0x00, 0x29, 0x00, 0x00, 0x0C, 0x00], HubRequests.SetupBytes(HubRequests.GetHubDescriptor(superSpeed: false)));
        Assert.Equal([0xA0, 0x06, 0x00, 0x2A, 0x00, 0x00, 0x0C, 0x00], HubRequests.SetupBytes(HubRequests.GetHubDescriptor(superSpeed: true)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(256)]
    [InlineData(-1)]
    public void PortNumbersOutsideOneTo255AreRefused(int port) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HubRequests.ClearPortPower(port));

    [Fact]
    public void TheControlStructOn64BitPadsBeforeThePointer()
    {
        var buffer = new byte[24];
        buffer.AsSpan().Fill(0xEE);
        UsbDevfsAbi.EncodeCtrlTransfer(HubRequests.ClearPortPower(4), 1000, 0x1122334455667788, 8, buffer);
        Assert.Equal(
            [
                0x23, 0x01, 0x08, 0x00, 0x04, 0x00, 0x00, 0x00, // bRequestType, bRequest, wValue, wIndex, wLength
                0xE8, 0x03, 0x00, 0x00,                         // timeout = 1000 ms
                0x00, 0x00, 0x00, 0x00,                         // padding: the pointer is 8-aligned
                0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, // data
            ],
            buffer);
    }

    [Fact]
    public void TheControlStructOn32BitHasThePointerRightAfterTheTimeout()
    {
        var buffer = new byte[16];
        UsbDevfsAbi.EncodeCtrlTransfer(HubRequests.GetHubDescriptor(false), 500, 0xCAFEBABE, 4, buffer);
        Assert.Equal(
            [
                0xA0, 0x06, 0x00, 0x29, 0x00, 0x00, 0x0C, 0x00,
                0xF4, 0x01, 0x00, 0x00,
                0xBE, 0xBA, 0xFE, 0xCA,
            ],
            buffer);
    }

    [Fact]
    public void TheControlStructRefusesATooSmallBuffer() =>
        Assert.Throws<ArgumentException>(() => UsbDevfsAbi.EncodeCtrlTransfer(HubRequests.SetPortPower(1), 1, 0, 8, new byte[16]));

    [Theory]
    [InlineData(0x0009, PortPowerSwitching.PerPort)]
    [InlineData(0x0008, PortPowerSwitching.Ganged)]
    [InlineData(0x00e0, PortPowerSwitching.Ganged)]
    [InlineData(0x000a, PortPowerSwitching.None)]
    [InlineData(0x000b, PortPowerSwitching.None)]
    public void HubCharacteristicsTellHowPortsSwitch(int characteristics, PortPowerSwitching expected)
    {
        var d = HubDescriptor.Parse(FakeUsbControl.Usb2Hub(4, (ushort)characteristics));
        Assert.NotNull(d);
        Assert.Equal(4, d!.Ports);
        Assert.Equal(expected, d.Switching);
    }

    [Fact]
    public void ASuperSpeedHubDescriptorParsesToo()
    {
        // bLength 12, type 0x2A, 4 ports, wHubCharacteristics 0x0009, ...
        var d = HubDescriptor.Parse([12, 0x2A, 4, 0x09, 0x00, 10, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(PortPowerSwitching.PerPort, d!.Switching);
        Assert.Equal(0x2A, d.Type);
    }

    [Theory]
    [InlineData(new byte[] { })]
    [InlineData(new byte[] { 9, 0x29, 4, 0x09 })]
    [InlineData(new byte[] { 18, 0x01, 0x00, 0x02, 0x09 })]
    public void AnythingElseIsNoHubDescriptor(byte[] bytes) => Assert.Null(HubDescriptor.Parse(bytes));

    [Fact]
    public void TheRealIoctlPathsReportTheKernelsAnswer()
    {
        // A regular file stands in for a device node: open works, the ioctls fail with ENOTTY, as on a non-usbdevfs node.
        string file = Path.GetTempFileName();
        try
        {
            var control = new SystemUsbControl();
            var reset = Assert.Throws<OperationFailedException>(() => control.ResetDevice(file));
            Assert.Contains("USBDEVFS_RESET", reset.Message);
            Assert.Contains(file, reset.Message);
            var power = Assert.Throws<OperationFailedException>(() => control.SetPortPower(file, 3, on: false));
            Assert.Contains("ClearPortFeature(PORT_POWER)", power.Message);
            Assert.Null(control.ReadHubDescriptor(file, superSpeed: false));
            Assert.Throws<NotFoundException>(() => control.ResetDevice(file + ".missing"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void SysfsWritesReplaceTheValueAndReportErrors()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "1\n");
            SysfsWriter.Write(file, "0");
            Assert.Equal("0", File.ReadAllText(file));
            Assert.True(SysfsWriter.CanWrite(file));
            Assert.False(SysfsWriter.CanWrite(file + ".missing"));
            Assert.Throws<NotFoundException>(() => SysfsWriter.Write(file + ".missing", "1"));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
