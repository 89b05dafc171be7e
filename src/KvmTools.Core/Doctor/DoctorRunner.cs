using KvmTools.Core.Linux;

namespace KvmTools.Core.Doctor;

/// <summary>
/// Runs every check 'kvmtool doctor' knows. Each capability contributes its checks through
/// <see cref="IDoctorChecks"/>; a check never throws, it reports.
/// </summary>
public interface IDoctorChecks
{
    IEnumerable<DoctorFinding> Run(DoctorContext context);
}

public static class DoctorRunner
{
    public static IReadOnlyList<DoctorFinding> Run(DoctorContext context, IEnumerable<IDoctorChecks> checks)
    {
        var findings = new List<DoctorFinding>();
        foreach (var group in checks)
        {
            try
            {
                findings.AddRange(group.Run(context));
            }
            catch (KvmToolException e)
            {
                findings.Add(new DoctorFinding(group.GetType().Name, DoctorStatus.Problem, e.Message, e.Hint));
            }
        }
        return findings;
    }

    /// <summary>Whether a device node can be opened read-write by the current user and by kvmd, as findings.</summary>
    public static IEnumerable<DoctorFinding> NodeAccess(DoctorContext context, string area, string node, string what)
    {
        var owner = FileOwnership.TryRead(node);
        if (owner is null)
        {
            yield return new DoctorFinding(area, DoctorStatus.Problem, $"{what}: {node} does not exist.",
                "Check the cable; 'kvmtool usb list' shows what is attached.");
            yield break;
        }
        foreach (var user in new[] { context.CurrentUser, context.Kvmd })
        {
            if (user is null || (user == context.Kvmd && user.Uid == context.CurrentUser.Uid))
            {
                continue;
            }
            bool ok = owner.Value.AllowsReadWrite(user);
            yield return new DoctorFinding(area, ok ? DoctorStatus.Ok : DoctorStatus.Problem,
                $"{what}: user {user.Name} {(ok ? "can" : "cannot")} open {node} " +
                $"(owner {owner.Value.Uid}, group {owner.Value.Gid}, mode {Convert.ToString((int)owner.Value.Mode, 8)}).",
                ok ? null : LinuxErrors.DevicePermissionHint);
        }
    }
}
