using KvmTools.Cli;

// A last line of defence: kvmd waits for cmd drivers forever, so no kvmtool run may outlive this,
// whatever a driver or the kernel does. Every device operation has its own, shorter, timeout; commands that
// need longer declare it (CliContext.DeclareBackstop).
var backstop = TimeSpan.FromSeconds(60);
bool overridden = false;
if (Environment.GetEnvironmentVariable("KVMTOOL_BACKSTOP_SECONDS") is { Length: > 0 } text)
{
    // A Timer takes at most 2^32-2 ms.
    const int MaxSeconds = 4_294_967;
    if (int.TryParse(text, out int seconds) && seconds is > 0 and <= MaxSeconds)
    {
        backstop = TimeSpan.FromSeconds(seconds);
        overridden = true;
    }
    else
    {
        Console.Error.WriteLine($"kvmtool: KVMTOOL_BACKSTOP_SECONDS='{text}' is not a number of seconds from 1 to {MaxSeconds}; using {backstop.TotalSeconds:0} s.");
    }
}
using var timer = new Timer(_ =>
{
    Console.Error.WriteLine($"kvmtool: gave up after {backstop.TotalSeconds:0} s; a device or lock did not answer.");
    Console.Error.WriteLine("  fix: re-plug or reset the device ('kvmtool usb reset'), then try again.");
    Environment.Exit(ExitCodes.Timeout);
}, null, backstop, Timeout.InfiniteTimeSpan);

void Rearm(TimeSpan limit)
{
    backstop = limit;
    timer.Change(limit, Timeout.InfiniteTimeSpan);
}

return CliApp.Run(args, new CliContext(Console.Out, Console.Error, Environment.GetEnvironmentVariable)
{
    ErrorIsTerminal = !Console.IsErrorRedirected,
    ExtendBackstop = limit =>
    {
        if (!overridden)
        {
            Rearm(limit);
        }
    },
    // Commands that run longer than the backstop (the watchdog) bound each pass themselves and move it along.
    RearmBackstop = Rearm,
});
