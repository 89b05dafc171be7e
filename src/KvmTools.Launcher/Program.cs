using KvmTools.Launcher;

// kvmd runs the cmdret inputs (relay status, switch is, usb status) on every page load and GPIO change: answer
// those here, from sysfs and state files, in a binary small enough to start quickly; hand everything else,
// errors included, to the full command line.
QuickAnswer? answer;
try
{
    answer = QuickCommands.TryAnswer(args, Environment.GetEnvironmentVariable);
}
catch (Exception)
{
    answer = null; // whatever went wrong, the full command line reports it properly
}
if (answer is not null)
{
    StandardOutput.Write(answer.Output);
    return answer.ExitCode;
}
return CliHandOff.Exec(args);
