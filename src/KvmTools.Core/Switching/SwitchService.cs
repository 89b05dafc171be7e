using KvmTools.Core.Config;
using KvmTools.Core.Linux;
using KvmTools.Core.Relays;
using KvmTools.Core.Serial;

namespace KvmTools.Core.Switching;

/// <summary>What a switch command did or found.</summary>
/// <param name="State">The switch's state afterwards (for a dry run: as it is now).</param>
/// <param name="From">The input before the command, when known.</param>
/// <param name="Presses">Button presses made (or, for a dry run, that would be made).</param>
public sealed record SwitchResult(SwitchDefinition Switch, SwitchState State, int? From, int Presses, bool DryRun = false, int? Target = null);

/// <summary>
/// The switch commands. Button backends count: the state file holds the input, guarded by the button's lock
/// (for a relay, the relay board's lock), and every press is recorded as it happens. Read-back backends ask
/// the hardware and record what it says, so that 'switch is' can answer without device I/O.
/// </summary>
public sealed class SwitchService
{
    /// <summary>
    /// Long enough to queue behind the longest press sequence (validated to 20 s); short enough that the wait
    /// plus this command's own sequence ends before the 60 s backstop.
    /// </summary>
    public static readonly TimeSpan ButtonLockTimeout = TimeSpan.FromMilliseconds(SwitchConfig.MaxSequenceMs) + TimeSpan.FromSeconds(5);

    /// <summary>A read-back switch's command takes at most a few seconds (connect 3 s, confirm 5 s).</summary>
    public static readonly TimeSpan SelectorLockTimeout = TimeSpan.FromSeconds(15);

    private readonly SystemPaths _paths;
    private readonly Func<SwitchDefinition, IButtonDriver> _buttons;
    private readonly Func<SwitchDefinition, IPortSelector> _selectors;
    private readonly TimeSpan _buttonLockTimeout;

    public SwitchService(SystemPaths paths, Func<SwitchDefinition, IButtonDriver> buttons, Func<SwitchDefinition, IPortSelector> selectors,
        TimeSpan? buttonLockTimeout = null)
    {
        _paths = paths;
        _buttons = buttons;
        _selectors = selectors;
        _buttonLockTimeout = buttonLockTimeout ?? ButtonLockTimeout;
        Store = new SwitchStateStore(paths);
    }

    public SwitchStateStore Store { get; }

    /// <summary>The service on real devices: relays through RelayService, GPIO through the character device, serial ports, TCP.</summary>
    public static SwitchService ForSystem(SystemPaths paths, LoadedConfig config)
    {
        var gpio = new GpioCharDevice(paths);
        return new SwitchService(paths,
            sw => sw.Backend switch
            {
                SwitchBackend.RelayButton => RelayButtonDriver.FromConfig(RelayService.ForSystem(paths), sw, config),
                _ => new GpioButtonDriver(gpio, sw),
            },
            sw => sw.Backend switch
            {
                SwitchBackend.GpioSelect => new GpioSelectSwitch(gpio, sw),
                SwitchBackend.Tesmart => Tesmart(paths, sw),
                _ => new ProtocolSwitch(Ezcoo, () => OpenSerial(paths, sw.Config.Port!, sw.Config.Baud ?? EzcooProtocol.DefaultBaud), false, sw.Ports),
            });
    }

    public static readonly SwitchProtocol TesmartFrames = new("tesmart", TesmartProtocol.EncodeSelect, TesmartProtocol.EncodeQuery, TesmartProtocol.DecodeActive, 1);

    public static readonly SwitchProtocol Ezcoo = new("ezcoo", EzcooProtocol.EncodeSelect, EzcooProtocol.EncodeQuery, EzcooProtocol.DecodeRoute, 2);

    private static ProtocolSwitch Tesmart(SystemPaths paths, SwitchDefinition sw) =>
        sw.Config.Host is { } host
            ? new ProtocolSwitch(TesmartFrames, () => TcpLink.Connect(host, sw.Config.TcpPort ?? TesmartProtocol.DefaultTcpPort), true, sw.Ports)
            : new ProtocolSwitch(TesmartFrames, () => OpenSerial(paths, sw.Config.Port!, sw.Config.Baud ?? TesmartProtocol.DefaultBaud), false, sw.Ports);

    /// <summary>Checks that the port exists first: System.IO.Ports reports a missing port as "access denied".</summary>
    private static SerialLink OpenSerial(SystemPaths paths, string port, int baud)
    {
        string path = paths.MapDevPath(port);
        if (!File.Exists(path))
        {
            throw new NotFoundException($"The serial port {port} does not exist.",
                "Check the cable; 'ls /dev/ttyUSB* /dev/ttyACM*' lists the serial ports that are attached, and /dev/serial/by-id/ names them stably.");
        }
        return SerialLink.Open(path, baud);
    }

    /// <summary>
    /// The switch's own lock, which guards its state file. A press sequence takes it first and then the
    /// device's lock (the relay board's), always in that order; 'switch sync' needs only this one.
    /// </summary>
    public static string LockPath(SystemPaths paths, SwitchDefinition sw) => Path.Combine(paths.LockDir, "switch-" + sw.Name + ".lock");

    public SwitchResult Select(SwitchDefinition sw, int target, bool dryRun = false) =>
        sw.IsCounted
            ? Press(sw, dryRun, state => RequireKnown(sw, state, $"switch to input {sw.Describe(target)}") is int current
                ? PressCounting.PressesNeeded(current, target, sw.Ports) : 0, target)
            : ReadBackSelect(sw, current => target, dryRun, target);

    /// <summary>'next' (<paramref name="forward"/>) or 'prev'. On a button backend this works without a known input (one press, or ports-1), which stays unknown.</summary>
    public SwitchResult Step(SwitchDefinition sw, bool forward, bool dryRun = false) =>
        sw.IsCounted
            ? Press(sw, dryRun, _ => forward ? 1 : sw.Ports - 1, null)
            : ReadBackSelect(sw, current => forward ? PressCounting.Next(current, sw.Ports) : PressCounting.Prev(current, sw.Ports), dryRun, null);

    /// <summary>The active input: from the state file on button backends (no device I/O), from the hardware otherwise.</summary>
    public SwitchResult Status(SwitchDefinition sw)
    {
        if (sw.IsCounted)
        {
            var state = Store.Load(sw);
            return new SwitchResult(sw, state, state.Port, 0);
        }
        using var switchLock = FileLock.Acquire(LockPath(_paths, sw), SelectorLockTimeout);
        using var selector = _selectors(sw);
        var read = new SwitchState(selector.ReadPort(), PortSource.ReadBack);
        Store.Save(sw, read);
        return new SwitchResult(sw, read, read.Port, 0);
    }

    /// <summary>Records the input the switch really shows, after it drifted from kvmtool's count.</summary>
    public SwitchResult Sync(SwitchDefinition sw, int port)
    {
        if (!sw.IsCounted)
        {
            throw new UsageException(
                $"Switch '{sw.Name}' ({sw.BackendName}) reports its input itself; there is nothing to sync.",
                $"Use 'kvmtool switch status' to read it, or 'kvmtool switch {port}' to select input {port}.");
        }
        using var switchLock = FileLock.Acquire(LockPath(_paths, sw), _buttonLockTimeout);
        var before = Store.Load(sw);
        var state = new SwitchState(port, PortSource.Synced, LastPressTick: before.LastPressTick);
        Store.Save(sw, state);
        return new SwitchResult(sw, state, before.Port, 0);
    }

    private SwitchResult Press(SwitchDefinition sw, bool dryRun, Func<SwitchState, int> presses, int? target)
    {
        if (dryRun)
        {
            var now = Store.Load(sw);
            return new SwitchResult(sw, now, now.Port, presses(now), DryRun: true, Target: target);
        }
        // One time budget for both locks, so that waiting for them and pressing ends before the 60 s backstop.
        var budget = Deadline.After(_buttonLockTimeout);
        using var switchLock = FileLock.Acquire(LockPath(_paths, sw), budget.Remaining);
        // Read only under the lock: outside it, another kvmtool's sequence may be half done.
        var state = Store.Load(sw);
        int count = presses(state);
        if (count == 0)
        {
            return new SwitchResult(sw, state, state.Port, 0, Target: target);
        }
        return _buttons(sw).WithButton(budget.Remaining, button => PressSequence(sw, button, state, count) with { Target = target });
    }

    /// <summary>
    /// Presses <paramref name="count"/> times, recording each press: before it, "interrupted from input X";
    /// after it, "input X+1, counted". A crash or a failed relay mid-press so leaves "unknown, X or X+1",
    /// never an input the switch did not reach.
    /// </summary>
    private SwitchResult PressSequence(SwitchDefinition sw, IButton button, SwitchState state, int count)
    {
        var timings = sw.Timings;
        int? current = state.Port;
        int? from = current;
        long? lastPress = state.LastPressTick;
        for (int i = 0; i < count; i++)
        {
            KeepGap(lastPress, timings.Gap);
            Store.Save(sw, current is int c
                ? new SwitchState(null, PortSource.Unknown, InterruptedFrom: c, LastPressTick: lastPress)
                : new SwitchState(null, PortSource.Unknown, LastPressTick: lastPress));
            button.Press(timings.Press);
            lastPress = Environment.TickCount64;
            current = current is int before ? PressCounting.Next(before, sw.Ports) : null;
            Store.Save(sw, current is int after
                ? new SwitchState(after, PortSource.Counted, LastPressTick: lastPress)
                : new SwitchState(null, PortSource.Unknown, LastPressTick: lastPress));
        }
        return new SwitchResult(sw, count == 0 ? state : Store.Load(sw), from, count);
    }

    /// <summary>
    /// Waits until <paramref name="gap"/> has passed since the last press was released, by this run or an earlier
    /// one (TickCount64 counts from boot for every process, and the state file lives in /run, cleared at boot).
    /// </summary>
    private static void KeepGap(long? lastPress, TimeSpan gap)
    {
        if (lastPress is not long then)
        {
            return;
        }
        long wait = then + (long)gap.TotalMilliseconds - Environment.TickCount64;
        if (wait > 0)
        {
            Thread.Sleep(TimeSpan.FromMilliseconds(Math.Min(wait, gap.TotalMilliseconds)));
        }
    }

    private static int? RequireKnown(SwitchDefinition sw, SwitchState state, string action)
    {
        if (state.Port is int port)
        {
            return port;
        }
        throw new OperationFailedException(
            $"Cannot {action} on switch '{sw.Name}': its current input is unknown ({state.Reason}). " +
            "A button only steps to the next input, so kvmtool must know where it starts.",
            $"Look at which input the switch shows and tell kvmtool: 'kvmtool switch sync N{SwitchOption(sw)}'.");
    }

    private SwitchResult ReadBackSelect(SwitchDefinition sw, Func<int, int> target, bool dryRun, int? fixedTarget)
    {
        if (dryRun)
        {
            var known = Store.Load(sw);
            int? planned = fixedTarget ?? (known.Port is int k ? target(k) : null);
            return new SwitchResult(sw, known, known.Port, 0, DryRun: true, Target: planned);
        }
        using var switchLock = FileLock.Acquire(LockPath(_paths, sw), SelectorLockTimeout);
        using var selector = _selectors(sw);
        int? from = fixedTarget is null ? selector.ReadPort() : null;
        int wanted = fixedTarget ?? target(from!.Value);
        int reported = selector.Select(wanted);
        var state = new SwitchState(reported, PortSource.ReadBack);
        Store.Save(sw, state);
        if (reported != wanted)
        {
            throw new OperationFailedException(
                $"Switch '{sw.Name}' was told to select input {sw.Describe(wanted)} but reports input {sw.Describe(reported)}.",
                sw.Backend == SwitchBackend.GpioSelect
                    ? "Something else drives the select lines, or the lines do not hold the levels kvmtool sets; check the wiring."
                    : "The switch may refuse inputs without a signal (auto-switching), or it missed the command; try again.");
        }
        return new SwitchResult(sw, state, from, 0, Target: wanted);
    }

    private static string SwitchOption(SwitchDefinition sw) => " --switch " + sw.Name;
}
