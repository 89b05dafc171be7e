using KvmTools.Core.Config;

namespace KvmTools.Core.Ch9329;

/// <summary>
/// How to reach the chip, merged from the command line (which wins), kvmtool.yaml and the defaults
/// (/dev/kvmd-hid, 9600 baud, address 0x00).
/// </summary>
/// <param name="Port">--port, if given.</param>
/// <param name="ConfiguredPort">ch9329.port from kvmtool.yaml.</param>
/// <param name="Baud">The rate to talk at; null means try the supported rates ('--baud auto').</param>
/// <param name="PreferredBaud">For '--baud auto': the configured rate, tried early.</param>
/// <param name="Address">The chip's address.</param>
/// <param name="OtherDevices">Serial ports that kvmtool.yaml gives to other devices, never taken for the CH9329.</param>
public sealed record Ch9329Target(
    string? Port,
    string? ConfiguredPort,
    int? Baud,
    int? PreferredBaud,
    byte Address,
    IReadOnlyList<string> OtherDevices)
{
    public static Ch9329Target Resolve(string? port, string? baud, string? address, LoadedConfig config, string baudOption = "--baud", string addressOption = "--address")
    {
        var section = config.Model.Ch9329;
        int? configuredBaud = section?.Baud;
        int? rate = baud is null ? configuredBaud ?? Ch9329BaudRate.Default : Ch9329BaudRate.Parse(baud, baudOption);
        byte chipAddress = address is null
            ? (byte)(section?.Address ?? Ch9329Command.DefaultAddress)
            : Ch9329Address.Parse(address, addressOption);
        var others = config.Model.Relays.Values.Select(r => r.Port).OfType<string>().ToList();
        return new Ch9329Target(port, section?.Port, rate, configuredBaud, chipAddress, others);
    }
}
