using KvmTools.Core.Switching;

namespace KvmTools.Tests.Switching;

public class PressCountingTests
{
    public static TheoryData<int> PortCounts() => [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    /// <summary>Every (current, target) pair: the count reaches the target, and no smaller count does.</summary>
    [Theory]
    [MemberData(nameof(PortCounts))]
    public void PressesNeededIsTheShortestWayForward(int ports)
    {
        int pairs = 0;
        for (int current = 1; current <= ports; current++)
        {
            for (int target = 1; target <= ports; target++)
            {
                int presses = PressCounting.PressesNeeded(current, target, ports);
                Assert.InRange(presses, 0, ports - 1);

                // Simulate the MCU: one press moves to the next input, wrapping from the last to the first.
                int port = current;
                for (int i = 0; i < presses; i++)
                {
                    port = port == ports ? 1 : port + 1;
                }
                Assert.Equal(target, port);
                Assert.Equal(target, PressCounting.Advance(current, presses, ports));
                for (int fewer = 0; fewer < presses; fewer++)
                {
                    Assert.NotEqual(target, PressCounting.Advance(current, fewer, ports));
                }
                pairs++;
            }
        }
        Assert.Equal(ports * ports, pairs);
    }

    [Theory]
    [InlineData(1, 2, 3, 1)]
    [InlineData(2, 1, 3, 2)]
    [InlineData(3, 1, 3, 1)]
    [InlineData(1, 3, 3, 2)]
    [InlineData(2, 2, 3, 0)]
    [InlineData(8, 1, 8, 1)]
    [InlineData(1, 8, 8, 7)]
    public void KnownCases(int current, int target, int ports, int expected) =>
        Assert.Equal(expected, PressCounting.PressesNeeded(current, target, ports));

    [Theory]
    [MemberData(nameof(PortCounts))]
    public void NextAndPrevWrapAndUndoEachOther(int ports)
    {
        Assert.Equal(1, PressCounting.Next(ports, ports));
        Assert.Equal(ports, PressCounting.Prev(1, ports));
        for (int port = 1; port <= ports; port++)
        {
            Assert.Equal(port, PressCounting.Prev(PressCounting.Next(port, ports), ports));
            Assert.Equal(1, PressCounting.PressesNeeded(port, PressCounting.Next(port, ports), ports));
            Assert.Equal(ports - 1, PressCounting.PressesNeeded(port, PressCounting.Prev(port, ports), ports));
        }
    }

    [Theory]
    [InlineData(0, 1, 3)]
    [InlineData(4, 1, 3)]
    [InlineData(1, 0, 3)]
    [InlineData(1, 4, 3)]
    public void InputsOutsideTheSwitchAreRejected(int current, int target, int ports) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PressCounting.PressesNeeded(current, target, ports));
}
