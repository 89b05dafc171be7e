using KvmTools.Core.Linux;

namespace KvmTools.Core.Usb;

/// <summary>
/// Resets one device by one method (or climbs the 'auto' ladder), then watches sysfs until the device is back
/// at the same port, healthy, with evidence that the method took effect; bounded by the caller's timeout.
/// </summary>
public sealed class UsbResetter(UsbInventory inventory, IUsbControl control, IResetClock clock)
{
    /// <summary>sysfs is cheap to read; 50 ms notices a returning device quickly without spinning.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How long a port stays unpowered: enough for a bus-powered device's supply to drain so it starts cold.</summary>
    public static readonly TimeSpan PowerOffTime = TimeSpan.FromSeconds(1);

    /// <summary>Beyond the off time, how long to wait for the hub driver to notice the device gone (usbdevfs path).</summary>
    public static readonly TimeSpan GoneTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Deauthorize and unbind are synchronous in the kernel; this bounds checking that they happened.</summary>
    public static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The whole 'auto' ladder ends within this: with a 15 s lock wait and a port's off time it stays below the 60 s last-resort timer.</summary>
    public static readonly TimeSpan AutoBudget = TimeSpan.FromSeconds(40);

    private SystemPaths Paths => inventory.Paths;

    public UsbResetResult Reset(UsbResetTarget target, UsbResetMethod method, TimeSpan timeout, bool yes)
    {
        TimeSpan start = clock.Elapsed;
        if (target.Before is { IsRootHub: true } root)
        {
            throw new UsageException($"{root.Describe()} is a root hub (the host controller itself); the kernel does not reset it.",
                "Reset the device attached to it instead; 'kvmtool usb list' shows the port paths.");
        }
        if (method != UsbResetMethod.Auto)
        {
            var outcome = Run(target, method, timeout, yes);
            var attempt = new UsbResetAttempt(method, outcome.Back ? UsbAttemptOutcome.Back : UsbAttemptOutcome.NotBack,
                outcome.Back ? outcome.Evidence : outcome.Problem!, clock.Elapsed - start);
            return Result(target, method, outcome, [attempt], start);
        }

        var attempts = new List<UsbResetAttempt>();
        var denied = new List<PermissionDeniedException>();
        Outcome? last = null;
        TimeSpan budgetEnd = start + AutoBudget;
        foreach (var step in UsbResetMethods.AutoOrder)
        {
            TimeSpan stepStart = clock.Elapsed;
            TimeSpan left = budgetEnd - stepStart;
            if (left <= TimeSpan.Zero)
            {
                attempts.Add(new UsbResetAttempt(step, UsbAttemptOutcome.Skipped, $"the {AutoBudget.TotalSeconds:0} s budget of 'auto' is used up", TimeSpan.Zero));
                continue;
            }
            try
            {
                var outcome = Run(target, step, timeout < left ? timeout : left, yes);
                last = outcome;
                attempts.Add(new UsbResetAttempt(step, outcome.Back ? UsbAttemptOutcome.Back : UsbAttemptOutcome.NotBack,
                    outcome.Back ? outcome.Evidence : outcome.Problem!, clock.Elapsed - stepStart));
                if (outcome.Back)
                {
                    return Result(target, UsbResetMethod.Auto, outcome, attempts, start);
                }
            }
            catch (PermissionDeniedException e)
            {
                denied.Add(e);
                attempts.Add(new UsbResetAttempt(step, UsbAttemptOutcome.Failed, e.Message, clock.Elapsed - stepStart));
            }
            catch (KvmToolException e) when (e.Kind is FailureKind.Usage or FailureKind.NotFound)
            {
                attempts.Add(new UsbResetAttempt(step, UsbAttemptOutcome.Skipped, e.Message + (e.Hint is null ? "" : " " + e.Hint), clock.Elapsed - stepStart));
            }
            catch (KvmToolException e) when (e.Kind is FailureKind.Failed)
            {
                attempts.Add(new UsbResetAttempt(step, UsbAttemptOutcome.Failed, e.Message, clock.Elapsed - stepStart));
            }
        }
        if (last is null && denied.Count > 0)
        {
            // Nothing ran at all for lack of privileges: that, not "did not come back", is the answer.
            throw new PermissionDeniedException(
                $"No reset method could be used on {target.Describe()}: " + string.Join(" ", denied.Select(d => d.Message)),
                denied[0].Hint);
        }
        var final = last ?? new Outcome(false, inventory.Read(target.PortPath), "", "no reset method could be used", []);
        string problem = $"{target.Describe()} is not back after trying " +
            string.Join(", ", attempts.Select(a => $"{a.Method.Name()} ({Word(a.Outcome)})")) + ".";
        return Result(target, UsbResetMethod.Auto, final with { Problem = problem + " " + final.Problem }, attempts, start);
    }

    private UsbResetResult Result(UsbResetTarget target, UsbResetMethod method, Outcome outcome, List<UsbResetAttempt> attempts, TimeSpan start)
    {
        UsbResetMethod? succeeded = outcome.Back ? attempts[^1].Method : null;
        string? hint = outcome.Back ? null : NextStep(target, attempts[^1].Method, method);
        return new UsbResetResult(target.Selector, target.PortPath, target.Before, outcome.After, method, succeeded, outcome.Back,
            outcome.Back ? outcome.Evidence : "", outcome.Back ? null : outcome.Problem, hint, attempts, outcome.Disturbed, clock.Elapsed - start);
    }

    private static string NextStep(UsbResetTarget target, UsbResetMethod last, UsbResetMethod asked) => asked == UsbResetMethod.Auto || last == UsbResetMethod.Power
        ? "Re-plug the device by hand; if it still does not come back, the device, its cable or its power supply is failing ('dmesg' shows the kernel's side)."
        : $"Try a stronger method: '{target.Command} --method {(last == UsbResetMethod.Authorize ? "power" : "authorize")}' " +
          $"(or '--method auto'), or re-plug the device.";

    private static string Word(UsbAttemptOutcome o) => o switch
    {
        UsbAttemptOutcome.Back => "back",
        UsbAttemptOutcome.NotBack => "not back",
        UsbAttemptOutcome.Skipped => "skipped",
        _ => "failed",
    };

    /// <summary>What one method achieved: back or not, the device now, and the evidence or what is missing.</summary>
    private sealed record Outcome(bool Back, UsbDevice? After, string Evidence, string? Problem, IReadOnlyList<UsbDevice> Disturbed);

    private Outcome Run(UsbResetTarget target, UsbResetMethod method, TimeSpan wait, bool yes) => method switch
    {
        UsbResetMethod.Ioctl => Ioctl(target, wait),
        UsbResetMethod.Rebind => Rebind(target, wait),
        UsbResetMethod.Authorize => Authorize(target, wait),
        UsbResetMethod.Power => Power(target, wait, yes),
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    private UsbDevice Present(UsbResetTarget target, UsbResetMethod method)
    {
        var now = inventory.Read(target.PortPath);
        if (now is null || (target.VendorId is ushort vid && (now.VendorId != vid || now.ProductId != target.ProductId)))
        {
            throw new NotFoundException(
                $"The '{method.Name()}' method needs the device present, and {(now is null ? "nothing" : now.Id)} is attached at {target.PortPath}.",
                "Only '--method power' can act on an empty port.");
        }
        return now;
    }

    private Outcome Ioctl(UsbResetTarget target, TimeSpan wait)
    {
        var current = Present(target, UsbResetMethod.Ioctl);
        string node = Paths.Dev(current.DevfsName);
        RequireNode(node);
        if (!control.CanWrite(node))
        {
            throw new PermissionDeniedException($"Permission denied: cannot open {node} to reset {current.Describe()}.",
                UsbHints.Devfs(target.Command, current.VendorId, current.ProductId));
        }
        bool ioctlSaidGone = false;
        try
        {
            control.ResetDevice(node);
        }
        catch (NotFoundException)
        {
            // ENODEV: the kernel saw different descriptors after the reset and re-enumerated the device.
            ioctlSaidGone = true;
        }
        return WaitForReturn(target, current, wait, "USBDEVFS_RESET", _ => null, (now, seenGone) =>
            seenGone || now.DeviceNumber != current.DeviceNumber
                ? $"USBDEVFS_RESET {(ioctlSaidGone ? "reported the device gone" : "returned")}; the device re-enumerated at {now.PortPath} " +
                  $"as bus {now.BusNumber} device {now.DeviceNumber}{Healthy(now)}."
                : $"USBDEVFS_RESET returned success and the device is present at {now.PortPath} with the same address " +
                  $"(bus {now.BusNumber} device {now.DeviceNumber}: a reset in place){Healthy(now)}.");
    }

    private Outcome Authorize(UsbResetTarget target, TimeSpan wait)
    {
        var current = Present(target, UsbResetMethod.Authorize);
        string path = Path.Combine(current.SysPath, "authorized");
        if (!File.Exists(path))
        {
            throw new OperationFailedException($"{path} does not exist; this kernel cannot deauthorize USB devices.", "Use --method ioctl or power.");
        }
        if (!control.CanWrite(path))
        {
            throw new PermissionDeniedException($"Permission denied: cannot write {path}.", UsbHints.Sysfs(target.Command + " --method authorize"));
        }
        bool deauthorized;
        control.WriteAttribute(path, "0");
        try
        {
            deauthorized = Until(SettleTimeout, () => inventory.Read(target.PortPath) is not { } d || (!d.Authorized && d.Interfaces.All(i => i.Driver is null)));
        }
        catch
        {
            Reauthorize(path, current);
            throw;
        }
        Reauthorize(path, current);
        return WaitForReturn(target, current, wait, "deauthorizing and re-authorizing it",
            _ => deauthorized ? null : "the kernel did not deauthorize it (its interfaces stayed)",
            (now, _) => $"The device was deauthorized (its interfaces went away) and authorized again; it is configured again at " +
                        $"{now.PortPath} as bus {now.BusNumber} device {now.DeviceNumber}{Healthy(now)}.");
    }

    /// <summary>Whatever happened after writing 0, the device must not be left deauthorized (unusable).</summary>
    private void Reauthorize(string path, UsbDevice device)
    {
        try
        {
            control.WriteAttribute(path, "1");
        }
        catch (KvmToolException e)
        {
            throw new OperationFailedException(
                $"Wrote 0 to {path}, but writing 1 back failed ({e.Message}): {device.Describe()} stays deauthorized and unusable.",
                $"Run 'echo 1 | sudo tee {path}', or re-plug the device.", e);
        }
    }

    private Outcome Rebind(UsbResetTarget target, TimeSpan wait)
    {
        var current = Present(target, UsbResetMethod.Rebind);
        if (current.Interfaces.Count == 0)
        {
            throw new OperationFailedException($"{current.Describe()} has no interfaces (it is not configured), so there are no drivers to rebind.",
                "Use --method authorize or power.");
        }
        var bound = current.Interfaces.Where(i => i.Driver is not null && i.Driver != UsbHealth.UserspaceDriver).ToList();
        string probe = Paths.Sys("bus", "usb", "drivers_probe");
        var files = bound.Select(i => DriverFile(i.Driver!, "unbind")).Append(probe).Distinct(StringComparer.Ordinal).ToList();
        if (files.FirstOrDefault(f => !control.CanWrite(f)) is { } refused)
        {
            throw new PermissionDeniedException($"Permission denied: cannot write {refused}.", UsbHints.Sysfs(target.Command + " --method rebind"));
        }
        foreach (var intf in bound)
        {
            // Drivers that claim several interfaces (uvcvideo, snd-usb-audio, cdc_acm) release them all at once.
            if (Interface(target.PortPath, intf.Name)?.Driver is { } driver)
            {
                control.WriteAttribute(DriverFile(driver, "unbind"), intf.Name);
            }
        }
        bool unbound = Until(SettleTimeout, () => bound.All(i => Interface(target.PortPath, i.Name)?.Driver is null));
        var probeErrors = new List<string>();
        foreach (var intf in current.Interfaces.Where(i => i.Driver != UsbHealth.UserspaceDriver))
        {
            if (Interface(target.PortPath, intf.Name) is { Driver: null })
            {
                try
                {
                    control.WriteAttribute(probe, intf.Name);
                }
                catch (KvmToolException e) when (e.Kind != FailureKind.PermissionDenied)
                {
                    probeErrors.Add(e.Message);
                }
            }
        }
        string drivers = bound.Count == 0 ? "no driver was bound; its interfaces were probed" : $"{string.Join(", ", bound.Select(i => i.Driver).Distinct())} were unbound and probed again";
        return WaitForReturn(target, current, wait, "rebinding its drivers",
            _ => unbound ? null : "its drivers did not unbind" + (probeErrors.Count > 0 ? "; " + string.Join("; ", probeErrors) : ""),
            (now, _) => $"Its drivers: {drivers}; the device is at {now.PortPath} as bus {now.BusNumber} device {now.DeviceNumber}{Healthy(now)}.");
    }

    private Outcome Power(UsbResetTarget target, TimeSpan wait, bool yes)
    {
        var port = UsbHubPort.Locate(inventory, target.PortPath) ?? throw new OperationFailedException(
            $"Cannot find the hub port of {target.PortPath} in sysfs (expected {UsbHubPort.ParentOf(target.PortPath)?.Port.ToString() ?? "?"} " +
            $"under {Path.Combine(inventory.DevicesDir, UsbHubPort.ParentOf(target.PortPath)?.Hub ?? "?")}).",
            "Use --method ioctl or authorize.");
        var hub = UsbDeviceInfo.TryRead(port.HubSysPath);
        var power = PortPowerInfo.Determine(port, hub, Paths, control);
        if (power.Switching == PortPowerSwitching.None)
        {
            throw new OperationFailedException($"Cannot switch the power of {port.Describe()}: {power.Reason}.",
                "Use --method ioctl or authorize, or move the device to a hub with per-port power switching.");
        }
        var all = inventory.List();
        var neighbours = all.Where(d => d.PortPath != target.PortPath && !d.IsRootHub &&
            (IsBelow(d.PortPath, port.HubName) || (port.Peer is { } peer && IsBelow(d.PortPath, peer.HubName)))).ToList();
        if (power.Switching != PortPowerSwitching.PerPort && !yes)
        {
            string effect = power.Switching == PortPowerSwitching.Ganged
                ? $"switching {port.Describe()} may switch every port of the hub with it"
                : $"kvmtool cannot tell whether {port.Describe()} switches on its own";
            string others = neighbours.Count == 0 ? "No other device is attached there now." :
                "These devices may lose power too: " + string.Join("; ", neighbours.Select(d => d.Describe())) + ".";
            throw new UsageException($"Not switching the power of {port.Describe()}: {power.Reason}, so {effect}. {others}",
                $"If that is acceptable, add --yes: '{target.Command} --method power --yes'. Otherwise use --method ioctl or authorize.");
        }

        var ports = port.Peer is null ? new[] { port } : new[] { port, port.Peer };
        bool viaSysfs = ports.All(p => p.HasDisableFile);
        foreach (var p in ports)
        {
            if (viaSysfs && !control.CanWrite(p.DisableFile))
            {
                throw new PermissionDeniedException($"Permission denied: cannot write {p.DisableFile}.", UsbHints.Sysfs(target.Command + " --method power"));
            }
            if (!viaSysfs && HubNode(p) is var node && RequireNode(node) && !control.CanWrite(node))
            {
                throw new PermissionDeniedException($"Permission denied: cannot open {node} to switch {p.Describe()}.",
                    UsbHints.HubDevfs(target.Command + " --method power", node));
            }
        }

        var current = inventory.Read(target.PortPath);
        var neighbourNumbers = neighbours.ToDictionary(d => d.PortPath, d => d.DeviceNumber, StringComparer.Ordinal);
        bool seenGone = false;
        // Off: the USB 2 port first, then its SuperSpeed twin; on: the reverse, as the kernel's own port
        // power management does, so a USB 3 device does not fall back to its USB 2 connection.
        TimeSpan offStart = clock.Elapsed;
        try
        {
            foreach (var p in ports)
            {
                Switch(p, on: false, viaSysfs);
            }
            while (true)
            {
                var now = inventory.Read(target.PortPath);
                seenGone |= now is null || (current is not null && now.DeviceNumber != current.DeviceNumber);
                TimeSpan off = clock.Elapsed - offStart;
                if (off >= PowerOffTime && (seenGone || off >= PowerOffTime + GoneTimeout))
                {
                    break;
                }
                clock.Sleep(PollInterval);
            }
        }
        catch
        {
            SwitchOn(ports, viaSysfs);
            throw;
        }
        SwitchOn(ports, viaSysfs);
        TimeSpan offFor = clock.Elapsed - offStart;
        string how = viaSysfs ? "through sysfs" : "with Clear/SetPortFeature(PORT_POWER)";
        var outcome = WaitForReturn(target, current, wait, $"switching {port.Describe()} off and on",
            seen => seenGone || seen ? null : "it never went away, so the hub did not really switch the port (it may only pretend to support power switching)",
            (now, _) => $"{Capitalize(port.Describe())}{(port.Peer is null ? " was" : $" and its SuperSpeed twin {port.Peer.Describe()} were")} " +
                        $"switched off for {offFor.TotalSeconds:0.0} s and on again {how}; the device went away and re-enumerated at " +
                        $"{now.PortPath} as bus {now.BusNumber} device {now.DeviceNumber}{Healthy(now)}.");
        var after = inventory.List();
        var disturbed = neighbours.Where(d =>
            after.FirstOrDefault(a => a.PortPath == d.PortPath) is not { } a || a.DeviceNumber != neighbourNumbers[d.PortPath]).ToList();
        return outcome with { Disturbed = disturbed };
    }

    /// <summary>A port must never be left unpowered: on failure the message says how to power it by hand.</summary>
    private void SwitchOn(UsbHubPort[] ports, bool viaSysfs)
    {
        OperationFailedException? failure = null;
        foreach (var p in ports.Reverse())
        {
            try
            {
                Switch(p, on: true, viaSysfs);
            }
            catch (KvmToolException e)
            {
                failure ??= new OperationFailedException(
                    $"Switched {p.Describe()} off, but switching it on again failed ({e.Message}): the port stays unpowered.",
                    viaSysfs ? $"Run 'echo 0 | sudo tee {p.DisableFile}'." : "Re-plug the device, or reboot to power the port again.", e);
            }
        }
        if (failure is not null)
        {
            throw failure;
        }
    }

    private void Switch(UsbHubPort port, bool on, bool viaSysfs)
    {
        if (viaSysfs)
        {
            control.WriteAttribute(port.DisableFile, on ? "0" : "1");
        }
        else
        {
            control.SetPortPower(HubNode(port), port.Port, on);
        }
    }

    /// <summary>A missing usbdevfs node is not a permission problem; say what it is.</summary>
    private static bool RequireNode(string node) => File.Exists(node) ? true : throw new NotFoundException(
        $"The usbdevfs node {node} does not exist.",
        "The kernel's devtmpfs (mounted on /dev) creates /dev/bus/usb/BBB/DDD; check 'mount | grep devtmpfs' and 'kvmtool usb list'.");

    private string HubNode(UsbHubPort port) =>
        UsbDeviceInfo.TryRead(port.HubSysPath) is { } hub ? Paths.Dev(hub.DevfsName) : Path.Combine(port.HubSysPath, "(no busnum)");

    /// <summary>
    /// Polls the port until the device is back and healthy and <paramref name="proofMissing"/> has nothing to add,
    /// or the time is up. "Seen gone" covers a poll that found nothing, or a new device number.
    /// </summary>
    private Outcome WaitForReturn(UsbResetTarget target, UsbDevice? current, TimeSpan wait, string action,
        Func<bool, string?> proofMissing, Func<UsbDevice, bool, string> evidence)
    {
        TimeSpan until = clock.Elapsed + wait;
        bool seenGone = false;
        while (true)
        {
            var now = inventory.Read(target.PortPath);
            seenGone |= now is null || (current is not null && now.DeviceNumber != current.DeviceNumber);
            var missing = UsbHealth.Missing(target, now);
            if (proofMissing(seenGone) is { } unproven)
            {
                missing.Add(unproven);
            }
            if (missing.Count == 0)
            {
                return new Outcome(true, now, evidence(now!, seenGone), null, []);
            }
            if (clock.Elapsed >= until)
            {
                return new Outcome(false, now, "",
                    $"{target.Describe()} did not come back healthy within {wait.TotalSeconds:0.#} s after {action}: {string.Join("; ", missing)}.", []);
            }
            clock.Sleep(PollInterval);
        }
    }

    private bool Until(TimeSpan budget, Func<bool> condition)
    {
        TimeSpan until = clock.Elapsed + budget;
        while (!condition())
        {
            if (clock.Elapsed >= until)
            {
                return false;
            }
            clock.Sleep(PollInterval);
        }
        return true;
    }

    private UsbInterface? Interface(string portPath, string name) =>
        inventory.Read(portPath)?.Interfaces.FirstOrDefault(i => i.Name == name);

    private string DriverFile(string driver, string file) => Paths.Sys("bus", "usb", "drivers", driver, file);

    private static string Healthy(UsbDevice now)
    {
        var parts = new List<string>();
        if (now.Drivers.Count > 0)
        {
            parts.Add("drivers " + string.Join(", ", now.Drivers) + " bound");
        }
        var nodes = now.Nodes.Where(n => n.Exists).ToList();
        if (nodes.Count > 0)
        {
            parts.Add("nodes " + string.Join(", ", nodes.Select(n => n.Path + (n.Aliases.Count > 0 ? $" ({string.Join(", ", n.Aliases)})" : ""))) + " present");
        }
        return parts.Count == 0 ? "" : ", " + string.Join(", ", parts);
    }

    /// <summary>Whether a device hangs (directly or further down) below a hub: 1-1.4.2 is below 1-1; 1-3 is below usb1.</summary>
    internal static bool IsBelow(string portPath, string hub) =>
        hub.StartsWith("usb", StringComparison.Ordinal)
            ? portPath.StartsWith(hub[3..] + "-", StringComparison.Ordinal)
            : portPath.StartsWith(hub + ".", StringComparison.Ordinal);

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
