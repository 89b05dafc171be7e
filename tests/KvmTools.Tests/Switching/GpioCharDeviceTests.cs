using System.Buffers.Binary;
using KvmTools.Core;
using KvmTools.Core.Linux;
using KvmTools.Tests.Fakes;

namespace KvmTools.Tests.Switching;

/// <summary>The GPIO character-device layer: ioctl numbers and structure layout as &lt;linux/gpio.h&gt; defines them.</summary>
public sealed class GpioCharDeviceTests : IDisposable
{
    private readonly SysfsFixture _fx = new();

    public void Dispose() => _fx.Dispose();

    private static readonly GpioChipInfo Chip = new("/dev/gpiochip0", "gpiochip0", "pinctrl-bcm2711", 58);

    [Fact]
    public void IoctlNumbersMatchTheKernelHeader()
    {
        // The values the C preprocessor gives for these macros from <linux/gpio.h> (identical on x86-64, arm64 and armhf).
        Assert.Equal((nuint)0x8044b401, GpioCharDevice.GetChipInfoIoctl);
        Assert.Equal((nuint)0xc100b405, GpioCharDevice.GetLineInfoIoctl);
        Assert.Equal((nuint)0xc250b407, GpioCharDevice.GetLineIoctl);
        Assert.Equal((nuint)0xc010b40e, GpioCharDevice.GetValuesIoctl);
        Assert.Equal((nuint)0xc010b40f, GpioCharDevice.SetValuesIoctl);
    }

    [Fact]
    public void ARequestHoldsOffsetsConsumerFlagsAndOutputValues()
    {
        byte[] request = GpioCharDevice.EncodeRequest(Chip,
        [
            new GpioLineSettings(22, GpioDirection.Output, Bias: GpioBias.PullDown, InitialValue: false),
            new GpioLineSettings(23, GpioDirection.Output, Bias: GpioBias.PullUp, InitialValue: true),
        ], "kvmtool-switch-main");

        Assert.Equal(592, request.Length);
        Assert.Equal(22u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(0)));
        Assert.Equal(23u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(4)));
        Assert.Equal("kvmtool-switch-main", System.Text.Encoding.ASCII.GetString(request, 256, 19));
        Assert.Equal(0, request[256 + 19]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(560))); // num_lines

        // config at 288: flags 0, num_attrs, then 24-byte attributes from 288 + 32.
        Assert.Equal(0ul, BinaryPrimitives.ReadUInt64LittleEndian(request.AsSpan(288)));
        Assert.Equal(3u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(296)));
        var attrs = Enumerable.Range(0, 3).Select(i => request.AsSpan(320 + i * 24, 24).ToArray()).Select(a => (
            Id: BinaryPrimitives.ReadUInt32LittleEndian(a),
            Value: BinaryPrimitives.ReadUInt64LittleEndian(a.AsSpan(8)),
            Mask: BinaryPrimitives.ReadUInt64LittleEndian(a.AsSpan(16)))).ToList();
        Assert.Contains((1u, GpioCharDevice.FlagOutput | GpioCharDevice.FlagBiasPullDown, 0b01ul), attrs);
        Assert.Contains((1u, GpioCharDevice.FlagOutput | GpioCharDevice.FlagBiasPullUp, 0b10ul), attrs);
        Assert.Contains((2u, 0b10ul, 0b11ul), attrs); // output values: line 23 high
        Assert.Equal(0, request[588]); // fd: filled in by the kernel
    }

    [Fact]
    public void AnAsIsReadCarriesOnlyActiveLowAndNoBias()
    {
        var line = new GpioLineSettings(5, GpioDirection.AsIs, ActiveLow: true, Bias: GpioBias.PullUp);
        Assert.Equal(GpioCharDevice.FlagActiveLow, GpioCharDevice.Flags(line));
        byte[] request = GpioCharDevice.EncodeRequest(Chip, [line], "x");
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(request.AsSpan(296)));
    }

    [Fact]
    public void ALineBeyondTheChipIsAUsageError()
    {
        var e = Assert.Throws<UsageException>(() => GpioCharDevice.EncodeRequest(Chip, [new GpioLineSettings(58, GpioDirection.Output)], "x"));
        Assert.Contains("0 to 57", e.Hint);
    }

    [Fact]
    public void AMissingChipIsNotFoundAndListsWhatIsThere()
    {
        var gpio = new GpioCharDevice(_fx.Paths);
        var e = Assert.Throws<NotFoundException>(() => gpio.FindChip("gpiochip3"));
        Assert.Contains("gpiochip3", e.Message);
        Assert.Contains("none", e.Hint);
        Assert.Throws<NotFoundException>(() => gpio.FindChip("pinctrl-rp1"));
    }

    [Fact]
    public void AFileThatIsNotAGpioChipIsRefused()
    {
        File.WriteAllText(Path.Combine(_fx.DevRoot, "gpiochip0"), "");
        var e = Assert.ThrowsAny<KvmToolException>(() => new GpioCharDevice(_fx.Paths).FindChip("gpiochip0"));
        Assert.Contains("gpiochip0", e.Message);
    }

    /// <summary>On a machine with GPIO chips (a Pi, or gpio-sim loaded), the chips are listed with their real labels.</summary>
    [Fact]
    public void RealChipsAreDescribedWhenPresent()
    {
        var chips = new GpioCharDevice(SystemPaths.Default).ListChips();
        var nodes = Directory.GetFiles("/dev", "gpiochip*");
        if (nodes.Length == 0)
        {
            Assert.Empty(chips);
            return;
        }
        Assert.All(chips, c => Assert.True(c.Lines > 0 && c.Name.StartsWith("gpiochip", StringComparison.Ordinal), c.Describe()));
    }
}
