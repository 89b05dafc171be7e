using KvmTools.Core.Linux;

namespace KvmTools.Core.Doctor;

/// <summary>The checks that do not depend on any configured device: versions, config, users, udev, directories, root mount.</summary>
public sealed class SystemChecks : IDoctorChecks
{
    public IEnumerable<DoctorFinding> Run(DoctorContext context)
    {
        yield return new DoctorFinding("kvmtool", DoctorStatus.Ok, $"kvmtool {context.Version}.");

        if (context.ConfigError is { } error)
        {
            yield return new DoctorFinding("config", DoctorStatus.Problem, error.Message, error.Hint);
        }
        else if (context.Config?.Path is null)
        {
            yield return new DoctorFinding("config", DoctorStatus.Warning, $"{context.ConfigPath} does not exist: no devices are named.",
                "Copy the commented example (/usr/share/doc/kvmtool/examples/kvmtool.yaml.example) there and edit it.");
        }
        else
        {
            int schema = context.Config.Model.Version ?? Config.KvmToolConfig.SchemaVersion;
            yield return new DoctorFinding("config", DoctorStatus.Ok, $"{context.Config.Path} is valid (schema version {schema}).");
        }

        if (context.Kvmd is null)
        {
            yield return new DoctorFinding("users", DoctorStatus.Warning, "There is no user kvmd: kvmd is not installed here.",
                "Install kvmd (PiKVM OS, One-KVM) to use kvmtool from its web page; the shell commands work without it.");
        }
        else
        {
            uint? kvmdGroup = UserIdentity.GroupId("kvmd", context.Paths.EtcRoot);
            bool inGroup = kvmdGroup is uint g && context.Kvmd.Groups.Contains(g);
            yield return new DoctorFinding("users", inGroup ? DoctorStatus.Ok : DoctorStatus.Problem,
                inGroup ? "User kvmd is in group kvmd." : "User kvmd is not in group kvmd, which the udev rules grant devices to.",
                inGroup ? null : "Run 'usermod -aG kvmd kvmd' and restart kvmd.");
        }

        string? rules = context.UdevRuleFiles.FirstOrDefault(File.Exists);
        yield return rules is not null
            ? new DoctorFinding("udev", DoctorStatus.Ok, $"udev rules installed: {Path.GetFullPath(rules)}.")
            : new DoctorFinding("udev", context.Kvmd is null ? DoctorStatus.Warning : DoctorStatus.Problem,
                "kvmtool's udev rules (60-kvmtool.rules) are not installed: user kvmd cannot open the devices.",
                "Install the kvmtool package (or the tarball's install.sh), which installs /usr/lib/udev/rules.d/60-kvmtool.rules.");

        foreach (var dir in new[] { context.Paths.RuntimeDir, context.Paths.StateDir })
        {
            yield return DirectoryFinding(context, dir);
        }

        if (RootMount.IsReadOnly(Path.Combine(context.Paths.ProcRoot, "self", "mounts")) is true)
        {
            yield return new DoctorFinding("filesystem", DoctorStatus.Warning,
                "The root filesystem is mounted read-only (PiKVM OS does this): 'kvmtool gpio apply' cannot write until it is remounted.",
                "Run 'rw' before changing files and 'ro' after, or use 'kvmtool gpio apply --remount'.");
        }
    }

    private static DoctorFinding DirectoryFinding(DoctorContext context, string dir)
    {
        var owner = FileOwnership.TryRead(dir);
        if (owner is null)
        {
            return new DoctorFinding("directories", DoctorStatus.Warning, $"{dir} does not exist yet (kvmtool creates it when root runs it).",
                "The package creates it for group kvmd at boot: 'systemd-tmpfiles --create /usr/lib/tmpfiles.d/kvmtool.conf'.");
        }
        var users = new[] { context.CurrentUser, context.Kvmd }.Where(u => u is not null).Cast<UserIdentity>();
        var denied = users.Where(u => !owner.Value.AllowsReadWrite(u)).Select(u => u.Name).ToList();
        return denied.Count == 0
            ? new DoctorFinding("directories", DoctorStatus.Ok, $"{dir} is writable by {string.Join(" and ", users.Select(u => u.Name).Distinct())}.")
            : new DoctorFinding("directories", DoctorStatus.Problem, $"{dir} is not writable by {string.Join(", ", denied)}.",
                "Run 'systemd-tmpfiles --create /usr/lib/tmpfiles.d/kvmtool.conf' (group kvmd, mode 2775).");
    }
}

/// <summary>Reads /proc/self/mounts to tell whether / is mounted read-only.</summary>
public static class RootMount
{
    public static bool? IsReadOnly(string mountsFile)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(mountsFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The last mount on / wins (an overlay or remount stacks on top).
        bool? readOnly = null;
        foreach (string line in lines)
        {
            string[] fields = line.Split(' ');
            if (fields.Length >= 4 && fields[1] == "/")
            {
                readOnly = fields[3].Split(',').Contains("ro");
            }
        }
        return readOnly;
    }
}
