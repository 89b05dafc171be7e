using System.Net.Sockets;
using System.Text;
using KvmTools.Core.Linux;

namespace KvmTools.Tests.Watchdog;

public sealed class SyslogTests
{
    [Fact]
    public void LinesArriveInTheRfc3164Form()
    {
        string dir = Path.Combine(Path.GetTempPath(), "kvmtool-log-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "log");
            using var daemon = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            daemon.Bind(new UnixDomainSocketEndPoint(path));
            using (var syslog = new Syslog(path))
            {
                syslog.Write(Syslog.SeverityWarning, "watchdog capture: usb-reset on 534d:2109\nsecond line");
            }
            daemon.ReceiveTimeout = 5000;
            byte[] buffer = new byte[2048];
            int n = daemon.Receive(buffer);
            // daemon facility (3) * 8 + warning (4) = 28.
            Assert.Equal($"<28>kvmtool[{Environment.ProcessId}]: watchdog capture: usb-reset on 534d:2109 second line", Encoding.UTF8.GetString(buffer, 0, n));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void NoSyslogDaemonIsNoError()
    {
        using var syslog = new Syslog("/nonexistent/kvmtool/dev/log");
        syslog.Write(Syslog.SeverityError, "lost, and that is fine");
        syslog.Write(Syslog.SeverityError, "also lost");
    }
}
