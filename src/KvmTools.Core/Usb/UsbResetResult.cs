namespace KvmTools.Core.Usb;

/// <summary>What one method did.</summary>
public enum UsbAttemptOutcome
{
    /// <summary>The device is back at its port, with its drivers bound and its nodes present.</summary>
    Back,
    /// <summary>The method ran, but the device did not come back healthy within the timeout.</summary>
    NotBack,
    /// <summary>The method could not be used here (no port power switching, ganged without --yes, device absent).</summary>
    Skipped,
    /// <summary>The method itself failed (permission, an ioctl or sysfs write refused).</summary>
    Failed,
}

public sealed record UsbResetAttempt(UsbResetMethod Method, UsbAttemptOutcome Outcome, string Detail, TimeSpan Elapsed);

/// <summary>
/// The outcome of resetting one device: where it was and is now, what was done, and the evidence that it came
/// back (never just a return code). <see cref="CameBack"/> is false when it did not, with <see cref="Problem"/>
/// saying what is missing and <see cref="Hint"/> what to do.
/// </summary>
public sealed record UsbResetResult(
    string Selector,
    string PortPath,
    UsbDevice? Before,
    UsbDevice? After,
    UsbResetMethod Method,
    UsbResetMethod? SucceededWith,
    bool CameBack,
    string Evidence,
    string? Problem,
    string? Hint,
    IReadOnlyList<UsbResetAttempt> Attempts,
    IReadOnlyList<UsbDevice> Disturbed,
    TimeSpan Elapsed)
{
    /// <summary>The device got a new device number: it was enumerated anew, not reset in place.</summary>
    public bool Renumbered => Before is not null && After is not null && After.DeviceNumber != Before.DeviceNumber;
}

/// <summary>What a reset is aimed at: the device found (or, for a power reset, only its port) and what to expect back.</summary>
public sealed record UsbResetTarget(string Selector, string Command, string PortPath, UsbDevice? Before, ushort? VendorId, ushort? ProductId)
{
    public string Describe() => Before?.Describe() ?? $"port {PortPath}" + (VendorId is null ? "" : $" (expecting {VendorId:x4}:{ProductId:x4})");
}

public sealed record UsbResetOptions(UsbResetMethod? Method = null, TimeSpan? Timeout = null, bool All = false, bool Yes = false);
