using KvmTools.Core.Linux;

namespace KvmTools.Core.Switching;

/// <summary>
/// A GPIO line wired to the switch's button. The line is held for the whole press sequence and released after;
/// its pull bias is set to the released level, so the button stays released after kvmtool exits even on
/// controllers that return freed lines to input. The kernel gives a line to one holder at a time, so the
/// switch's own lock is all the locking needed.
/// </summary>
public sealed class GpioButtonDriver(IGpio gpio, SwitchDefinition sw) : IButtonDriver
{
    public T WithButton<T>(TimeSpan lockTimeout, Func<IButton, T> action)
    {
        var chip = gpio.FindChip(sw.Config.Chip!);
        bool activeLow = sw.Config.ActiveLow ?? false;
        var line = new GpioLineSettings(sw.Config.Line!.Value, GpioDirection.Output, activeLow,
            activeLow ? GpioBias.PullUp : GpioBias.PullDown, InitialValue: false);
        using var request = gpio.Request(chip, [line], "kvmtool-switch-" + sw.Name);
        return action(new LinePress(request));
    }

    private sealed class LinePress(IGpioLineRequest request) : IButton
    {
        public void Press(TimeSpan duration)
        {
            request.SetValues([true]);
            try
            {
                Thread.Sleep(duration);
            }
            finally
            {
                request.SetValues([false]);
            }
        }
    }
}
