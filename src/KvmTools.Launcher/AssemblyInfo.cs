using System.Runtime.Versioning;

// kvmtool talks to the Linux kernel (sysfs, hidraw, usbdevfs, flock); it runs nowhere else.
[assembly: SupportedOSPlatform("linux")]
