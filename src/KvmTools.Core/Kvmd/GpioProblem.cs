namespace KvmTools.Core.Kvmd;

public enum Severity
{
    /// <summary>kvmd would refuse to start (kvmd's own loader agrees: KvmdOracleTests), or kvmtool cannot read the file.</summary>
    Error,
    /// <summary>kvmd starts, but probably not as intended: a cell its page drops, a command that cannot run, ...</summary>
    Warning,
}

/// <summary>One finding of 'gpio check': where (file:line:column and kvmd's key path), what, and the fix.</summary>
public sealed record GpioProblem(Severity Severity, string File, int Line, int Column, string KvmdPath, string Message, string Fix)
{
    public static GpioProblem Error(string file, int line, int column, string path, string message, string fix) =>
        new(Severity.Error, file, line, column, path, message, fix);

    public static GpioProblem Warning(string file, int line, int column, string path, string message, string fix) =>
        new(Severity.Warning, file, line, column, path, message, fix);

    public static GpioProblem At(Severity severity, YNode node, string path, string message, string fix) =>
        new(severity, node.File, node.Line, node.Column, path, message, fix);

    public string Location => Line > 0 ? $"{File}:{Line}:{Column}" : File;

    public override string ToString() =>
        $"{(Severity == Severity.Error ? "error" : "warning")}: {Location}: {(KvmdPath.Length > 0 ? KvmdPath + ": " : "")}{Message}";
}
