namespace KvmTools.Core.Ch9329;

/// <summary>
/// One request and what came back within its wait: the reply, an error answer, or nothing; and whatever else
/// was on the wire meanwhile (garbage, damaged frames, answers to another program), so that a failure can say
/// what it saw.
/// </summary>
public sealed class Ch9329Exchange(byte command, int baudRate)
{
    public byte Command { get; } = command;

    public int BaudRate { get; } = baudRate;

    /// <summary>The success answer (command | 0x80), if it came.</summary>
    public Ch9329Frame? Reply { get; internal set; }

    /// <summary>The status of an error answer (command | 0xC0), if one came instead.</summary>
    public byte? ErrorStatus { get; internal set; }

    public int GarbageBytes { get; internal set; }

    public int DamagedFrames { get; internal set; }

    /// <summary>Bytes of a frame that had not finished arriving when the wait ran out.</summary>
    public int IncompleteBytes { get; internal set; }

    /// <summary>Valid frames that answer other requests: kvmd's keyboard, mouse and GET_INFO traffic.</summary>
    public List<byte> OtherReplies { get; } = [];

    public bool Answered => Reply is not null;

    /// <summary>A valid frame of any kind arrived, so the chip talks at this rate and is alive.</summary>
    public bool HeardChip => Reply is not null || ErrorStatus is not null || OtherReplies.Count > 0;

    public bool SawNothing => !HeardChip && GarbageBytes == 0 && DamagedFrames == 0 && IncompleteBytes == 0;

    public bool SawGarbageOnly => !HeardChip && !SawNothing;

    /// <summary>What was seen, for messages: "nothing", "error E4 (...)", "12 bytes of garbage and ...".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (Reply is not null)
        {
            parts.Add("the answer");
        }
        if (ErrorStatus is byte status)
        {
            parts.Add("error " + Ch9329Status.Describe(status));
        }
        if (OtherReplies.Count > 0)
        {
            var kinds = OtherReplies.Distinct().Select(Ch9329Command.DescribeReply);
            parts.Add($"{OtherReplies.Count} frame{(OtherReplies.Count == 1 ? "" : "s")} answering another program ({string.Join(", ", kinds)})");
        }
        if (DamagedFrames > 0)
        {
            parts.Add($"{DamagedFrames} damaged frame{(DamagedFrames == 1 ? "" : "s")} (bad checksum or length)");
        }
        int garbage = GarbageBytes;
        if (garbage > 0)
        {
            parts.Add($"{garbage} byte{(garbage == 1 ? "" : "s")} that {(garbage == 1 ? "was" : "were")} not CH9329 frames");
        }
        if (IncompleteBytes > 0)
        {
            parts.Add($"an incomplete frame ({IncompleteBytes} bytes)");
        }
        return parts.Count == 0 ? "nothing" : string.Join(", ", parts);
    }
}
