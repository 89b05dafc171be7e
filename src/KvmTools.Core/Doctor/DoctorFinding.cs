namespace KvmTools.Core.Doctor;

public enum DoctorStatus
{
    Ok,
    /// <summary>Worth knowing, but nothing configured depends on it.</summary>
    Warning,
    /// <summary>Something a configured feature needs is missing or broken.</summary>
    Problem,
}

/// <summary>One thing 'kvmtool doctor' looked at: what it found, and how to fix it when it is not right.</summary>
public sealed record DoctorFinding(string Area, DoctorStatus Status, string Message, string? Fix = null);
