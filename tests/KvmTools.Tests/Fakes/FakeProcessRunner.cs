using KvmTools.Core.Linux;

namespace KvmTools.Tests.Fakes;

/// <summary>Records every command kvmtool runs and answers with a scripted result (success by default).</summary>
public sealed class FakeProcessRunner : IProcessRunner
{
    public List<string[]> Calls { get; } = [];

    public Func<string[], ProcessResult>? Answer { get; set; }

    public ProcessResult Run(IReadOnlyList<string> argv, TimeSpan timeout)
    {
        Assert.True(timeout > TimeSpan.Zero && timeout < TimeSpan.FromMinutes(5), "every command has a bounded timeout");
        string[] call = [.. argv];
        Calls.Add(call);
        return Answer?.Invoke(call) ?? new ProcessResult(0, "", "", false);
    }

    /// <summary>The calls as lines, with the program reduced to its file name.</summary>
    public List<string> Lines => Calls.Select(c => string.Join(' ', [Path.GetFileName(c[0]), .. c.Skip(1)])).ToList();
}

/// <summary>A clock that stands still, so backup names are predictable.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
