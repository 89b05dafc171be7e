namespace KvmTools.Core.Switching;

/// <summary>
/// The arithmetic of a switch that advances one input per button press and wraps from the last input to
/// the first. Inputs are numbered from 1.
/// </summary>
public static class PressCounting
{
    /// <summary>Presses that take the switch from <paramref name="current"/> to <paramref name="target"/>: (target - current) mod ports.</summary>
    public static int PressesNeeded(int current, int target, int ports)
    {
        Check(current, ports, nameof(current));
        Check(target, ports, nameof(target));
        return ((target - current) % ports + ports) % ports;
    }

    /// <summary>The input after <paramref name="presses"/> presses from <paramref name="current"/>.</summary>
    public static int Advance(int current, int presses, int ports)
    {
        Check(current, ports, nameof(current));
        ArgumentOutOfRangeException.ThrowIfNegative(presses);
        return (current - 1 + presses) % ports + 1;
    }

    public static int Next(int current, int ports) => Advance(current, 1, ports);

    public static int Prev(int current, int ports) => Advance(current, ports - 1, ports);

    private static void Check(int port, int ports, string name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ports, 1);
        if (port < 1 || port > ports)
        {
            throw new ArgumentOutOfRangeException(name, port, $"Inputs are numbered 1 to {ports}.");
        }
    }
}
