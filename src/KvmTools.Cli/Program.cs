using KvmTools.Cli;

// A last line of defence: kvmd waits for cmd drivers forever, so no kvmtool run may outlive this,
// whatever a driver or the kernel does. Every device operation has its own, shorter, timeout.
var backstop = TimeSpan.FromSeconds(60);
if (args.Contains("gpio"))
{
    // 'gpio apply' is an administrator's command, not a kvmd driver: kvmd's own check, remounts and a restart
    // each have their own limits, which add up to more than a minute on a slow board.
    backstop = TimeSpan.FromSeconds(600);
}
if (Environment.GetEnvironmentVariable("KVMTOOL_BACKSTOP_SECONDS") is { } text && int.TryParse(text, out int seconds) && seconds > 0)
{
    backstop = TimeSpan.FromSeconds(seconds);
}
using var timer = new Timer(_ =>
{
    Console.Error.WriteLine($"kvmtool: gave up after {backstop.TotalSeconds:0} s; a device or lock did not answer.");
    Console.Error.WriteLine("  fix: re-plug or reset the device ('kvmtool usb reset'), then try again.");
    Environment.Exit(ExitCodes.Timeout);
}, null, backstop, Timeout.InfiniteTimeSpan);

return CliApp.Run(args, new CliContext(Console.Out, Console.Error, Environment.GetEnvironmentVariable)
{
    ErrorIsTerminal = !Console.IsErrorRedirected,
    // Commands that run longer than the backstop (the watchdog) bound each pass themselves and move it along.
    RearmBackstop = limit =>
    {
        backstop = limit;
        timer.Change(limit, Timeout.InfiniteTimeSpan);
    },
});
