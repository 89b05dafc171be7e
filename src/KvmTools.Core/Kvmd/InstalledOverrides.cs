using System.Text.RegularExpressions;

namespace KvmTools.Core.Kvmd;

/// <summary>
/// Everything kvmd loads on top of its main config, in kvmd's order: every regular file in override.d
/// (whatever its name, sorted by name), then override.yaml. 'gpio check --installed' and 'gpio apply' look at
/// the whole set, because one bad file anywhere stops kvmd and a later file can replace kvmtool's table.
/// </summary>
public static partial class InstalledOverrides
{
    /// <summary>kvmd's own override file, beside override.d.</summary>
    public static string OverrideYamlFor(string overrideDir) =>
        Path.Combine(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(overrideDir)))!, "override.yaml");

    /// <summary>
    /// Checks the installed set. <paramref name="ourFile"/> is kvmtool's gpio.yaml; with <paramref name="replacement"/>
    /// the check sees that text in its place (what 'apply' is about to write).
    /// </summary>
    public static List<GpioProblem> Check(string overrideDir, string ourFile, string? replacement = null, bool checkPrograms = true)
    {
        var problems = new List<GpioProblem>();
        var files = Load(overrideDir, ourFile, replacement, problems);
        problems.AddRange(GpioChecker.Check(files));
        CheckAcrossFiles(files, ourFile, problems);
        if (checkPrograms)
        {
            CheckPrograms(files, problems);
        }
        return problems;
    }

    public static List<KvmdYamlFile> Load(string overrideDir, string ourFile, string? replacement, List<GpioProblem> problems)
    {
        var files = new List<KvmdYamlFile>();
        if (!Directory.Exists(overrideDir))
        {
            problems.Add(GpioProblem.Warning(overrideDir, 0, 0, "", "the override directory does not exist (is kvmd installed here?).",
                "Create it ('mkdir -p " + overrideDir + "'), or set kvmd.override-dir in kvmtool.yaml."));
        }
        else
        {
            var names = Directory.EnumerateFileSystemEntries(overrideDir).Select(Path.GetFileName).OfType<string>()
                .Append(Path.GetFileName(ourFile)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            foreach (string name in names)
            {
                string path = Path.Combine(overrideDir, name);
                if (path == ourFile && replacement is not null)
                {
                    files.Add(KvmdYamlFile.Parse(replacement, path));
                    continue;
                }
                if (Read(path, problems) is { } file)
                {
                    files.Add(file);
                    if (path != ourFile && LooksLikeLeftover(name))
                    {
                        problems.Add(GpioProblem.Warning(path, 0, 0, "",
                            "this looks like a backup or an editor's leftover, but kvmd loads every file in override.d, so it is part of kvmd's configuration (and later names win).",
                            "Move it out of override.d (kvmtool keeps its backups in its backup directory)."));
                    }
                }
            }
        }
        string overrideYaml = OverrideYamlFor(overrideDir);
        if (File.Exists(overrideYaml) && Read(overrideYaml, problems) is { } last)
        {
            files.Add(last);
        }
        return files;
    }

    /// <summary>A file kvmd would load, or null for what kvmd skips (directories, and our own file when absent).</summary>
    private static KvmdYamlFile? Read(string path, List<GpioProblem> problems)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            var target = info.ResolveLinkTarget(returnFinalTarget: true);
            if (target is null || !target.Exists)
            {
                if (Directory.Exists(path))
                {
                    problems.Add(GpioProblem.Error(path, 0, 0, "", "a symbolic link to a directory: kvmd loads every link in override.d as a file and would refuse to start.",
                        "Remove the link from override.d."));
                }
                else
                {
                    problems.Add(GpioProblem.Error(path, 0, 0, "", "a broken symbolic link: kvmd loads every link in override.d and would refuse to start.",
                        "Remove the link, or restore what it points to."));
                }
                return null;
            }
        }
        else if (!info.Exists)
        {
            return null;
        }
        try
        {
            return KvmdYamlFile.Parse(File.ReadAllText(path), path);
        }
        catch (UnauthorizedAccessException)
        {
            return KvmdYamlFile.Unreadable(path, "permission denied reading the file.", "Run the check as root (sudo).");
        }
        catch (IOException e)
        {
            return KvmdYamlFile.Unreadable(path, "cannot read the file: " + e.Message, "Check the file.");
        }
    }

    private static bool LooksLikeLeftover(string name) => Leftover().IsMatch(name);

    [GeneratedRegex(@"(~|\.(bak|backup|orig|old|save|swp|swo|tmp|dpkg-[a-z]+|pacnew|pacsave|rpmnew|rpmsave|ucf-[a-z]+)|^\.#.*|^#.*#)$", RegexOptions.IgnoreCase)]
    private static partial Regex Leftover();

    private static void CheckAcrossFiles(List<KvmdYamlFile> files, string ourFile, List<GpioProblem> problems)
    {
        int ours = files.FindIndex(f => f.Path == ourFile);
        if (ours < 0 || Gpio(files[ours]) is not { } mine)
        {
            return;
        }
        var myDrivers = Keys(mine, "drivers");
        var myChannels = Keys(mine, "scheme");
        bool myTable = View(mine)?.Get("table") is not null;
        for (int i = 0; i < files.Count; i++)
        {
            if (i == ours || Gpio(files[i]) is not { } other)
            {
                continue;
            }
            string path = files[i].Path;
            if (myTable && View(other)?.EntryOf("table") is { } table)
            {
                problems.Add(i > ours
                    ? GpioProblem.Warning(path, table.Key.Line, table.Key.Column, "kvmd/gpio/view/table",
                        $"this file's view table replaces the one kvmtool generates in {ourFile} (kvmd replaces lists whole, and this file loads later), so kvmtool's buttons are not shown.",
                        "Remove kvmd/gpio/view/table from this file and lay the rows out in kvmtool.yaml (kvmd: layout:).")
                    : GpioProblem.Warning(path, table.Key.Line, table.Key.Column, "kvmd/gpio/view/table",
                        $"this file's view table is replaced by the one kvmtool generates in {ourFile}, which loads later.",
                        "Move its rows into kvmtool.yaml (kvmd: layout:) and remove them here."));
            }
            foreach (var (section, mineKeys) in new[] { ("drivers", myDrivers), ("scheme", myChannels) })
            {
                if (other.Get(section) is not YMapping theirs)
                {
                    continue;
                }
                foreach (var entry in theirs.Entries.Where(e => mineKeys.Contains(e.Key.Text)))
                {
                    problems.Add(GpioProblem.Warning(path, entry.Key.Line, entry.Key.Column, $"kvmd/gpio/{section}/{entry.Key.Text}",
                        $"'{entry.Key.Text}' is also defined in {ourFile}; kvmd merges the two definitions key by key.",
                        "Rename or remove one of them."));
                }
            }
        }
    }

    private static void CheckPrograms(List<KvmdYamlFile> files, List<GpioProblem> problems)
    {
        foreach (var file in files)
        {
            if (Gpio(file)?.Get("drivers") is not YMapping drivers)
            {
                continue;
            }
            foreach (var entry in drivers.Entries)
            {
                if (entry.Value is YMapping body && body.Get("cmd") is YSequence { Items: [YScalar { IsString: true } program, ..] }
                    && program.Text.StartsWith('/') && !File.Exists(program.Text))
                {
                    problems.Add(GpioProblem.At(Severity.Warning, program, $"kvmd/gpio/drivers/{entry.Key.Text}/cmd[0]",
                        $"'{program.Text}' does not exist on this machine; the button or indicator would fail.",
                        "Install it there, or fix the path (kvmd.kvmtool-path in kvmtool.yaml)."));
                }
            }
        }
    }

    private static YMapping? Gpio(KvmdYamlFile file) => (file.Root as YMapping)?.Get("kvmd") is YMapping kvmd ? kvmd.Get("gpio") as YMapping : null;

    private static YMapping? View(YMapping gpio) => gpio.Get("view") as YMapping;

    private static HashSet<string> Keys(YMapping gpio, string section) =>
        gpio.Get(section) is YMapping map ? map.Entries.Select(e => e.Key.Text).ToHashSet(StringComparer.Ordinal) : [];
}
