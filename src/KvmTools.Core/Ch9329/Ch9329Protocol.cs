namespace KvmTools.Core.Ch9329;

/// <summary>
/// The CH9329's command codes (WCH, "CH9329 serial communication protocol"). A reply carries the command with
/// bit 7 set on success (0x81 for GET_INFO) and bits 7 and 6 set with a status byte on error (0xC1).
/// </summary>
public static class Ch9329Command
{
    public const byte GetInfo = 0x01;
    public const byte KeyboardGeneral = 0x02;
    public const byte KeyboardMedia = 0x03;
    public const byte MouseAbsolute = 0x04;
    public const byte MouseRelative = 0x05;
    public const byte CustomHid = 0x06;

    /// <summary>Sent by the chip on its own when the target computer writes to the custom HID device.</summary>
    public const byte ReadCustomHid = 0x87;

    public const byte GetParameters = 0x08;
    public const byte SetParameters = 0x09;
    public const byte GetUsbString = 0x0A;
    public const byte SetUsbString = 0x0B;
    public const byte RestoreDefaults = 0x0C;
    public const byte Reset = 0x0F;

    public const byte ReplyFlag = 0x80;
    public const byte ErrorFlag = 0xC0;

    /// <summary>Every chip executes a frame sent to this address and none answers it, so kvmtool never uses it.</summary>
    public const byte BroadcastAddress = 0xFF;

    public const byte DefaultAddress = 0x00;

    public static byte SuccessReply(byte command) => (byte)(command | ReplyFlag);

    public static byte ErrorReply(byte command) => (byte)(command | ErrorFlag);

    /// <summary>The request a reply answers (0x81 and 0xC1 both answer 0x01).</summary>
    public static byte RequestOf(byte reply) => (byte)(reply & 0x3F);

    public static string Name(byte command) => command switch
    {
        GetInfo => "GET_INFO",
        KeyboardGeneral => "SEND_KB_GENERAL_DATA",
        KeyboardMedia => "SEND_KB_MEDIA_DATA",
        MouseAbsolute => "SEND_MS_ABS_DATA",
        MouseRelative => "SEND_MS_REL_DATA",
        CustomHid => "SEND_MY_HID_DATA",
        ReadCustomHid => "READ_MY_HID_DATA",
        GetParameters => "GET_PARA_CFG",
        SetParameters => "SET_PARA_CFG",
        GetUsbString => "GET_USB_STRING",
        SetUsbString => "SET_USB_STRING",
        RestoreDefaults => "SET_DEFAULT_CFG",
        Reset => "RESET",
        _ => $"0x{command:X2}",
    };

    /// <summary>Names a reply for messages: "0x82 (answer to SEND_KB_GENERAL_DATA)".</summary>
    public static string DescribeReply(byte reply) =>
        reply == ReadCustomHid
            ? "0x87 (custom HID data from the target)"
            : $"0x{reply:X2} ({((reply & ErrorFlag) == ErrorFlag ? "error answer" : "answer")} to {Name(RequestOf(reply))})";
}

/// <summary>The status byte of a reply: 0x00 on success, E1..E6 on error.</summary>
public static class Ch9329Status
{
    public const byte Success = 0x00;
    public const byte Timeout = 0xE1;
    public const byte HeaderError = 0xE2;
    public const byte CommandError = 0xE3;
    public const byte ChecksumError = 0xE4;
    public const byte ParameterError = 0xE5;
    public const byte OperationFailed = 0xE6;

    /// <summary>
    /// Errors that say the frame was damaged on the way (a byte lost, changed or late), so sending it again can work.
    /// </summary>
    public static bool IsTransient(byte status) => status is Timeout or HeaderError or ChecksumError;

    public static string Describe(byte status) => status switch
    {
        Success => "0x00 (success)",
        Timeout => "E1 (timeout: the chip received an incomplete frame)",
        HeaderError => "E2 (header error: the frame did not start with 57 AB)",
        CommandError => "E3 (unknown command)",
        ChecksumError => "E4 (checksum error: the chip received a damaged frame)",
        ParameterError => "E5 (parameter error: the chip refused the values)",
        OperationFailed => "E6 (operation failed)",
        _ => $"0x{status:X2} (an undocumented status)",
    };
}
