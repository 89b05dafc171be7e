namespace KvmTools.Core.Linux;

public enum GpioDirection
{
    /// <summary>Leave the line as it is: read a line that something else (or an earlier run) drives, without disturbing it.</summary>
    AsIs,
    Input,
    Output,
}

public enum GpioBias
{
    AsIs,
    PullUp,
    PullDown,
}

/// <summary>How one line is requested. Values are logical: with <see cref="ActiveLow"/> the kernel inverts them.</summary>
public sealed record GpioLineSettings(
    int Offset,
    GpioDirection Direction,
    bool ActiveLow = false,
    GpioBias Bias = GpioBias.AsIs,
    bool InitialValue = false);

/// <summary>A GPIO chip as the kernel describes it: /dev/gpiochipN, its name and label, and how many lines it has.</summary>
public sealed record GpioChipInfo(string Path, string Name, string Label, int Lines)
{
    public string Describe() => $"{Name} [{Label}] ({Lines} lines)";
}

/// <summary>The machine's GPIO chips. The kernel's character device in production, an in-memory model in unit tests.</summary>
public interface IGpio
{
    /// <summary>Resolves a chip as the user wrote it: 'gpiochip0', '/dev/gpiochip0', or the chip's label ('pinctrl-bcm2711').</summary>
    GpioChipInfo FindChip(string chip);

    /// <summary>Takes the lines; they stay configured as requested until the request is disposed.</summary>
    IGpioLineRequest Request(GpioChipInfo chip, IReadOnlyList<GpioLineSettings> lines, string consumer);
}

/// <summary>Lines held by this process. Index i is the i-th line of the request.</summary>
public interface IGpioLineRequest : IDisposable
{
    /// <summary>Sets the output lines (logical values); entries for lines that are not outputs are ignored.</summary>
    void SetValues(IReadOnlyList<bool> values);

    /// <summary>The lines' logical values as the chip reports them now.</summary>
    bool[] GetValues();
}
