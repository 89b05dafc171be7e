namespace KvmTools.Core.Kvmd;

/// <summary>
/// The GPIO driver types kvmd knows: each is a module of kvmd's plugins/ugpio package, which kvmd imports by the
/// type's name and refuses to start without. Asked of the installed kvmd where there is one; otherwise kvmd
/// 4.197's list stands in (<see cref="From"/> null).
/// </summary>
/// <param name="Names">The types.</param>
/// <param name="From">The plugin directory they were read from; null for the built-in list.</param>
public sealed record KvmdDriverTypes(IReadOnlySet<string> Names, string? From)
{
    /// <summary>Where PiKVM OS (Arch, site-packages) and Debian-based boxes (dist-packages) install kvmd.</summary>
    private static readonly string[] PythonRoots = ["/usr/lib", "/usr/local/lib"];

    public static KvmdDriverTypes BuiltIn { get; } = new(KvmdRules.DriverTypes, null);

    /// <summary>The installed kvmd's types, else the built-in list.</summary>
    public static KvmdDriverTypes Installed()
    {
        foreach (string root in PythonRoots)
        {
            if (!Directory.Exists(root))
            {
                continue;
            }
            foreach (string python in Directory.EnumerateDirectories(root, "python3*").Order(StringComparer.Ordinal))
            {
                foreach (string packages in new[] { "site-packages", "dist-packages" })
                {
                    if (In(Path.Combine(python, packages, "kvmd", "plugins", "ugpio")) is { } found)
                    {
                        return found;
                    }
                }
            }
        }
        return BuiltIn;
    }

    /// <summary>The types of the kvmd whose plugins/ugpio directory is <paramref name="ugpioDir"/>; null when it is not one.</summary>
    public static KvmdDriverTypes? In(string ugpioDir)
    {
        if (!File.Exists(Path.Combine(ugpioDir, "__init__.py")))
        {
            return null;
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(ugpioDir))
        {
            string name = Path.GetFileName(entry);
            if (name.StartsWith('_') || name.StartsWith('.'))
            {
                continue;
            }
            if (name.EndsWith(".py", StringComparison.Ordinal))
            {
                names.Add(name[..^3]);
            }
            else if (File.Exists(Path.Combine(entry, "__init__.py")))
            {
                names.Add(name);
            }
        }
        return new KvmdDriverTypes(names, ugpioDir);
    }
}
