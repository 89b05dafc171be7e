using System.Diagnostics;
using KvmTools.Core.Linux;
using KvmTools.Core.Serial;

namespace KvmTools.Core.Ch9329;

public sealed record Ch9329InfoResult(Ch9329Link Link, Ch9329Info Info);

/// <param name="Attempt">The attempt that worked (1-based).</param>
/// <param name="Recovery">From the reset's acknowledgement to the chip's first answer.</param>
/// <param name="FailedAttempts">What each earlier attempt saw.</param>
public sealed record Ch9329ResetResult(Ch9329Link Link, Ch9329Info Info, int Attempt, int Attempts, TimeSpan Recovery, IReadOnlyList<string> FailedAttempts);

public sealed record Ch9329ConfigResult(Ch9329Link Link, Ch9329Parameters Parameters, string? Manufacturer, string? Product, string? Serial);

/// <param name="Changes">What was changed; empty when the chip already had these settings (then nothing was written).</param>
public sealed record Ch9329ConfigChange(Ch9329Link Before, Ch9329Link After, Ch9329Parameters Old, Ch9329Parameters New, IReadOnlyList<string> Changes);

public sealed record Ch9329FactoryResetResult(Ch9329Link Before, Ch9329Link After, Ch9329Parameters Parameters, Ch9329Info Info);

/// <summary>
/// The ch9329 commands. Each one finds the port, takes its lock (so that two kvmtools never interleave their frames),
/// remembers the port's terminal settings, talks, and puts the settings back.
/// </summary>
/// <remarks>
/// kvmd does not take kvmtool's lock: its CH9329 plugin keeps the port open, writes keyboard and mouse frames and
/// polls GET_INFO. Each side writes whole frames in one write, so frames do not mix on the way to the chip; on
/// the way back kvmtool resynchronises on 57 AB, skips answers to kvmd's requests and retries a request whose
/// answer kvmd took. Because the line speed belongs to the port, '--baud auto' and 'config set --baud' briefly
/// change kvmd's speed too, which is why the settings are always put back.
/// </remarks>
public sealed class Ch9329Service
{
    /// <summary>
    /// Long enough to queue behind another kvmtool's reset; added to the longest run allowed (a 35 s reset plus a few
    /// requests) it stays under kvmtool's 60 s backstop.
    /// </summary>
    public static readonly TimeSpan DefaultLockTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a reset chip may take to answer again. WCH gives no figure; other tools wait 2-3 s blindly.
    /// kvmtool polls, so this is only the limit, and the answer is taken the moment it comes.
    /// </summary>
    public static readonly TimeSpan DefaultRecoveryTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan MaxRecoveryTimeout = TimeSpan.FromSeconds(20);

    public const int DefaultAttempts = 3;
    public const int MaxAttempts = 5;

    /// <summary>A whole reset, every attempt and pause included, must end well inside kvmtool's 60 s backstop.</summary>
    public static readonly TimeSpan MaxResetBudget = TimeSpan.FromSeconds(35);

    /// <summary>The pause before a second attempt, doubling up to <see cref="MaxBackoff"/>: a chip that was still booting gets time.</summary>
    public static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(500);

    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    /// <summary>The smallest wait worth a GET_INFO poll when the recovery time is nearly used up.</summary>
    private static readonly TimeSpan MinPollWait = TimeSpan.FromMilliseconds(20);

    private readonly SystemPaths _paths;
    private readonly Func<string, int, ISerialLink> _open;
    private readonly TimeSpan _lockTimeout;

    public Ch9329Service(SystemPaths paths, Func<string, int, ISerialLink> open, TimeSpan? lockTimeout = null)
    {
        _paths = paths;
        _open = open;
        _lockTimeout = lockTimeout ?? DefaultLockTimeout;
        Finder = new Ch9329PortFinder(paths);
    }

    public static Ch9329Service ForSystem(SystemPaths paths) => new(paths, (port, baud) => SerialLink.Open(port, baud));

    public Ch9329PortFinder Finder { get; }

    public Ch9329InfoResult Info(Ch9329Target target) =>
        With(target, session => new Ch9329InfoResult(session.Link, session.Chip.GetInfo()));

    public Ch9329ConfigResult GetConfig(Ch9329Target target) =>
        With(target, session =>
        {
            var chip = session.Chip;
            var parameters = chip.GetParameters();
            return new Ch9329ConfigResult(session.Link, parameters,
                chip.TryGetUsbString(Ch9329Chip.ManufacturerString),
                chip.TryGetUsbString(Ch9329Chip.ProductString),
                chip.TryGetUsbString(Ch9329Chip.SerialString));
        });

    /// <summary>
    /// Sends RESET, expects its acknowledgement, then polls GET_INFO until the rebooted chip answers. Success means
    /// the chip answered after the reset; otherwise it tries again after a pause, up to <paramref name="attempts"/> times.
    /// </summary>
    public Ch9329ResetResult Reset(Ch9329Target target, int attempts, TimeSpan timeout)
    {
        CheckResetLimits(attempts, timeout);
        return With(target, session =>
        {
            var outcome = ResetInto(session, session.Chip.BaudRate, session.Chip.Address, attempts, timeout);
            return new Ch9329ResetResult(session.Link, outcome.Info, outcome.Attempt, attempts, outcome.Recovery, outcome.FailedAttempts);
        });
    }

    /// <summary>SET_DEFAULT_CFG, then a reset into the factory settings (9600 baud, address 0x00), confirmed there.</summary>
    public Ch9329FactoryResetResult FactoryReset(Ch9329Target target, TimeSpan timeout)
    {
        CheckResetLimits(DefaultAttempts, timeout);
        return With(target, session =>
        {
            var before = session.Link;
            session.Chip.RestoreDefaults();
            var outcome = ResetInto(session, Ch9329BaudRate.Default, Ch9329Command.DefaultAddress, DefaultAttempts, timeout);
            var parameters = session.Chip.GetParameters();
            if (parameters.BaudRate != Ch9329BaudRate.Default || parameters.Address != Ch9329Command.DefaultAddress)
            {
                throw new OperationFailedException(
                    $"The CH9329 on {session.Port.Describe()} was reset but reports baud rate {parameters.BaudRate} and address " +
                    $"{Ch9329Address.Format(parameters.Address)}, not the factory 9600 and 0x00.",
                    "Run 'kvmtool ch9329 factory-reset' again; if it persists, power-cycle the chip.");
            }
            return new Ch9329FactoryResetResult(before, session.Link, parameters, outcome.Info);
        });
    }

    /// <summary>
    /// Read-modify-write of the parameter block: the new values are written (with the modes stored so that they
    /// survive a power cycle), read back, applied by a reset, and confirmed by talking at the new rate and address.
    /// </summary>
    public Ch9329ConfigChange SetConfig(Ch9329Target target, int? baud, byte? address, TimeSpan timeout)
    {
        if (baud is null && address is null)
        {
            throw new UsageException("'ch9329 config set' needs something to set.", "Give --baud and/or --address, e.g. 'kvmtool ch9329 config set --baud 115200'.");
        }
        CheckResetLimits(DefaultAttempts, timeout);
        return With(target, session =>
        {
            var before = session.Link;
            var chip = session.Chip;
            var old = chip.GetParameters();
            var wanted = old.ForWriting(baud, address);
            if (wanted.Equals(old))
            {
                return new Ch9329ConfigChange(before, before, old, old, []);
            }
            chip.SetParameters(wanted);
            var stored = chip.GetParameters();
            if (!stored.SameAsWritten(wanted))
            {
                throw new OperationFailedException(
                    $"The CH9329 on {session.Port.Describe()} acknowledged the new parameters but reads back others " +
                    $"({string.Join(", ", wanted.Differences(stored))}); it was not reset.",
                    "Try again; 'kvmtool ch9329 config get' shows what the chip holds now.");
            }
            ResetInto(session, wanted.BaudRate, wanted.Address, DefaultAttempts, timeout);
            var now = session.Chip.GetParameters();
            if (now.BaudRate != wanted.BaudRate || now.Address != wanted.Address)
            {
                throw new OperationFailedException(
                    $"After the reset the CH9329 on {session.Port.Describe()} answers but reports baud rate {now.BaudRate} and address " +
                    $"{Ch9329Address.Format(now.Address)}, not {wanted.BaudRate} and {Ch9329Address.Format(wanted.Address)}.",
                    "Run 'kvmtool ch9329 config get' to see what it holds, and set it again.");
            }
            return new Ch9329ConfigChange(before, session.Link, old, now, old.Differences(wanted));
        });
    }

    private T With<T>(Ch9329Target target, Func<Ch9329Session, T> action)
    {
        var port = Finder.Find(target.Port, target.ConfiguredPort, target.OtherDevices);
        using var portLock = FileLock.Acquire(Path.Combine(_paths.LockDir, port.LockName + ".lock"), _lockTimeout);
        using var session = new Ch9329Session(port, _open, TtySettings.Capture(port.Path));
        if (target.Baud is int baud)
        {
            session.Connect(baud, target.Address);
        }
        else
        {
            DetectBaud(session, target);
        }
        return action(session);
    }

    /// <summary>
    /// '--baud auto': tries the port's current rate (kvmd's, when kvmd has the port), the configured one, then the
    /// likeliest others. Any valid frame proves the rate, an answer to kvmd's request included.
    /// </summary>
    private static void DetectBaud(Ch9329Session session, Ch9329Target target)
    {
        var rates = new List<int?> { session.PortBaudBefore, target.PreferredBaud }
            .OfType<int>().Where(Ch9329BaudRate.IsSupported)
            .Concat(Ch9329BaudRate.SearchOrder).Distinct().ToList();
        var seen = new List<Ch9329Exchange>();
        foreach (int rate in rates)
        {
            var exchange = session.Connect(rate, target.Address).Exchange(Ch9329Command.GetInfo, [], Ch9329Info.DataLength);
            seen.Add(exchange);
            if (exchange.HeardChip)
            {
                session.BaudDetected = true;
                return;
            }
        }
        string tried = string.Join("; ", seen.Select(e => $"{e.BaudRate}: {e.Describe()}"));
        string where = $"The CH9329 on {session.Port.Describe()} (address {Ch9329Address.Format(target.Address)})";
        if (seen.All(e => e.SawNothing))
        {
            throw new DeviceTimeoutException($"{where} answered at none of the rates {Ch9329BaudRate.List}: nothing came back.",
                "Check that the chip is powered and wired (its TX to the adapter's RX and back), and its address (--address).");
        }
        throw new OperationFailedException($"{where} answered at none of the supported rates. Seen at each rate: {tried}.",
            "Bytes that are not frames at every rate point to wiring or a ground problem; check the cable.");
    }

    private sealed record ResetOutcome(Ch9329Info Info, int Attempt, TimeSpan Recovery, IReadOnlyList<string> FailedAttempts);

    /// <summary>
    /// Resets the chip and reconnects at <paramref name="baud"/> and <paramref name="address"/> (the settings it
    /// comes back with). The reset counts as done when the chip acknowledged RESET and then answered GET_INFO,
    /// or, when the acknowledgement was lost (kvmd may read it), when it answers at settings it did not have before.
    /// </summary>
    private static ResetOutcome ResetInto(Ch9329Session session, int baud, byte address, int attempts, TimeSpan timeout)
    {
        int oldBaud = session.Chip.BaudRate;
        byte oldAddress = session.Chip.Address;
        bool newSettings = baud != oldBaud || address != oldAddress;
        var failures = new List<string>();
        var everything = new List<Ch9329Exchange>();
        var backoff = FirstBackoff;
        for (int attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                Thread.Sleep(backoff);
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
            var ack = session.Connect(oldBaud, oldAddress).Exchange(Ch9329Command.Reset, [], 1);
            everything.Add(ack);
            byte? status = ack.ErrorStatus ?? (ack.Reply?.Status is byte s && s != Ch9329Status.Success ? s : null);
            if (status is not null)
            {
                failures.Add($"attempt {attempt}: the chip answered RESET with error {Ch9329Status.Describe(status.Value)}");
                continue;
            }
            bool acknowledged = ack.Reply is not null;
            if (!acknowledged && !newSettings)
            {
                failures.Add($"attempt {attempt}: no acknowledgement of RESET; seen: {ack.Describe()}");
                continue;
            }
            var clock = Stopwatch.StartNew();
            var polls = AwaitAnswer(session.Connect(baud, address), timeout);
            everything.AddRange(polls);
            if (polls.LastOrDefault(p => p.Reply is not null)?.Reply is { } reply)
            {
                return new ResetOutcome(Ch9329Info.Parse(reply.Data), attempt, clock.Elapsed, failures);
            }
            string at = newSettings ? $" at {baud} baud, address {Ch9329Address.Format(address)}" : "";
            failures.Add($"attempt {attempt}: " +
                (acknowledged ? "the chip acknowledged RESET" : $"no acknowledgement of RESET (seen: {ack.Describe()})") +
                $" but did not answer GET_INFO{at} within {timeout.TotalSeconds:0.#} s; seen: {Ch9329Failures.Summarize(polls.Count > 0 ? [Merge(polls)] : [])}");
        }
        throw ResetFailed(session, baud, address, oldBaud, oldAddress, attempts, failures, everything);
    }

    /// <summary>Polls GET_INFO until it is answered or <paramref name="timeout"/> has passed; a chip that is rebooting drops what it hears.</summary>
    private static List<Ch9329Exchange> AwaitAnswer(Ch9329Chip chip, TimeSpan timeout)
    {
        var polls = new List<Ch9329Exchange>();
        var deadline = Deadline.After(timeout);
        while (deadline.Remaining >= MinPollWait)
        {
            var wait = chip.ReplyWait(Ch9329Frame.Overhead, Ch9329Info.DataLength);
            var exchange = chip.Exchange(Ch9329Command.GetInfo, [], Ch9329Info.DataLength, wait < deadline.Remaining ? wait : deadline.Remaining);
            polls.Add(exchange);
            if (exchange.Reply is not null)
            {
                break;
            }
            if (exchange.ErrorStatus is not null)
            {
                // A chip that woke up in the middle of a frame says so (E1); the next poll gets a clean answer.
                continue;
            }
        }
        return polls;
    }

    /// <summary>One exchange's worth of "seen" that adds up several polls.</summary>
    private static Ch9329Exchange Merge(List<Ch9329Exchange> polls)
    {
        var merged = new Ch9329Exchange(Ch9329Command.GetInfo, polls[0].BaudRate)
        {
            GarbageBytes = polls.Sum(p => p.GarbageBytes),
            DamagedFrames = polls.Sum(p => p.DamagedFrames),
            IncompleteBytes = polls[^1].IncompleteBytes,
            ErrorStatus = polls.LastOrDefault(p => p.ErrorStatus is not null)?.ErrorStatus,
        };
        merged.OtherReplies.AddRange(polls.SelectMany(p => p.OtherReplies));
        return merged;
    }

    private static KvmToolException ResetFailed(Ch9329Session session, int baud, byte address, int oldBaud, byte oldAddress,
        int attempts, List<string> failures, List<Ch9329Exchange> everything)
    {
        string what = $"The CH9329 on {session.Port.Describe()} did not come back after RESET ({attempts} attempt{(attempts == 1 ? "" : "s")}): " +
            string.Join("; ", failures) + ".";
        if (baud != oldBaud || address != oldAddress)
        {
            // Where is it now? Ask once at the old settings, so that the message can say whether the change took.
            var probe = session.Connect(oldBaud, oldAddress).Exchange(Ch9329Command.GetInfo, [], Ch9329Info.DataLength);
            if (probe.HeardChip)
            {
                return new OperationFailedException(
                    what + $" It still answers at {oldBaud} baud, address {Ch9329Address.Format(oldAddress)}: the new settings did not take effect.",
                    "Power-cycle the chip (unplug the target's USB cable and plug it back), then check with 'kvmtool ch9329 config get'.");
            }
            string fastest = baud == Ch9329BaudRate.Fastest
                ? " WCH does not support 115200 baud when the chip runs at 3.3 V."
                : "";
            return new DeviceTimeoutException(
                what + $" It answers neither at {baud} nor at {oldBaud} baud.{fastest}",
                "Find it with 'kvmtool ch9329 info --baud auto'; to go back, 'kvmtool ch9329 config set --baud 9600 --current-baud auto'.");
        }
        if (everything.Any(e => e.ErrorStatus is not null))
        {
            var status = everything.Last(e => e.ErrorStatus is not null).ErrorStatus!.Value;
            return new OperationFailedException(what, Ch9329Failures.StatusHint(status));
        }
        if (everything.Any(e => e.SawGarbageOnly) && !everything.Any(e => e.HeardChip))
        {
            return new OperationFailedException(what, Ch9329Failures.BaudHint(baud));
        }
        if (everything.Any(e => e.Command == Ch9329Command.Reset && e.Answered))
        {
            return new DeviceTimeoutException(what,
                "The chip took the reset but did not come back: give it longer (--timeout), or power-cycle it " +
                "(unplug the target's USB cable and plug it back).");
        }
        return new DeviceTimeoutException(what,
            everything.Any(e => e.HeardChip)
                ? Ch9329Failures.KvmdHint
                : Ch9329Failures.BaudHint(baud) + " A wedged chip that ignores its serial port needs a power cycle (unplug the target's USB cable).");
    }

    private static void CheckResetLimits(int attempts, TimeSpan timeout)
    {
        if (attempts is < 1 or > MaxAttempts)
        {
            throw new UsageException($"--attempts {attempts} is out of range.", $"Give 1 to {MaxAttempts}.");
        }
        if (timeout < TimeSpan.FromSeconds(1) || timeout > MaxRecoveryTimeout)
        {
            throw new UsageException($"--timeout {timeout.TotalSeconds:0.###} is out of range.",
                $"Give 1 to {MaxRecoveryTimeout.TotalSeconds:0} seconds for the chip to answer after each reset.");
        }
        var worst = TimeSpan.Zero;
        var backoff = FirstBackoff;
        for (int attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                worst += backoff;
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
            worst += Ch9329Chip.ReplyTimeout + timeout;
        }
        if (worst > MaxResetBudget)
        {
            throw new UsageException(
                $"--attempts {attempts} with --timeout {timeout.TotalSeconds:0.#} could take {worst.TotalSeconds:0} s, more than the {MaxResetBudget.TotalSeconds:0} s a reset may take.",
                "kvmd waits for kvmtool without a timeout, so every run is bounded; use fewer attempts or a shorter --timeout.");
        }
    }
}
