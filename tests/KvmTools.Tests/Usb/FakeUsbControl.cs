using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Core.Usb;

namespace KvmTools.Tests.Usb;

/// <summary>
/// The kernel's side of a reset, for fixture trees: attribute writes really go to the fixture files (through
/// kvmtool's own SysfsWriter), every call is recorded in order, and hooks play what the kernel would do next.
/// </summary>
public sealed class FakeUsbControl : IUsbControl
{
    public List<string> Calls { get; } = [];

    /// <summary>Paths this "user" may not write.</summary>
    public HashSet<string> Denied { get; } = new(StringComparer.Ordinal);

    /// <summary>What GetHubDescriptor returns, by hub node; absent: the descriptor cannot be read.</summary>
    public Dictionary<string, byte[]> HubDescriptors { get; } = new(StringComparer.Ordinal);

    public Action<string>? OnReset { get; set; }

    public Action<string, string>? OnWrite { get; set; }

    public Action<string, int, bool>? OnPortPower { get; set; }

    public bool CanWrite(string path) => !Denied.Contains(path);

    public void ResetDevice(string devfsNode)
    {
        Calls.Add("reset " + devfsNode);
        OnReset?.Invoke(devfsNode);
    }

    public void WriteAttribute(string path, string value)
    {
        Calls.Add($"write {value} > {path}");
        SysfsWriter.Write(path, value);
        OnWrite?.Invoke(path, value);
    }

    public byte[]? ReadHubDescriptor(string hubDevfsNode, bool superSpeed)
    {
        Calls.Add($"hub-descriptor {hubDevfsNode}{(superSpeed ? " ss" : "")}");
        return HubDescriptors.GetValueOrDefault(hubDevfsNode);
    }

    public void SetPortPower(string hubDevfsNode, int port, bool on)
    {
        Calls.Add($"port-power {hubDevfsNode} {port} {(on ? "on" : "off")}");
        OnPortPower?.Invoke(hubDevfsNode, port, on);
    }

    /// <summary>wHubCharacteristics 0x0009 (per-port), 0x0008 (ganged), 0x000a (none), as lsusb shows them.</summary>
    public static byte[] Usb2Hub(int ports, ushort characteristics) =>
        [9, 0x29, (byte)ports, (byte)characteristics, (byte)(characteristics >> 8), 50, 100, 0x00, 0xff];
}

/// <summary>A clock that only moves when the code under test sleeps, running scheduled kernel events on the way.</summary>
public sealed class ScriptedClock : IResetClock
{
    private readonly List<(TimeSpan At, Action Do)> _events = [];

    public TimeSpan Elapsed { get; private set; }

    public int Sleeps { get; private set; }

    /// <summary>Runs <paramref name="action"/> once the clock has moved <paramref name="delay"/> past now.</summary>
    public void After(TimeSpan delay, Action action) => _events.Add((Elapsed + delay, action));

    public void After(int milliseconds, Action action) => After(TimeSpan.FromMilliseconds(milliseconds), action);

    public void Sleep(TimeSpan interval)
    {
        Sleeps++;
        Elapsed += interval;
        foreach (var due in _events.Where(e => e.At <= Elapsed).OrderBy(e => e.At).ToList())
        {
            _events.Remove(due);
            due.Do();
        }
    }
}

/// <summary>Helpers shared by the USB tests.</summary>
public static class UsbTestKit
{
    public static UsbService Service(UsbTree tree, FakeUsbControl control, ScriptedClock clock, UsbConfig? config = null) =>
        new(tree.Paths, config ?? new UsbConfig(), control, clock);

    /// <summary>A typical box: usb1 root hub, a 4-port hub at 1-1 with the dongle on port 4 and a relay on port 2.</summary>
    public static UsbTree KvmBox(bool disableFiles = true)
    {
        var tree = new UsbTree();
        tree.AddRootHub(1, 1, disableFiles: disableFiles);
        tree.AddHub("1-1", 1, 2, 4, disableFiles: disableFiles);
        tree.Plug(UsbTree.Capture());
        tree.Plug(UsbTree.Relay());
        return tree;
    }

    public static UsbResetOptions Options(UsbResetMethod method, double seconds = 5, bool yes = false, bool all = false) =>
        new(method, TimeSpan.FromSeconds(seconds), all, yes);

    public static T Throws<T>(Action action) where T : KvmToolException => Assert.Throws<T>(action);
}
