using KvmTools.Core;

namespace KvmTools.Cli;

/// <summary>kvmtool's exit codes; README.md documents the same table.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation failed; also "off"/"not active" for status queries meant for kvmd cmdret inputs.</summary>
    public const int Failed = 1;

    public const int Usage = 2;
    public const int NotFound = 3;
    public const int PermissionDenied = 4;
    public const int Timeout = 5;
    public const int Config = 6;

    /// <summary>Not a failure kvmtool anticipated: a bug to report.</summary>
    public const int Internal = 70;

    public static int For(FailureKind kind) => kind switch
    {
        FailureKind.Failed => Failed,
        FailureKind.Usage => Usage,
        FailureKind.NotFound => NotFound,
        FailureKind.PermissionDenied => PermissionDenied,
        FailureKind.Timeout => Timeout,
        FailureKind.Config => Config,
        _ => Internal,
    };
}
