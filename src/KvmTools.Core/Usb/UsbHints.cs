namespace KvmTools.Core.Usb;

/// <summary>The fixes kvmtool names when a reset lacks privileges.</summary>
public static class UsbHints
{
    public const string UdevRulesFile = "/usr/lib/udev/rules.d/60-kvmtool.rules";

    /// <summary>usbdevfs nodes are root's; a udev rule can give kvmd's group read-write access to one device.</summary>
    public static string Devfs(string command, ushort vid, ushort pid) =>
        $"Run as root ('sudo {command}'), or install kvmtool's udev rule {UdevRulesFile}, which gives group kvmd " +
        $"read-write access to the device's node: SUBSYSTEM==\"usb\", ENV{{DEVTYPE}}==\"usb_device\", " +
        $"ATTR{{idVendor}}==\"{vid:x4}\", ATTR{{idProduct}}==\"{pid:x4}\", GROUP=\"kvmd\", MODE=\"0660\"; " +
        "then run 'sudo udevadm trigger' or re-plug the device.";

    /// <summary>sysfs attributes (authorized, bind/unbind, a port's disable) are writable by root only.</summary>
    public static string Sysfs(string command) =>
        $"These sysfs files are writable by root only: run as root ('sudo {command}'). " +
        "The default method (ioctl) works without root once kvmtool's udev rule is installed.";

    /// <summary>Before Linux 6.0, port power goes through the hub's own usbdevfs node.</summary>
    public static string HubDevfs(string command, string hubNode) =>
        $"Switching port power before Linux 6.0 goes through the hub's node {hubNode}, which is root's: run as root ('sudo {command}').";

    public static string Quote(string selector) =>
        selector.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '`' or '\\') ? "'" + selector.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : selector;
}
