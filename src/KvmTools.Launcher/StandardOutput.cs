using System.Runtime.InteropServices;
using System.Text;

namespace KvmTools.Launcher;

/// <summary>Writes straight to file descriptors 1 and 2: System.Console would cost more start-up than the answer.</summary>
internal static partial class StandardOutput
{
    public static void Write(string text) => WriteAll(1, text);

    public static void Error(string text) => WriteAll(2, text);

    private static unsafe void WriteAll(int fd, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        fixed (byte* start = bytes)
        {
            for (int done = 0; done < bytes.Length;)
            {
                nint n = WriteFd(fd, start + done, bytes.Length - done);
                if (n <= 0)
                {
                    return; // a closed pipe: nobody is reading the answer; the exit code still tells it
                }
                done += (int)n;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "write")]
    private static unsafe partial nint WriteFd(int fd, byte* buffer, nint count);
}
