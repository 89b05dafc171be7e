using KvmTools.Core.Config;
using YamlDotNet.Serialization;

namespace KvmTools.Core.Ch9329;

/// <summary>
/// The 'ch9329:' section of kvmtool.yaml: where the CH9329 keyboard/mouse chip is and how to talk to it.
/// Every key is optional; the command line wins over each.
/// </summary>
[YamlSerializable]
public sealed class Ch9329Config
{
    /// <summary>The serial port (default: /dev/kvmd-hid, else the only CH340 serial port).</summary>
    public string? Port { get; set; }

    /// <summary>The chip's line speed (default 9600, the factory setting and kvmd's default).</summary>
    public int? Baud { get; set; }

    /// <summary>The chip's address (default 0).</summary>
    public int? Address { get; set; }
}

/// <summary>The rules for the 'ch9329:' section.</summary>
public static class Ch9329ConfigRules
{
    public static void Validate(Ch9329Config? config, ConfigProblems problems)
    {
        if (config is null)
        {
            return;
        }
        if (config.Port is not null && !config.Port.StartsWith('/'))
        {
            problems.At("ch9329.port", $"'{config.Port}' is not an absolute path.", "Write the serial port as /dev/kvmd-hid or /dev/ttyUSB0.");
        }
        if (config.Baud is int baud && !Ch9329BaudRate.IsSupported(baud))
        {
            problems.At("ch9329.baud", $"baud {baud} is not a rate the CH9329 supports.", $"Use one of {Ch9329BaudRate.List}.");
        }
        if (config.Address is < 0 or >= Ch9329Command.BroadcastAddress)
        {
            problems.At("ch9329.address", $"address {config.Address} is out of range.",
                "Give 0 to 254 (0x00 to 0xFE); 255 is broadcast, which the chip never answers.");
        }
    }
}
