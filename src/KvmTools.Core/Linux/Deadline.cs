using System.Diagnostics;

namespace KvmTools.Core.Linux;

/// <summary>A point in monotonic time by which an operation must be done.</summary>
public readonly struct Deadline
{
    private readonly long _startTicks;

    public Deadline(TimeSpan budget)
    {
        Budget = budget;
        _startTicks = Stopwatch.GetTimestamp();
    }

    public TimeSpan Budget { get; }

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startTicks);

    public TimeSpan Remaining => Budget - Elapsed > TimeSpan.Zero ? Budget - Elapsed : TimeSpan.Zero;

    public int RemainingMilliseconds => (int)Math.Ceiling(Math.Min(Remaining.TotalMilliseconds, int.MaxValue));

    public bool Expired => Remaining == TimeSpan.Zero;

    public static Deadline After(TimeSpan budget) => new(budget);
}
