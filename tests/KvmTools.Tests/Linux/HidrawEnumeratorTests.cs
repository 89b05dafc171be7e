using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Linux;

public class HidrawEnumeratorTests
{
    [Fact]
    public void ReadsIdsNamesAndTheUsbParent()
    {
        using var fx = new SysfsFixture();
        fx.AddUsbDevice("1-1.4", bus: 1, dev: 7, 0x5131, 0x2007, serial: "USBSER");
        fx.AddHidraw(0, "1-1.4", 0x5131, 0x2007, hidName: "HID 5131:2007");

        var info = Assert.Single(new HidrawEnumerator(fx.Paths).List());

        Assert.Equal("hidraw0", info.Name);
        Assert.Equal(Path.Combine(fx.DevRoot, "hidraw0"), info.DevicePath);
        Assert.Equal((ushort)3, info.Bus);
        Assert.Equal("5131:2007", info.Id);
        Assert.Equal("HID 5131:2007", info.HidName);
        Assert.NotNull(info.Usb);
        Assert.Equal("1-1.4", info.Usb!.PortPath);
        Assert.Equal(1, info.Usb.BusNumber);
        Assert.Equal(7, info.Usb.DeviceNumber);
        Assert.Equal("bus/usb/001/007", info.Usb.DevfsName);
        Assert.Equal("USBSER", info.Serial);
    }

    [Fact]
    public void HidUniqWinsOverTheUsbSerial()
    {
        using var fx = new SysfsFixture();
        fx.AddUsbDevice("1-1", 1, 2, 0x16c0, 0x05df, serial: "usb-serial");
        fx.AddHidraw(0, "1-1", 0x16c0, 0x05df, uniq: "hid-uniq");
        Assert.Equal("hid-uniq", Assert.Single(new HidrawEnumerator(fx.Paths).List()).Serial);
    }

    [Fact]
    public void ListsInNumericOrderAcrossTenAndMore()
    {
        using var fx = new SysfsFixture();
        fx.AddUsbDevice("1-1", 1, 2, 0x5131, 0x2007);
        fx.AddHidraw(10, "1-1", 0x5131, 0x2007);
        fx.AddHidraw(2, "1-1", 0x5131, 0x2007);
        fx.AddHidraw(1, "1-1", 0x5131, 0x2007);
        Assert.Equal(["hidraw1", "hidraw2", "hidraw10"], new HidrawEnumerator(fx.Paths).List().Select(h => h.Name));
    }

    [Fact]
    public void ADeviceWithoutUsbParentHasNoPort()
    {
        using var fx = new SysfsFixture();
        fx.AddHidraw(0, port: null, 0x5131, 0x2007);
        var info = Assert.Single(new HidrawEnumerator(fx.Paths).List());
        Assert.Null(info.Usb);
        Assert.Null(info.Serial);
    }

    [Fact]
    public void SkipsNodesWhoseUeventIsMissingOrUnreadable()
    {
        using var fx = new SysfsFixture();
        fx.AddUsbDevice("1-1", 1, 2, 0x5131, 0x2007);
        fx.AddHidraw(0, "1-1", 0x5131, 0x2007);
        fx.AddHidraw(1, "1-1", 0x5131, 0x2007, hidSeq: 0x20);
        fx.AddHidraw(2, "1-1", 0x5131, 0x2007, hidSeq: 0x21);
        // hidraw1: the uevent is gone (device unplugged mid-listing); hidraw2: the uevent cannot be read as a file.
        File.Delete(fx.Sys("devices", "pci0000:00", "0000:00:14.0", "usb1", "1-1", "1-1:1.0", "0003:5131:2007.0020", "uevent"));
        string unreadable = fx.Sys("devices", "pci0000:00", "0000:00:14.0", "usb1", "1-1", "1-1:1.0", "0003:5131:2007.0021", "uevent");
        File.Delete(unreadable);
        Directory.CreateDirectory(unreadable);

        Assert.Equal(["hidraw0"], new HidrawEnumerator(fx.Paths).List().Select(h => h.Name));
    }

    [Fact]
    public void SkipsMalformedHidIds()
    {
        using var fx = new SysfsFixture();
        fx.AddUsbDevice("1-1", 1, 2, 0x5131, 0x2007);
        fx.AddHidraw(0, "1-1", 0x5131, 0x2007);
        string uevent = fx.Sys("devices", "pci0000:00", "0000:00:14.0", "usb1", "1-1", "1-1:1.0", "0003:5131:2007.0001", "uevent");
        File.WriteAllText(uevent, "HID_ID=garbage\n");
        Assert.Empty(new HidrawEnumerator(fx.Paths).List());
    }

    [Fact]
    public void NoHidrawClassMeansNoDevices()
    {
        using var fx = new SysfsFixture();
        Directory.Delete(fx.Sys("class", "hidraw"));
        Assert.Empty(new HidrawEnumerator(fx.Paths).List());
    }

    [Theory]
    [InlineData("0003:00005131:00002007", true, 3, 0x5131, 0x2007)]
    [InlineData("0005:0000046D:0000B33E", true, 5, 0x046d, 0xb33e)]
    [InlineData("0003:5131", false, 0, 0, 0)]
    [InlineData("0003:00015131:00002007", false, 0, 0, 0)]
    [InlineData("zz:1:2", false, 0, 0, 0)]
    public void ParsesHidId(string text, bool ok, int bus, int vid, int pid)
    {
        Assert.Equal(ok, HidrawEnumerator.TryParseHidId(text, out ushort b, out ushort v, out ushort p));
        if (ok)
        {
            Assert.Equal((bus, vid, pid), (b, v, p));
        }
    }
}
