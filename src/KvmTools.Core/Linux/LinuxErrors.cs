namespace KvmTools.Core.Linux;

/// <summary>Turns an errno from a device call into kvmtool's typed failures, each with a hint the user can act on.</summary>
public static class LinuxErrors
{
    /// <summary>The fix for "permission denied" on device nodes, shared by every device family.</summary>
    public const string DevicePermissionHint =
        "Run as root, or install kvmtool's udev rules (the .deb installs /usr/lib/udev/rules.d/60-kvmtool.rules) " +
        "and add the user to the group they grant (kvmd on PiKVM), then re-plug the device or run 'udevadm trigger'.";

    public static KvmToolException FromErrno(int errno, string action, string path, string? hint = null)
    {
        string detail = $"{action} {path}: {LibC.Describe(errno)}";
        return errno switch
        {
            LibC.EACCES or LibC.EPERM => new PermissionDeniedException(
                $"Permission denied: cannot {action} {path}.", hint ?? DevicePermissionHint),
            LibC.ENOENT or LibC.ENODEV or LibC.ENXIO => new NotFoundException(
                $"Cannot {detail} (the device is gone: unplugged, reset or renumbered).",
                hint ?? "Check the cable and run 'kvmtool usb list' to see what is attached now."),
            LibC.EBUSY or LibC.EAGAIN => new DeviceTimeoutException(
                $"Cannot {detail} (busy).", hint ?? "Another program is using the device; try again in a moment."),
            LibC.ETIMEDOUT => new DeviceTimeoutException(
                $"Cannot {detail} (the device did not answer in time).", hint ?? "Re-plug the device, or reset it with 'kvmtool usb reset'."),
            LibC.EROFS => new OperationFailedException(
                $"Cannot {detail}.", hint ?? "The filesystem is read-only; on PiKVM OS run 'rw' first and 'ro' after."),
            _ => new OperationFailedException($"Cannot {detail}.", hint),
        };
    }
}
