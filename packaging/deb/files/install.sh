#!/bin/sh
# Installs kvmtool from this tarball on systems without dpkg (PiKVM OS is Arch Linux ARM).
# PiKVM OS mounts / read-only: run 'rw' first and 'ro' afterwards (this script does it when it finds them).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root" >&2; exit 4; }
remounted=0
if command -v rw >/dev/null 2>&1 && grep -qE '^[^ ]+ / [^ ]+ [^ ]*\bro\b' /proc/mounts; then
    rw && remounted=1
fi
restore() { [ "$remounted" = 1 ] && ro || true; }
trap restore EXIT
getent group kvmd >/dev/null || groupadd --system kvmd
install -D -m 755 "$here/usr/lib/kvmtool/kvmtool-cli" /usr/lib/kvmtool/kvmtool-cli
install -D -m 755 "$here/usr/lib/kvmtool/kvmtool" /usr/lib/kvmtool/kvmtool
install -D -m 644 "$here/usr/lib/kvmtool/libSystem.IO.Ports.Native.so" /usr/lib/kvmtool/libSystem.IO.Ports.Native.so
ln -sf ../lib/kvmtool/kvmtool /usr/bin/kvmtool
# Keep a configuration the user already has.
[ -e /etc/kvmtool/kvmtool.yaml ] || install -D -m 644 "$here/etc/kvmtool/kvmtool.yaml" /etc/kvmtool/kvmtool.yaml
install -D -m 644 "$here/usr/lib/udev/rules.d/60-kvmtool.rules" /usr/lib/udev/rules.d/60-kvmtool.rules
install -D -m 644 "$here/usr/lib/tmpfiles.d/kvmtool.conf" /usr/lib/tmpfiles.d/kvmtool.conf
for unit in "$here"/usr/lib/systemd/system/*; do
    [ -e "$unit" ] && install -D -m 644 "$unit" "/usr/lib/systemd/system/$(basename "$unit")"
done
install -D -m 644 "$here/usr/share/man/man1/kvmtool.1.gz" /usr/share/man/man1/kvmtool.1.gz
install -D -m 644 "$here/usr/share/bash-completion/completions/kvmtool" /usr/share/bash-completion/completions/kvmtool
systemd-tmpfiles --create /usr/lib/tmpfiles.d/kvmtool.conf 2>/dev/null || install -d -m 2775 -g kvmd /run/kvmtool /var/lib/kvmtool
udevadm control --reload-rules 2>/dev/null && udevadm trigger --action=change --subsystem-match=hidraw --subsystem-match=tty --subsystem-match=usb 2>/dev/null || true
echo "kvmtool $(/usr/bin/kvmtool --version) installed. Nothing was enabled; see 'man kvmtool'."
