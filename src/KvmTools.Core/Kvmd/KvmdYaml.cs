using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KvmTools.Core.Kvmd;

/// <summary>A node of a YAML file as kvmd will see it, remembering where in which file it was written.</summary>
public abstract class YNode(string file, int line, int column)
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>A scalar with the type PyYAML gives it in kvmd.</summary>
public sealed class YScalar(string file, int line, int column, string text, PyKind kind, bool plain) : YNode(file, line, column)
{
    public string Text { get; } = text;
    public PyKind Kind { get; } = kind;

    /// <summary>Written without quotes (so YAML's implicit typing applied).</summary>
    public bool Plain { get; } = plain;

    public bool IsString => Kind == PyKind.Str;

    /// <summary>Python's str() of the value, which is what kvmd validates for most options.</summary>
    public string PythonStr => PyYamlScalars.PythonStr(Text, Kind);

    /// <summary>Identity as a Python dict key ('1' and 1 differ; 'true' the word and true the bool differ).</summary>
    public string KeyIdentity => Kind == PyKind.Str ? "s:" + Text : "v:" + PythonStr;

    public string Describe() => Kind switch
    {
        PyKind.Null => $"'{Text}' (null)",
        PyKind.Bool => $"'{Text}' (the boolean {PythonStr})",
        PyKind.WholeNumber => $"'{Text}' (the number {PythonStr})",
        PyKind.Real => $"'{Text}' (the number {PythonStr})",
        PyKind.Timestamp => $"'{Text}' (a date)",
        _ => $"'{Text}'",
    };
}

public sealed class YSequence(string file, int line, int column, IReadOnlyList<YNode> items) : YNode(file, line, column)
{
    public IReadOnlyList<YNode> Items { get; } = items;
}

public sealed record YEntry(YScalar Key, YNode Value);

public sealed class YMapping(string file, int line, int column, IReadOnlyList<YEntry> entries) : YNode(file, line, column)
{
    public IReadOnlyList<YEntry> Entries { get; } = entries;

    /// <summary>The value under the string key <paramref name="key"/>, as Python's dict lookup finds it.</summary>
    public YNode? Get(string key) => Entries.LastOrDefault(e => e.Key.Kind == PyKind.Str && e.Key.Text == key)?.Value;

    public YEntry? EntryOf(string key) => Entries.LastOrDefault(e => e.Key.Kind == PyKind.Str && e.Key.Text == key);

    /// <summary>kvmd's yaml_merge: mappings merge key by key, recursively; anything else (lists too) is replaced whole.</summary>
    public static YMapping Merge(YMapping dest, YMapping src)
    {
        var entries = dest.Entries.ToList();
        foreach (var entry in src.Entries)
        {
            int i = entries.FindIndex(e => e.Key.KeyIdentity == entry.Key.KeyIdentity);
            if (i < 0)
            {
                entries.Add(entry);
            }
            else if (entries[i].Value is YMapping a && entry.Value is YMapping b)
            {
                entries[i] = entries[i] with { Value = Merge(a, b) };
            }
            else
            {
                entries[i] = entry;
            }
        }
        return new YMapping(dest.File, dest.Line, dest.Column, entries);
    }
}

/// <summary>One YAML file read the way kvmd's loader reads it, plus what kvmtool could not accept in it.</summary>
public sealed class KvmdYamlFile
{
    /// <summary>Deeper nesting than this is no GPIO override; it also bounds recursion on hostile input.</summary>
    private const int MaxDepth = 64;

    /// <summary>
    /// Every node written out takes at least one character, so only aliases can make a file expand beyond its
    /// length ("billion laughs"); stopping there bounds the work by the file's size.
    /// </summary>
    private static int MaxNodesFor(string text) => text.Length + 1000;

    private KvmdYamlFile(string path, YNode? root, IReadOnlyList<GpioProblem> problems)
    {
        Path = path;
        Root = root;
        Problems = problems;
    }

    public string Path { get; }

    /// <summary>The document, or null when the file is empty (kvmd reads that as an empty mapping) or unreadable.</summary>
    public YNode? Root { get; }

    public IReadOnlyList<GpioProblem> Problems { get; }

    /// <summary>Whether kvmd can load the file at all (its problems include no error).</summary>
    public bool Loadable => Problems.All(p => p.Severity != Severity.Error);

    /// <summary>
    /// How a file kvmtool's YAML reader cannot read begins. PyYAML, kvmd's reader, is more lenient in places
    /// (duplicate keys, where the last wins; some indentation inside quoted text), so this does not claim that
    /// kvmd refuses the file: 'kvmd -m' decides (tests/kvmd and KvmdOracleTests measure where the two differ).
    /// </summary>
    public const string ReaderFailure = "kvmtool cannot check this file, its YAML is not valid to kvmtool (kvmd may still read it): ";

    public static KvmdYamlFile Parse(string text, string path)
    {
        var problems = new List<GpioProblem>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            problems.Add(GpioProblem.Error(path, (int)e.Start.Line, (int)e.Start.Column, "",
                ReaderFailure + Innermost(e).Message,
                "Fix the syntax on that line (indentation with spaces, closed quotes and brackets)."));
            return new KvmdYamlFile(path, null, problems);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            problems.Add(GpioProblem.Error(path, 0, 0, "", ReaderFailure + e.Message,
                "Check that every bracket, brace and quote is closed."));
            return new KvmdYamlFile(path, null, problems);
        }
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            problems.Add(GpioProblem.Error(path, (int)second.Start.Line, (int)second.Start.Column, "",
                "the file holds more than one YAML document; kvmd's loader expects one and would refuse to start.",
                "Remove the '---' separator and the second document."));
            return new KvmdYamlFile(path, null, problems);
        }
        if (stream.Documents.Count == 0)
        {
            return new KvmdYamlFile(path, null, problems);
        }
        var converter = new Converter(path, text, problems, MaxNodesFor(text));
        YNode root = converter.Convert(stream.Documents[0].RootNode, 0);
        if (root is YScalar { Kind: PyKind.Null })
        {
            return new KvmdYamlFile(path, null, problems);
        }
        if (root is not YMapping)
        {
            problems.Add(GpioProblem.Error(path, root.Line, root.Column, "",
                "the top level of the file is not a mapping; kvmd would refuse to start.", "Start the file with 'kvmd:'."));
        }
        return new KvmdYamlFile(path, root, problems);
    }

    public static KvmdYamlFile Unreadable(string path, string why, string fix) =>
        new(path, null, [GpioProblem.Error(path, 0, 0, "", why, fix)]);

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }

    private sealed class Converter(string file, string source, List<GpioProblem> problems, int maxNodes)
    {
        private int _nodes;

        /// <summary>How many flow collections ([...], {...}) enclose the node being converted.</summary>
        private int _flow;

        /// <summary>Where the converter is, as kvmd's key path; joined only when a problem needs it.</summary>
        private readonly List<(string? Key, int Index)> _at = [];

        private string PathHere()
        {
            var sb = new System.Text.StringBuilder();
            foreach (var (key, index) in _at)
            {
                if (key is null)
                {
                    sb.Append('[').Append(index).Append(']');
                }
                else
                {
                    sb.Append(sb.Length == 0 ? "" : "/").Append(key);
                }
            }
            return sb.ToString();
        }

        public YNode Convert(YamlNode node, int depth)
        {
            int line = (int)node.Start.Line;
            int column = (int)node.Start.Column;
            if (depth > MaxDepth || ++_nodes > maxNodes)
            {
                if (_nodes <= maxNodes + 1)
                {
                    problems.Add(GpioProblem.Error(file, line, column, PathHere(),
                        $"the file nests deeper than {MaxDepth} levels or its aliases expand it far beyond its size.", "Write the content out instead of repeating aliases."));
                }
                return new YScalar(file, line, column, "", PyKind.Null, true);
            }
            string? tag = node.Tag.IsEmpty ? null : node.Tag.Value;
            switch (node)
            {
                case YamlScalarNode scalar:
                    {
                        string text = scalar.Value ?? "";
                        bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                        var kind = PyYamlScalars.Resolve(text, plain, tag);
                        if (kind == PyKind.Include)
                        {
                            problems.Add(GpioProblem.Warning(file, line, column, PathHere(),
                                "kvmtool does not follow !include; the included content is not checked.",
                                "Let kvmd check it: 'kvmd -m' (kvmtool gpio apply runs it when kvmd is installed)."));
                        }
                        else if (plain && _flow > 0 && StartsWithIndicator(node))
                        {
                            // YAML 1.2 (YamlDotNet) reads on past a ':' there; YAML 1.1 (PyYAML) stops.
                            problems.Add(GpioProblem.Error(file, line, column, PathHere(),
                                "an item inside [...] or {...} starts with ':', which kvmd's YAML reader (PyYAML) refuses; kvmd would not start.",
                                "Quote the item, or remove the stray character."));
                        }
                        else if (kind == PyKind.Unsupported)
                        {
                            problems.Add(GpioProblem.Error(file, line, column, PathHere(),
                                $"the tag '{tag}' is not one kvmd's YAML loader can read; kvmd would refuse to start.", "Remove the tag."));
                        }
                        return new YScalar(file, line, column, text, kind, plain);
                    }
                case YamlSequenceNode seq:
                    {
                        CheckCollectionTag(tag, "tag:yaml.org,2002:seq", line, column);
                        var items = new List<YNode>(seq.Children.Count);
                        int flow = seq.Style == YamlDotNet.Core.Events.SequenceStyle.Flow ? 1 : 0;
                        _flow += flow;
                        for (int i = 0; i < seq.Children.Count; i++)
                        {
                            _at.Add((null, i));
                            items.Add(Convert(seq.Children[i], depth + 1));
                            _at.RemoveAt(_at.Count - 1);
                        }
                        _flow -= flow;
                        return new YSequence(file, line, column, items);
                    }
                case YamlMappingNode map:
                    {
                        CheckCollectionTag(tag, "tag:yaml.org,2002:map", line, column);
                        var entries = new List<YEntry>(map.Children.Count);
                        int flow = map.Style == YamlDotNet.Core.Events.MappingStyle.Flow ? 1 : 0;
                        _flow += flow;
                        foreach (var (keyNode, valueNode) in map.Children)
                        {
                            if (keyNode is not YamlScalarNode)
                            {
                                problems.Add(GpioProblem.Error(file, (int)keyNode.Start.Line, (int)keyNode.Start.Column, PathHere(),
                                    "a mapping key is a list or mapping; kvmd's YAML loader cannot use it and would refuse to start.",
                                    "Use plain text keys."));
                                continue;
                            }
                            var key = (YScalar)Convert(keyNode, depth + 1);
                            _at.Add((key.Text, 0));
                            if (key.Plain && key.Text == "<<")
                            {
                                problems.Add(GpioProblem.Error(file, key.Line, key.Column, PathHere(),
                                    "YAML merge keys ('<<') are not checked by kvmtool.", "Write the keys out in full."));
                            }
                            else
                            {
                                entries.Add(new YEntry(key, Convert(valueNode, depth + 1)));
                            }
                            _at.RemoveAt(_at.Count - 1);
                        }
                        _flow -= flow;
                        return new YMapping(file, line, column, entries);
                    }
                default:
                    problems.Add(GpioProblem.Error(file, line, column, PathHere(), "an unexpected YAML node.", "Remove it."));
                    return new YScalar(file, line, column, "", PyKind.Null, true);
            }
        }

        private bool StartsWithIndicator(YamlNode node)
        {
            int at = (int)node.Start.Index;
            if (at < source.Length && source[at] == ':')
            {
                return true;
            }
            // '[a, :"b"]': YamlDotNet starts the item after the ':'.
            int before = at - 1;
            if (before < 0 || source[before] != ':')
            {
                return false;
            }
            while (--before >= 0 && source[before] is ' ' or '\t')
            {
            }
            return before >= 0 && source[before] is ',' or '[' or '{';
        }

        private void CheckCollectionTag(string? tag, string expected, int line, int column)
        {
            if (tag is not null && tag != expected && tag != "!" && tag != "?")
            {
                problems.Add(GpioProblem.Error(file, line, column, PathHere(),
                    $"the tag '{tag}' is not one kvmd's YAML loader can read; kvmd would refuse to start.", "Remove the tag."));
            }
        }
    }
}
