using KvmTools.Core.Relays;

namespace KvmTools.Tests.Fakes;

/// <summary>
/// The MCU of a cheap 3-port HDMI switch (the kind kvmtool's relay-button backend presses): each time its push button is grounded it selects the next
/// input, wrapping after the last, and drives the select lines S1/S2 (and so the HDMI and USB muxes) with
/// the input's code. Feed it button levels (from a relay contact or a GPIO line); it counts closures.
/// </summary>
public sealed class HdmiSwitchMcu(int ports = 3, int start = 1)
{
    private readonly object _gate = new();
    private bool _pressed;

    public int Port { get; private set; } = start;

    public int Presses { get; private set; }

    /// <summary>The contact closed (true) or opened (false); a closure counts on the closing edge, as the MCU's interrupt does.</summary>
    public void Button(bool closed)
    {
        lock (_gate)
        {
            if (closed && !_pressed)
            {
                Presses++;
                Port = Port % ports + 1;
            }
            _pressed = closed;
        }
    }

    /// <summary>The selected computer went dark: the MCU moves on to the next input by itself (the drift kvmtool cannot see).</summary>
    public void AutoAdvance()
    {
        lock (_gate)
        {
            Port = Port % ports + 1;
        }
    }

    /// <summary>Feeds LCUS relay frames (A0 ch state sum) for one channel, as the relay's contact would press the button.</summary>
    public void FeedLcus(IEnumerable<byte[]> frames, int channel)
    {
        foreach (byte[] frame in frames)
        {
            if (frame.Length == 4 && frame[0] == LcusProtocol.Start && frame[1] == channel && frame[3] == (byte)(frame[0] + frame[1] + frame[2]))
            {
                Button(frame[2] == 1);
            }
        }
    }
}
