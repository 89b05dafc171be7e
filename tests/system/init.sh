#!/bin/sh
# PID 1 of the system-test guest (copied to /init in the initramfs).
# Mounts the kernel file systems, loads the base modules, runs the test group named on the kernel command
# line (systest.group=NAME) and powers the guest off. There is no udev: devtmpfs makes the device nodes and
# everything runs as root.

export PATH=/opt/kvmtool:/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root
export TERM=dumb

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm /run /tmp /var/lib /root
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
ln -sf /proc/self/fd /dev/fd 2>/dev/null

# Only emergencies reach the console from here on, so kernel messages do not cut into the result lines;
# a failing test prints the end of dmesg instead.
echo 1 > /proc/sys/kernel/printk

group=
shell=0
share=0
read -r cmdline < /proc/cmdline
for word in $cmdline; do
    case "$word" in
        systest.group=*) group=${word#systest.group=} ;;
        systest.shell=1) shell=1 ;;
        systest.verbose=1) export SYSTEST_VERBOSE=1 ;;
        systest.share=1) share=1 ;;
    esac
done

modules_ok=1
while read -r module; do
    modprobe "$module" || { echo "SYSTEST INFO could not load module $module"; modules_ok=0; }
done < /etc/systest/boot-modules
grep -q " /sys/kernel/config " /proc/mounts || mount -t configfs configfs /sys/kernel/config

# A group with "systest-share: yes" reads the host's share directory at /host (read-only, uncached: live).
if [ "$share" = 1 ]; then
    mkdir -p /host
    { modprobe virtio_pci && modprobe 9pnet_virtio && modprobe 9p &&
        mount -t 9p -o trans=virtio,version=9p2000.L,cache=none,ro systest /host; } ||
        echo "SYSTEST INFO could not mount the host's share directory at /host"
fi

if [ "$shell" = 1 ]; then
    echo "systest: group '$group' is in /systest/guest; run it with: /systest/run-group.sh $group"
    setsid -c sh -l
elif [ -n "$group" ]; then
    [ "$modules_ok" = 1 ] || echo "SYSTEST INFO some base modules are missing; expect failures"
    /systest/run-group.sh "$group"
else
    echo "SYSTEST INFO no systest.group= on the kernel command line"
fi

sync
reboot -f
