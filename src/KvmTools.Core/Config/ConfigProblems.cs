using System.Text;

namespace KvmTools.Core.Config;

/// <summary>Collects every problem in a file so that the user can fix them all in one go.</summary>
public sealed class ConfigProblems(string file, YamlLocations locations)
{
    private readonly List<(int Line, int Column, string Message, string? Hint)> _items = [];

    public string File => file;

    public YamlLocations Locations => locations;

    public int Count => _items.Count;

    public void At(string path, string message, string? hint = null)
    {
        var (line, column) = locations.Of(path);
        _items.Add((line, column, message, hint));
    }

    public void AtKey(string path, string message, string? hint = null)
    {
        var (line, column) = locations.OfKey(path);
        _items.Add((line, column, message, hint));
    }

    /// <summary>Throws one exception that locates the first problem and lists the others after it.</summary>
    public void ThrowIfAny()
    {
        if (_items.Count == 0)
        {
            return;
        }
        var first = _items[0];
        var message = new StringBuilder(first.Message);
        var hints = new StringBuilder(first.Hint);
        foreach (var item in _items.Skip(1))
        {
            message.Append('\n').Append(item.Line > 0 ? $"{file}:{item.Line}:{item.Column}: " : $"{file}: ").Append(item.Message);
            if (item.Hint is not null)
            {
                message.Append(' ').Append(item.Hint);
            }
        }
        throw new ConfigException(file, first.Line, first.Column, message.ToString(), hints.Length > 0 ? hints.ToString() : null);
    }
}
