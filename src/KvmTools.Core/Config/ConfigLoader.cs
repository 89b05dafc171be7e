using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace KvmTools.Core.Config;

/// <summary>Reads kvmtool.yaml: YAML syntax, then the typed model (unknown keys and wrong types are errors), then the rules.</summary>
public static partial class ConfigLoader
{
    public const string DefaultPath = "/etc/kvmtool/kvmtool.yaml";

    /// <summary>
    /// Loads <paramref name="path"/>. A missing file is an error only when the user named it
    /// (<paramref name="explicitPath"/>); the default location may be absent, meaning "no names defined".
    /// </summary>
    public static LoadedConfig Load(string path, bool explicitPath)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            if (!explicitPath)
            {
                return LoadedConfig.Empty;
            }
            throw new ConfigException(path, 0, 0, "the configuration file does not exist.",
                $"Create it (the package ships a commented example at {DefaultPath}), or point --config / KVMTOOL_CONFIG at another file.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ConfigException(path, 0, 0, "permission denied reading the configuration file.",
                "It must be readable by the user that runs kvmtool (kvmd on PiKVM): 'chmod 644 " + path + "'.", e);
        }
        catch (IOException e)
        {
            throw new ConfigException(path, 0, 0, "cannot read the configuration file: " + e.Message, null, e);
        }
        return Parse(text, path);
    }

    public static LoadedConfig Parse(string text, string file)
    {
        YamlNode? root = ParseSyntax(text, file);
        var locations = YamlLocations.Index(root);
        if (root is null || (root is YamlScalarNode scalar && string.IsNullOrEmpty(scalar.Value)))
        {
            return new LoadedConfig(new KvmToolConfig(), file, locations);
        }
        if (root is not YamlMappingNode)
        {
            throw new ConfigException(file, (int)root.Start.Line, (int)root.Start.Column,
                "the file must be a mapping of sections (relays:, ...).", "See the commented example /etc/kvmtool/kvmtool.yaml.");
        }

        KvmToolConfig model;
        try
        {
            model = Deserializer.Deserialize<KvmToolConfig>(text) ?? new KvmToolConfig();
        }
        catch (YamlException e)
        {
            throw new ConfigException(file, (int)e.Start.Line, (int)e.Start.Column, Explain(e), KeysHint(e));
        }

        // A section written with nothing under it ("relays:") reads as null; it means "none".
        model.Relays ??= [];
        model.Switches ??= [];
        model.Usb ??= new();
        model.Usb.Devices ??= [];

        var problems = new ConfigProblems(file, locations);
        ConfigValidator.Validate(model, problems);
        problems.ThrowIfAny();
        return new LoadedConfig(model, file, locations);
    }

    private static readonly IDeserializer Deserializer = new StaticDeserializerBuilder(new KvmToolYamlContext())
        .WithNamingConvention(HyphenatedNamingConvention.Instance)
        .Build();

    private static YamlNode? ParseSyntax(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new ConfigException(file, (int)e.Start.Line, (int)e.Start.Column, "not valid YAML: " + Innermost(e).Message,
                "Check the indentation (spaces, not tabs) and quoting on that line.");
        }
        catch (ArgumentException)
        {
            // ... and this way on some broken block structures (found by fuzzing).
            throw new ConfigException(file, 0, 0, "not valid YAML: the parser could not follow its structure.",
                "Check the indentation (spaces, not tabs), and that every '[', '{' and quote is closed.");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner gives up this way on some unterminated flow collections ("[1, 2" with no "]").
            throw new ConfigException(file, 0, 0, "not valid YAML: a bracket, brace or quote is not closed.",
                "Check that every '[', '{' and quote has its closing partner.");
        }
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw new ConfigException(file, (int)second.Start.Line, (int)second.Start.Column,
                "the file holds more than one YAML document.", "Remove the '---' separator; kvmtool reads one document.");
        }
        return stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
    }

    private static string Explain(YamlException e)
    {
        string message = Innermost(e).Message;
        var unknown = UnknownProperty().Match(e.Message);
        if (unknown.Success)
        {
            return $"unknown key '{unknown.Groups[1].Value}'.";
        }
        if (Innermost(e) is FormatException or OverflowException)
        {
            return "wrong type of value: " + message;
        }
        return message;
    }

    private static string? KeysHint(YamlException e) =>
        UnknownProperty().IsMatch(e.Message)
            ? "Check the spelling and the indentation; the commented example /etc/kvmtool/kvmtool.yaml lists every key."
            : "Check the value's type against the commented example /etc/kvmtool/kvmtool.yaml.";

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }
        return e;
    }

    [GeneratedRegex("Property '([^']*)' not found on type")]
    private static partial Regex UnknownProperty();
}
