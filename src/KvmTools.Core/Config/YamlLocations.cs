using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace KvmTools.Core.Config;

/// <summary>
/// Where each key and value of a YAML document stands (line and column), by dotted path such as
/// "relays.hdmi-button.channel", so that checks made after loading can still point at the text.
/// </summary>
public sealed class YamlLocations
{
    private readonly Dictionary<string, Mark> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Mark> _keys = new(StringComparer.Ordinal);

    public static YamlLocations Index(YamlNode? root)
    {
        var locations = new YamlLocations();
        if (root is not null)
        {
            locations.Walk(root, "");
        }
        return locations;
    }

    /// <summary>The value's position, else the nearest enclosing one that is known.</summary>
    public (int Line, int Column) Of(string path)
    {
        for (string? p = path; p is not null; p = Parent(p))
        {
            if (_values.TryGetValue(p, out Mark mark))
            {
                return ((int)mark.Line, (int)mark.Column);
            }
        }
        return (0, 0);
    }

    /// <summary>The key's own position (for "unknown key" and "duplicate" errors).</summary>
    public (int Line, int Column) OfKey(string path) =>
        _keys.TryGetValue(path, out Mark mark) ? ((int)mark.Line, (int)mark.Column) : Of(path);

    private void Walk(YamlNode node, string path)
    {
        _values[path] = node.Start;
        switch (node)
        {
            case YamlMappingNode map:
                foreach (var (keyNode, value) in map.Children)
                {
                    string key = keyNode is YamlScalarNode scalar ? scalar.Value ?? "" : keyNode.ToString();
                    string child = path.Length == 0 ? key : path + "." + key;
                    _keys[child] = keyNode.Start;
                    Walk(value, child);
                }
                break;
            case YamlSequenceNode seq:
                for (int i = 0; i < seq.Children.Count; i++)
                {
                    Walk(seq.Children[i], $"{path}[{i}]");
                }
                break;
        }
    }

    private static string? Parent(string path)
    {
        if (path.Length == 0)
        {
            return null;
        }
        int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? "" : path[..cut];
    }
}
