using KvmTools.Core;
using KvmTools.Core.Linux;

namespace KvmTools.Tests.Fakes;

/// <summary>
/// A GPIO chip modelled on the kernel's gpio-sim: each line has a direction, a physical level and a pull;
/// a line is held by at most one request (EBUSY otherwise); active-low inverts between logical and physical;
/// a bias sets the pull; and a released line falls back to its pull level (gpio-sim does this, and so do
/// controllers that return freed lines to input), unless <see cref="ReleasedLinesKeepLevel"/> says otherwise.
/// Every change of a line's physical level is recorded, so tests can see presses as a device would.
/// </summary>
public sealed class InMemoryGpio(string name = "gpiochip0", string label = "gpio-sim.0-node0", int lines = 32) : IGpio
{
    private readonly object _gate = new();
    private readonly Line[] _lines = Enumerable.Range(0, lines).Select(_ => new Line()).ToArray();

    public GpioChipInfo Chip { get; } = new("/dev/" + name, name, label, lines);

    /// <summary>Models controllers (like the Raspberry Pi 4's) that keep driving a freed output.</summary>
    public bool ReleasedLinesKeepLevel { get; set; }

    /// <summary>Called with (offset, new physical level) on every change, inside the chip's lock.</summary>
    public event Action<int, bool>? LevelChanged;

    public int Requests { get; private set; }

    public sealed class Line
    {
        public bool Level { get; internal set; }
        public bool Pull { get; internal set; }
        public bool IsOutput { get; internal set; }
        public string? Holder { get; internal set; }
        public List<bool> History { get; } = [];
    }

    public Line this[int offset] => _lines[offset];

    /// <summary>Something outside drives an input line (the switch's MCU on a select line, say).</summary>
    public void Drive(int offset, bool level)
    {
        lock (_gate)
        {
            SetLevel(offset, level);
        }
    }

    /// <summary>Another program (kvmd) holds a line.</summary>
    public void Hold(int offset, string consumer)
    {
        lock (_gate)
        {
            _lines[offset].Holder = consumer;
        }
    }

    public GpioChipInfo FindChip(string chip)
    {
        if (chip == Chip.Name || chip == Chip.Path || chip == Chip.Label)
        {
            return Chip;
        }
        throw new NotFoundException($"The GPIO chip {chip} does not exist.", "Chips present: " + Chip.Describe());
    }

    public IGpioLineRequest Request(GpioChipInfo chip, IReadOnlyList<GpioLineSettings> settings, string consumer)
    {
        lock (_gate)
        {
            foreach (var s in settings)
            {
                if (s.Offset < 0 || s.Offset >= _lines.Length)
                {
                    throw new UsageException($"GPIO line {s.Offset} does not exist on {Chip.Describe()}.", "Use another line.");
                }
                if (_lines[s.Offset].Holder is { } holder)
                {
                    throw new DeviceTimeoutException($"GPIO lines of {Chip.Name} are in use: line {s.Offset} by '{holder}'.", "Free them.");
                }
            }
            Requests++;
            foreach (var s in settings)
            {
                var line = _lines[s.Offset];
                line.Holder = consumer;
                if (s.Direction == GpioDirection.AsIs)
                {
                    continue;
                }
                if (s.Bias != GpioBias.AsIs)
                {
                    line.Pull = s.Bias == GpioBias.PullUp;
                }
                line.IsOutput = s.Direction == GpioDirection.Output;
                if (line.IsOutput)
                {
                    SetLevel(s.Offset, s.InitialValue != s.ActiveLow);
                }
                else if (s.Bias != GpioBias.AsIs)
                {
                    SetLevel(s.Offset, line.Pull);
                }
            }
            return new LineRequest(this, settings);
        }
    }

    private void SetLevel(int offset, bool level)
    {
        var line = _lines[offset];
        if (line.Level != level || line.History.Count == 0)
        {
            line.Level = level;
            line.History.Add(level);
            LevelChanged?.Invoke(offset, level);
        }
    }

    private sealed class LineRequest(InMemoryGpio chip, IReadOnlyList<GpioLineSettings> settings) : IGpioLineRequest
    {
        private bool _released;

        public void SetValues(IReadOnlyList<bool> values)
        {
            lock (chip._gate)
            {
                ObjectDisposedException.ThrowIf(_released, this);
                for (int i = 0; i < settings.Count && i < values.Count; i++)
                {
                    if (chip._lines[settings[i].Offset].IsOutput)
                    {
                        chip.SetLevel(settings[i].Offset, values[i] != settings[i].ActiveLow);
                    }
                }
            }
        }

        public bool[] GetValues()
        {
            lock (chip._gate)
            {
                ObjectDisposedException.ThrowIf(_released, this);
                return settings.Select(s => chip._lines[s.Offset].Level != s.ActiveLow).ToArray();
            }
        }

        public void Dispose()
        {
            lock (chip._gate)
            {
                if (_released)
                {
                    return;
                }
                _released = true;
                foreach (var s in settings)
                {
                    var line = chip._lines[s.Offset];
                    line.Holder = null;
                    if (!chip.ReleasedLinesKeepLevel)
                    {
                        line.IsOutput = false;
                        chip.SetLevel(s.Offset, line.Pull);
                    }
                }
            }
        }
    }
}
