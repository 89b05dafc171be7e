namespace KvmTools.Core;

/// <summary>What kind of failure happened; the CLI maps each kind to one documented exit code.</summary>
public enum FailureKind
{
    /// <summary>The operation was attempted and did not work (the device answered wrongly, a write failed).</summary>
    Failed,
    /// <summary>The command line or its arguments are wrong, or a selector matched several devices.</summary>
    Usage,
    /// <summary>The device, file or named item does not exist.</summary>
    NotFound,
    /// <summary>The current user may not open or write something; the hint names the udev rule or group.</summary>
    PermissionDenied,
    /// <summary>A device did not answer in time, or another process holds its lock.</summary>
    Timeout,
    /// <summary>kvmtool.yaml (or another input file) is invalid.</summary>
    Config,
}

/// <summary>
/// A failure kvmtool expects and can explain: what went wrong, where, and how to fix it.
/// Core throws only these (or lets programming errors surface as ordinary exceptions).
/// </summary>
public class KvmToolException : Exception
{
    public KvmToolException(FailureKind kind, string message, string? hint = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Hint = hint;
    }

    public FailureKind Kind { get; }

    /// <summary>What the user can do about it, if kvmtool knows; printed after the message.</summary>
    public string? Hint { get; }
}

public sealed class OperationFailedException(string message, string? hint = null, Exception? inner = null)
    : KvmToolException(FailureKind.Failed, message, hint, inner);

public sealed class UsageException(string message, string? hint = null)
    : KvmToolException(FailureKind.Usage, message, hint);

public sealed class NotFoundException(string message, string? hint = null, Exception? inner = null)
    : KvmToolException(FailureKind.NotFound, message, hint, inner);

public sealed class PermissionDeniedException(string message, string? hint = null, Exception? inner = null)
    : KvmToolException(FailureKind.PermissionDenied, message, hint, inner);

public sealed class DeviceTimeoutException(string message, string? hint = null, Exception? inner = null)
    : KvmToolException(FailureKind.Timeout, message, hint, inner);

/// <summary>An invalid input file, located by file, line and column (1-based; 0 when unknown).</summary>
public sealed class ConfigException : KvmToolException
{
    public ConfigException(string file, int line, int column, string message, string? hint = null, Exception? inner = null)
        : base(FailureKind.Config, Locate(file, line, column) + message, hint, inner)
    {
        File = file;
        Line = line;
        Column = column;
        Problem = message;
    }

    public string File { get; }
    public int Line { get; }
    public int Column { get; }
    public string Problem { get; }

    private static string Locate(string file, int line, int column) =>
        line > 0 ? $"{file}:{line}:{column}: " : $"{file}: ";
}
