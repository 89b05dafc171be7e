namespace KvmTools.Launcher;

/// <summary>What a command answered on the quick path: its standard output and exit code.</summary>
internal sealed record QuickAnswer(string Output, int ExitCode);
