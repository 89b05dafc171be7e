using KvmTools.Core.Linux;
using KvmTools.Core.Serial;

namespace KvmTools.Core.Relays;

/// <summary>What a relay command did or found.</summary>
public sealed record RelayResult(RelayBoardInfo Board, int Channel, RelayState State, bool ReadBack);

/// <summary>
/// The relay commands: pick the board, take its lock, switch, verify where the board can tell, remember.
/// </summary>
public sealed class RelayService
{
    /// <summary>Longest pulse accepted: kvmd waits for a cmd driver with no timeout, so bound it.</summary>
    public static readonly TimeSpan MaxPulse = TimeSpan.FromSeconds(10);

    /// <summary>Long enough to queue behind another pulse, short enough that kvmd's page recovers.</summary>
    public static readonly TimeSpan DefaultLockTimeout = MaxPulse + TimeSpan.FromSeconds(5);

    private readonly SystemPaths _paths;
    private readonly RelayDiscovery _discovery;
    private readonly Func<RelayBoardInfo, IRelayBoard> _open;
    private readonly RelayStateStore _store;
    private readonly TimeSpan _lockTimeout;

    public RelayService(SystemPaths paths, RelayDiscovery discovery, Func<RelayBoardInfo, IRelayBoard> open, TimeSpan? lockTimeout = null)
    {
        _paths = paths;
        _discovery = discovery;
        _open = open;
        _store = new RelayStateStore(paths);
        _lockTimeout = lockTimeout ?? DefaultLockTimeout;
    }

    /// <summary>The service as the tool uses it, on real devices.</summary>
    public static RelayService ForSystem(SystemPaths paths) =>
        new(paths, new RelayDiscovery(paths, OpenHid), OpenBoard);

    public static IHidDevice OpenHid(HidrawInfo hid) => HidrawDevice.Open(hid.DevicePath, hid.VendorId, hid.ProductId);

    public static IRelayBoard OpenBoard(RelayBoardInfo info) => info.Family switch
    {
        RelayFamily.LcusHid => new LcusHidBoard(info, HidrawDevice.Open(info.Device, info.VendorId, info.ProductId)),
        RelayFamily.Dcttech => new DcttechBoard(info, HidrawDevice.Open(info.Device, info.VendorId, info.ProductId)),
        RelayFamily.LcusSerial => new LcusSerialBoard(info, SerialLink.Open(info.Device, LcusSerialBoard.BaudRate)),
        _ => throw new UsageException($"{info.Device} is not a relay board.", "Run 'kvmtool relay list' to see the boards."),
    };

    public RelayDiscovery Discovery => _discovery;

    public RelayStateStore Store => _store;

    public RelayResult Set(BoardSelector selector, int channel, bool on) =>
        WithBoard(selector, channel, (board, states) =>
        {
            Switch(board, channel, on, states);
            return Result(board.Info, channel, on, board.Info.CanReadState);
        });

    public RelayResult Toggle(BoardSelector selector, int channel) =>
        WithBoard(selector, channel, (board, states) =>
        {
            RelayState current = CurrentState(board, channel, states);
            if (current == RelayState.Unknown)
            {
                throw new OperationFailedException(
                    $"Cannot toggle channel {channel} of {board.Info.Describe()}: its state is unknown " +
                    "(this board cannot report it, and kvmtool has not switched it since boot or re-plug).",
                    $"Switch it explicitly once with 'kvmtool relay {channel} on' or 'off'.");
            }
            bool on = current == RelayState.Off;
            Switch(board, channel, on, states);
            return Result(board.Info, channel, on, board.Info.CanReadState);
        });

    /// <summary>Closes the relay for <paramref name="width"/>, then opens it, holding the lock throughout.</summary>
    public RelayResult Pulse(BoardSelector selector, int channel, TimeSpan width)
    {
        if (width <= TimeSpan.Zero || width > MaxPulse)
        {
            throw new UsageException(
                $"Pulse length {width.TotalMilliseconds:0} ms is out of range.",
                $"Give --ms between 1 and {MaxPulse.TotalMilliseconds:0}.");
        }
        return WithBoard(selector, channel, (board, states) =>
        {
            Switch(board, channel, true, states);
            Thread.Sleep(width);
            Switch(board, channel, false, states);
            return Result(board.Info, channel, false, board.Info.CanReadState);
        });
    }

    public RelayResult AllOff(BoardSelector selector) =>
        WithBoard(selector, null, (board, states) =>
        {
            board.SetAll(false);
            if (board.ReadStates() is { } read && read.Any(on => on))
            {
                throw new OperationFailedException($"{board.Info.Describe()} still reports relays on after 'all off'.",
                    "The board may be failing; re-plug it and try again.");
            }
            for (int ch = 1; ch <= board.Info.Channels; ch++)
            {
                states[ch] = false;
            }
            return Result(board.Info, 0, false, board.Info.CanReadState);
        });

    /// <summary>
    /// The channel's state. Boards that can report it are asked; for the others the state file answers,
    /// with no device I/O, so kvmd can poll this as often as it likes.
    /// </summary>
    public RelayResult Status(BoardSelector selector, int channel)
    {
        var info = _discovery.Select(selector);
        CheckChannel(info, channel);
        if (!info.CanReadState)
        {
            var remembered = _store.Load(info);
            var state = remembered.TryGetValue(channel, out bool on) ? (on ? RelayState.On : RelayState.Off) : RelayState.Unknown;
            return new RelayResult(info, channel, state, false);
        }
        using var boardLock = FileLock.Acquire(LockPath(info), _lockTimeout);
        using var board = _open(info);
        var states = board.ReadStates()!;
        return new RelayResult(info, channel, states[channel - 1] ? RelayState.On : RelayState.Off, true);
    }

    public string LockPath(RelayBoardInfo info) => Path.Combine(_paths.LockDir, info.StateKey + ".lock");

    /// <summary>
    /// Runs several operations on one channel while holding the board's lock (the lock 'kvmtool relay' takes),
    /// e.g. a KVM switch's sequence of button presses, which must never interleave with another kvmtool's.
    /// </summary>
    public T WithChannel<T>(BoardSelector selector, int channel, Func<RelayChannel, T> action, TimeSpan? lockTimeout = null) =>
        WithBoard(selector, channel, (board, states) => action(new RelayChannel(board, channel, states)), lockTimeout);

    private T WithBoard<T>(BoardSelector selector, int? channel, Func<IRelayBoard, Dictionary<int, bool>, T> action, TimeSpan? lockTimeout = null)
    {
        var info = _discovery.Select(selector);
        if (channel is int ch)
        {
            CheckChannel(info, ch);
        }
        using var boardLock = FileLock.Acquire(LockPath(info), lockTimeout ?? _lockTimeout);
        using var board = _open(info);
        var states = info.CanReadState ? [] : _store.Load(info);
        try
        {
            return action(board, states);
        }
        finally
        {
            // Record what was commanded even when a later step failed, so the next status is as true as it can be.
            if (!info.CanReadState)
            {
                _store.Save(info, states);
            }
        }
    }

    /// <summary>One channel of a board whose lock the caller holds (see <see cref="WithChannel"/>).</summary>
    public sealed class RelayChannel
    {
        private readonly IRelayBoard _board;
        private readonly int _channel;
        private readonly Dictionary<int, bool> _states;

        internal RelayChannel(IRelayBoard board, int channel, Dictionary<int, bool> states)
        {
            _board = board;
            _channel = channel;
            _states = states;
        }

        public RelayBoardInfo Board => _board.Info;

        /// <summary>Closes the contact for <paramref name="width"/>, then opens it; the state store follows.</summary>
        public void Pulse(TimeSpan width)
        {
            if (width <= TimeSpan.Zero || width > MaxPulse)
            {
                throw new ArgumentOutOfRangeException(nameof(width), width, "Pulse length out of range.");
            }
            Switch(_board, _channel, true, _states);
            Thread.Sleep(width);
            Switch(_board, _channel, false, _states);
        }
    }

    private static void Switch(IRelayBoard board, int channel, bool on, Dictionary<int, bool> states)
    {
        states.Remove(channel);
        board.Set(channel, on);
        if (board.ReadStates() is { } read && read[channel - 1] != on)
        {
            throw new OperationFailedException(
                $"Channel {channel} of {board.Info.Describe()} did not switch {(on ? "on" : "off")}: the board reports it {(on ? "off" : "on")}.",
                "The board may be failing or under-powered; re-plug it and try again.");
        }
        states[channel] = on;
    }

    private static RelayState CurrentState(IRelayBoard board, int channel, Dictionary<int, bool> states)
    {
        if (board.ReadStates() is { } read)
        {
            return read[channel - 1] ? RelayState.On : RelayState.Off;
        }
        return states.TryGetValue(channel, out bool on) ? (on ? RelayState.On : RelayState.Off) : RelayState.Unknown;
    }

    private static RelayResult Result(RelayBoardInfo info, int channel, bool on, bool readBack) =>
        new(info, channel, on ? RelayState.On : RelayState.Off, readBack);

    private static void CheckChannel(RelayBoardInfo info, int channel)
    {
        if (channel >= 1 && channel <= info.Channels)
        {
            return;
        }
        string hint = info.ChannelsKnown
            ? $"Use a channel from 1 to {info.Channels}."
            : $"Use a channel from 1 to {info.Channels}; this board cannot report its size, so set 'channels:' for it in kvmtool.yaml.";
        throw new UsageException($"Channel {channel} does not exist on {info.Describe()}, which has {info.Channels} channels.", hint);
    }
}
