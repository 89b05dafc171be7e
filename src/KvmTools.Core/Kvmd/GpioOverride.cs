namespace KvmTools.Core.Kvmd;

/// <summary>One kvmd channel kvmtool defines, with the driver of the same name that runs <see cref="Argv"/>.</summary>
/// <param name="Name">The channel's and the driver's name (kvmtool_ + the button's or indicator's name).</param>
/// <param name="IsButton">A button (kvmd 'cmd' driver, output) or an indicator ('cmdret' driver, input).</param>
/// <param name="Argv">What kvmd runs.</param>
public sealed record GpioChannel(string Name, bool IsButton, IReadOnlyList<string> Argv);

/// <summary>Everything kvmtool puts into kvmd's GPIO override, before it is written as YAML.</summary>
/// <param name="Title">The menu title, already HTML-escaped (kvmd's page inserts it as HTML).</param>
/// <param name="Channels">Sorted by name.</param>
/// <param name="Table">kvmd's view table: rows of cells in kvmd's own cell syntax.</param>
public sealed record GpioOverride(string Title, IReadOnlyList<GpioChannel> Channels, IReadOnlyList<IReadOnlyList<string>> Table)
{
    public int Buttons => Channels.Count(c => c.IsButton);

    public int Indicators => Channels.Count(c => !c.IsButton);
}
