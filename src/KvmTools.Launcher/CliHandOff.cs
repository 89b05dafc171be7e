using System.Runtime.InteropServices;
using KvmTools.Cli;

namespace KvmTools.Launcher;

/// <summary>
/// Replaces this process with the full command line, kvmtool-cli, installed beside this executable: same process
/// id, arguments, environment and standard streams, so kvmd, cron and shells see one program.
/// </summary>
internal static partial class CliHandOff
{
    public const string CliName = "kvmtool-cli";

    public static int Exec(string[] args)
    {
        // ProcessPath is /proc/self/exe: the installed file, not the /usr/bin symlink.
        string dir = Path.GetDirectoryName(Environment.ProcessPath) ?? ".";
        string cli = Path.Combine(dir, CliName);
        string[] argv = [Environment.GetCommandLineArgs()[0], .. args];
        int errno = ExecV(cli, argv);
        StandardOutput.Error(
            $"kvmtool: cannot run {cli}: {Marshal.GetPInvokeErrorMessage(errno)}.\n" +
            $"  fix: kvmtool is installed as two files, kvmtool and {CliName}, in one directory; reinstall the package.\n");
        return ExitCodes.Internal;
    }

    private static unsafe int ExecV(string path, string[] argv)
    {
        var pointers = new nint[argv.Length + 1];
        try
        {
            for (int i = 0; i < argv.Length; i++)
            {
                pointers[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
            }
            fixed (nint* p = pointers)
            {
                Execv(path, p);
            }
            return Marshal.GetLastPInvokeError();
        }
        finally
        {
            foreach (nint p in pointers)
            {
                Marshal.FreeCoTaskMem(p);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Execv(string path, nint* argv);
}
