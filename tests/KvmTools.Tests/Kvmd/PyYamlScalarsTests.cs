using KvmTools.Core.Kvmd;

namespace KvmTools.Tests.Kvmd;

/// <summary>PyYAML's YAML 1.1 typing of unquoted scalars, with kvmd's change (on/off/yes/no stay text).</summary>
public class PyYamlScalarsTests
{
    [Theory]
    [InlineData("hello", "Str", "hello")]
    [InlineData("on", "Str", "on")]
    [InlineData("Off", "Str", "Off")]
    [InlineData("yes", "Str", "yes")]
    [InlineData("NO", "Str", "NO")]
    [InlineData("true", "Bool", "True")]
    [InlineData("FALSE", "Bool", "False")]
    [InlineData("~", "Null", "None")]
    [InlineData("null", "Null", "None")]
    [InlineData("", "Null", "None")]
    [InlineData("nil", "Str", "nil")]
    [InlineData("10", "WholeNumber", "10")]
    [InlineData("010", "WholeNumber", "8")]
    [InlineData("0x10", "WholeNumber", "16")]
    [InlineData("0b101", "WholeNumber", "5")]
    [InlineData("1_000", "WholeNumber", "1000")]
    [InlineData("-0x1_0", "WholeNumber", "-16")]
    [InlineData("1:30", "WholeNumber", "90")]
    [InlineData("089", "Str", "089")]
    [InlineData("0.1", "Real", "0.1")]
    [InlineData("1.", "Real", "1.0")]
    [InlineData(".5", "Real", "0.5")]
    [InlineData(".inf", "Real", "inf")]
    [InlineData("-.Inf", "Real", "-inf")]
    [InlineData(".NaN", "Real", "nan")]
    [InlineData("1e3", "Str", "1e3")]
    [InlineData("1.0e+3", "Real", "1000.0")]
    [InlineData("2024-01-02", "Timestamp", "2024-01-02")]
    [InlineData("2024-1-2 3:04:05", "Timestamp", "2024-1-2 3:04:05")]
    [InlineData("<<", "Str", "<<")]
    [InlineData("+", "Str", "+")]
    public void PlainScalarsAreTypedAsKvmdTypesThem(string text, string kind, string pythonStr)
    {
        var k = PyYamlScalars.Resolve(text, plain: true, tag: null);
        Assert.Equal(kind, k.ToString());
        Assert.Equal(pythonStr, PyYamlScalars.PythonStr(text, k));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("0x10")]
    [InlineData("~")]
    public void QuotedScalarsAreAlwaysText(string text) =>
        Assert.Equal(PyKind.Str, PyYamlScalars.Resolve(text, plain: false, tag: null));

    [Theory]
    [InlineData("!!str", "Str")]
    [InlineData("tag:yaml.org,2002:str", "Str")]
    [InlineData("!include", "Include")]
    [InlineData("!!python/object", "Unsupported")]
    [InlineData("tag:yaml.org,2002:python/name:os.system", "Unsupported")]
    public void TagsDecide(string tag, string kind)
    {
        string full = tag.StartsWith("!!", StringComparison.Ordinal) ? "tag:yaml.org,2002:" + tag[2..] : tag;
        Assert.Equal(kind, PyYamlScalars.Resolve("x", plain: true, tag: full).ToString());
    }

    [Theory]
    [InlineData("0.1", 0.1)]
    [InlineData(" 2 ", 2.0)]
    [InlineData("1_0.5", 10.5)]
    [InlineData("1e-1", 0.1)]
    [InlineData("fast", null)]
    [InlineData("1__0", null)]
    [InlineData("12345678901234567", null)]
    public void NumbersAreReadAsPythonsFloatReadsThem(string text, double? expected) =>
        Assert.Equal(expected, PyYamlScalars.PythonFloat(text));
}
