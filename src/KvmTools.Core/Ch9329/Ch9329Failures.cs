namespace KvmTools.Core.Ch9329;

/// <summary>Turns what was (not) seen on the wire into kvmtool's typed failures, each saying what was seen and what to do.</summary>
public static class Ch9329Failures
{
    public const string KvmdHint =
        "kvmd's CH9329 plugin reads the same port and can take kvmtool's replies: try again, or stop kvmd for a moment " +
        "('systemctl stop kvmd', then 'systemctl start kvmd').";

    public static string BaudHint(int baud) =>
        $"Check that the chip is powered and wired (its TX to the adapter's RX and back), and that it talks at {baud} baud: " +
        "'kvmtool ch9329 info --baud auto' tries every rate.";

    /// <summary>A request that got no usable answer in any of its tries.</summary>
    public static KvmToolException NoAnswer(string port, int baud, byte address, byte command, IReadOnlyList<Ch9329Exchange> tries)
    {
        string name = Ch9329Command.Name(command);
        string where = $"The CH9329 on {port} ({baud} baud, address {Ch9329Address.Format(address)})";
        string seen = Summarize(tries);
        if (tries.LastOrDefault(t => t.ErrorStatus is not null) is { ErrorStatus: byte status })
        {
            return new OperationFailedException($"{where} answered {name} with error {Ch9329Status.Describe(status)}; seen: {seen}.",
                StatusHint(status));
        }
        if (tries.Any(t => t.HeardChip))
        {
            return new DeviceTimeoutException(
                $"{where} is answering another program but did not answer kvmtool's {name} in {tries.Count} tries; seen: {seen}.",
                KvmdHint);
        }
        if (tries.All(t => t.SawNothing))
        {
            return new DeviceTimeoutException(
                $"{where} did not answer {name}: nothing came back in {tries.Count} tries of {Ch9329Chip.ReplyTimeout.TotalMilliseconds:0} ms.",
                BaudHint(baud) + " A chip set to another address ignores kvmtool: give --address.");
        }
        return new OperationFailedException(
            $"{where} did not answer {name}; seen: {seen}. Bytes that are not frames usually mean a wrong line speed.",
            BaudHint(baud));
    }

    /// <summary>Adds up several tries: "nothing" when all saw nothing, else the tries that saw something.</summary>
    public static string Summarize(IReadOnlyList<Ch9329Exchange> tries)
    {
        if (tries.All(t => t.SawNothing))
        {
            return "nothing";
        }
        return string.Join("; ", tries.Select((t, i) => tries.Count == 1 ? t.Describe() : $"try {i + 1}: {t.Describe()}"));
    }

    public static string StatusHint(byte status) => status switch
    {
        Ch9329Status.ParameterError => "The chip refused the values; check them against 'kvmtool ch9329 config get'.",
        Ch9329Status.CommandError => "The chip does not know this command: it may not be a CH9329, or its firmware is older.",
        Ch9329Status.OperationFailed => "The chip could not do it; run 'kvmtool ch9329 reset' and try again.",
        _ => "Frames arrive damaged: check the wiring and ground, keep the cable short, or use a lower baud rate.",
    };
}
