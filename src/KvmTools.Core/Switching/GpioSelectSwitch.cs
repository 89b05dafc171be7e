using KvmTools.Core.Linux;

namespace KvmTools.Core.Switching;

/// <summary>
/// GPIO lines on the switch's select inputs (S1, S2, ...; e.g. the HDMI mux and the USB mux that follows the
/// same lines, with the switch's own MCU taken off them). Each input is a code, one level per line.
/// Selecting drives the code and reads it back; the pull bias of each line is set to the level it drives, so
/// the code holds after kvmtool exits even where the controller returns freed lines to input (the select
/// inputs must be logic inputs, which a pull resistor can hold). Reading requests the lines "as is", which
/// leaves them driven.
/// </summary>
public sealed class GpioSelectSwitch(IGpio gpio, SwitchDefinition sw) : IPortSelector
{
    private IReadOnlyList<int> Lines => sw.Config.Lines!;

    private bool ActiveLow => sw.Config.ActiveLow ?? false;

    private string Consumer => "kvmtool-switch-" + sw.Name;

    /// <summary>The levels for a port: from 'codes:', else the binary value of port-1 with the first line as the lowest bit.</summary>
    public static bool[] CodeFor(SwitchDefinition sw, int port)
    {
        var lines = sw.Config.Lines!;
        if (sw.Config.Codes is { } codes)
        {
            return codes[port].Select(v => v == 1).ToArray();
        }
        return Enumerable.Range(0, lines.Count).Select(bit => ((port - 1) & (1 << bit)) != 0).ToArray();
    }

    /// <summary>The port whose code the lines show, or null when no port has that code.</summary>
    public static int? PortFor(SwitchDefinition sw, IReadOnlyList<bool> levels)
    {
        for (int port = 1; port <= sw.Ports; port++)
        {
            if (CodeFor(sw, port).SequenceEqual(levels))
            {
                return port;
            }
        }
        return null;
    }

    public int ReadPort()
    {
        var chip = gpio.FindChip(sw.Config.Chip!);
        var settings = Lines.Select(l => new GpioLineSettings(l, GpioDirection.AsIs, ActiveLow)).ToList();
        using var request = gpio.Request(chip, settings, Consumer);
        return Decode(request.GetValues());
    }

    public int Select(int port)
    {
        var chip = gpio.FindChip(sw.Config.Chip!);
        bool[] code = CodeFor(sw, port);
        var settings = Lines.Select((l, i) => new GpioLineSettings(l, GpioDirection.Output, ActiveLow,
            // Physical high wants a pull-up; with active-low, logical 1 is physical low.
            code[i] != ActiveLow ? GpioBias.PullUp : GpioBias.PullDown, code[i])).ToList();
        using var request = gpio.Request(chip, settings, Consumer);
        return Decode(request.GetValues());
    }

    private int Decode(bool[] levels) =>
        PortFor(sw, levels) ?? throw new OperationFailedException(
            $"The select lines of switch '{sw.Name}' ({string.Join(", ", Lines)} on {sw.Config.Chip}) read [{string.Join(", ", levels.Select(v => v ? 1 : 0))}], which is the code of no input.",
            "Something else drives these lines, or 'codes:' does not match the wiring; select an input with 'kvmtool switch N'.");

    public void Dispose()
    {
        // Lines are requested per operation and released at its end.
    }
}
