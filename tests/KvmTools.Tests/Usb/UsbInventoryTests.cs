using KvmTools.Core.Usb;

namespace KvmTools.Tests.Usb;

public sealed class UsbInventoryTests : IDisposable
{
    private readonly UsbTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private UsbInventory Inventory => new(_tree.Paths);

    private string Dev(string name) => Path.Combine(_tree.Fx.DevRoot, name);

    [Fact]
    public void ListsDevicesWithTheirIdentityAndState()
    {
        _tree.AddRootHub(1, 1);
        _tree.AddHub("1-1", 1, 2, 4);
        _tree.Plug(UsbTree.Capture());
        _tree.Plug(UsbTree.Ftdi());

        var devices = Inventory.List();

        Assert.Equal(["usb1", "1-1", "1-1.3", "1-1.4"], devices.Select(d => d.PortPath));
        var root = devices[0];
        Assert.True(root.IsRootHub);
        Assert.True(root.IsHub);
        Assert.Equal("1d6b:0002", root.Id);
        Assert.Equal(["hub"], root.Drivers);

        var capture = devices.Single(d => d.PortPath == "1-1.4");
        Assert.Equal((1, 5), (capture.BusNumber, capture.DeviceNumber));
        Assert.Equal("534d:2109", capture.Id);
        Assert.Equal("MACROSILICON", capture.Manufacturer);
        Assert.Equal("USB Video", capture.Product);
        Assert.Null(capture.Serial);
        Assert.Equal("480", capture.Speed);
        Assert.True(capture.Authorized);
        Assert.False(capture.IsHub);
        Assert.Equal("bus/usb/001/005", capture.DevfsName);
        Assert.Equal("001/005", capture.BusDevice);
        Assert.Equal(["uvcvideo", "snd-usb-audio"], capture.Drivers);
        Assert.Equal(["1-1.4:1.0", "1-1.4:1.1", "1-1.4:1.2", "1-1.4:1.3"], capture.Interfaces.Select(i => i.Name));
        Assert.Equal((byte)0x0e, capture.Interfaces[0].Class);

        var ftdi = devices.Single(d => d.PortPath == "1-1.3");
        Assert.Equal("A50285BI", ftdi.Serial);
        Assert.Equal("12", ftdi.Speed);
    }

    [Fact]
    public void MapsVideoSoundAndUdevSymlinks()
    {
        _tree.Plug(UsbTree.Capture());
        var capture = Assert.Single(Inventory.List());

        Assert.Equal([Dev("video0"), Dev("video1"), Dev("snd/controlC1"), Dev("snd/pcmC1D0c")], capture.Nodes.Select(n => n.Path));
        Assert.Equal(["video4linux", "video4linux", "sound", "sound"], capture.Nodes.Select(n => n.Subsystem));
        Assert.All(capture.Nodes, n => Assert.True(n.Exists));
        Assert.Equal([Dev("kvmd-video")], capture.Nodes[0].Aliases);
        Assert.Empty(capture.Nodes[1].Aliases);
    }

    [Fact]
    public void MapsHidrawTtyUsbTtyAcmAndInputNodes()
    {
        _tree.Plug(UsbTree.Relay());
        _tree.Plug(UsbTree.Ftdi());
        _tree.Plug(UsbTree.Acm());
        _tree.Plug(UsbTree.Keyboard());
        var byPort = Inventory.List().ToDictionary(d => d.PortPath);

        var relay = Assert.Single(byPort["1-1.2"].Nodes);
        Assert.Equal((Dev("hidraw0"), "hidraw"), (relay.Path, relay.Subsystem));
        Assert.Equal([Dev("kvmd-hid")], relay.Aliases);

        var ttyUsb = Assert.Single(byPort["1-1.3"].Nodes);
        Assert.Equal((Dev("ttyUSB0"), "tty"), (ttyUsb.Path, ttyUsb.Subsystem));

        var ttyAcm = Assert.Single(byPort["1-1.1"].Nodes);
        Assert.Equal((Dev("ttyACM0"), "tty"), (ttyAcm.Path, ttyAcm.Subsystem));
        Assert.Equal(["cdc_acm"], byPort["1-1.1"].Drivers);

        Assert.Equal([Dev("hidraw1"), Dev("input/event3")], byPort["2-1"].Nodes.Select(n => n.Path));
        Assert.Equal(["hidraw", "input"], byPort["2-1"].Nodes.Select(n => n.Subsystem));
    }

    [Fact]
    public void AHubDoesNotClaimTheNodesOfTheDevicesBelowIt()
    {
        _tree.AddRootHub(1, 1);
        _tree.AddHub("1-1", 1, 2, 4);
        _tree.Plug(UsbTree.Capture());
        var hub = Inventory.Read("1-1")!;
        Assert.Empty(hub.Nodes);
        Assert.Equal(4, Inventory.Read("1-1.4")!.Nodes.Count);
    }

    [Fact]
    public void TtyNodesWithoutDevnameAreNamedByTheirDirectory()
    {
        // The shared fixture's tty layout carries no uevent, as some trees do not: the class directory names it.
        _tree.Fx.AddUsbDevice("1-2", 1, 7, 0x1a86, 0x7523, product: "USB Serial");
        _tree.Fx.AddTty("ttyUSB1", "1-2");
        var node = Assert.Single(Inventory.Read("1-2")!.Nodes);
        Assert.Equal(Dev("ttyUSB1"), node.Path);
        Assert.Equal("tty", node.Subsystem);
        Assert.False(node.Exists);
    }

    [Fact]
    public void ANodeUdevHasNotCreatedYetIsMarkedMissing()
    {
        _tree.Plug(UsbTree.Capture());
        _tree.RemoveDevFiles("1-1.4");
        var capture = Inventory.Read("1-1.4")!;
        Assert.Equal(4, capture.Nodes.Count);
        Assert.All(capture.Nodes, n => Assert.False(n.Exists));
    }

    [Fact]
    public void AnUnauthorizedDeviceIsListedWithoutInterfaces()
    {
        _tree.Plug(UsbTree.Capture());
        _tree.Deconfigure("1-1.4");
        var capture = Inventory.Read("1-1.4")!;
        Assert.False(capture.Authorized);
        Assert.Empty(capture.Interfaces);
        Assert.Empty(capture.Nodes);
    }

    [Fact]
    public void NoUsbBusMeansNoDevices()
    {
        Directory.Delete(_tree.Fx.Sys("bus", "usb"), recursive: true);
        Assert.Empty(Inventory.List());
        Assert.Null(Inventory.Read("1-1"));
    }

    [Fact]
    public void PortPathsSortByNumberNotText()
    {
        _tree.Plug(UsbTree.Relay(port: "1-1.10", dev: 9));
        _tree.Plug(UsbTree.Relay(port: "1-1.2", dev: 3, hidraw: 1) with { Aliases = new Dictionary<string, string>() });
        _tree.Plug(UsbTree.Keyboard());
        Assert.Equal(["1-1.2", "1-1.10", "2-1"], Inventory.List().Select(d => d.PortPath));
    }
}
