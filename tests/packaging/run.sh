#!/usr/bin/env bash
# Package tests: build the amd64 and arm64 .debs and the tarball, check their contents and metadata,
# run lintian, install the amd64 package into a fresh Debian 12 root (debootstrap, cached), run kvmtool
# there as root and as user kvmd, then remove and purge it and check that nothing is left behind.
# Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
cache=tests/packaging/.cache
mkdir -p "$cache"
out=$(mktemp -d)
passed=0 failed=0
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
deb="$out/kvmtool_${version}_amd64.deb"
debarm="$out/kvmtool_${version}_arm64.deb"

check() { # name, command...
    local name=$1; shift
    local log
    log=$(mktemp)
    if "$@" >"$log" 2>&1; then
        echo "PASS packaging/$name"; passed=$((passed + 1))
    else
        echo "FAIL packaging/$name"; tail -25 "$log" | sed 's/^/    /'; failed=$((failed + 1))
    fi
    rm -f "$log"
}

need=()
command -v lintian >/dev/null || need+=(lintian)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; fi

check build-amd64 packaging/deb/build.sh --arch amd64 --tarball --out "$out"
check build-arm64 packaging/deb/build.sh --arch arm64 --out "$out"
check bad-arch-refused sh -c '! packaging/deb/build.sh --arch sparc --out /tmp 2>/dev/null'

metadata() { # deb, arch
    local f
    f=$(dpkg-deb -f "$1" Package Version Architecture Depends)
    echo "$f"
    grep -qx "Package: kvmtool" <<<"$f" && grep -qx "Version: $version" <<<"$f" && grep -qx "Architecture: $2" <<<"$f" &&
        grep -q "libc6" <<<"$f" || return 1
    [ "$(dpkg-deb --ctrl-tarfile "$1" | tar -xO ./conffiles)" = /etc/kvmtool/kvmtool.yaml ] || return 1
    # the changelog's version is the package's version
    dpkg-deb --fsys-tarfile "$1" | tar -xO ./usr/share/doc/kvmtool/changelog.gz | gzip -d | head -1 | grep -q "($version)"
}
contents() { # deb, elf machine
    local list
    list=$(dpkg-deb -c "$1")
    for f in ./usr/lib/kvmtool/kvmtool ./usr/lib/kvmtool/kvmtool-cli ./usr/lib/kvmtool/libSystem.IO.Ports.Native.so ./etc/kvmtool/kvmtool.yaml \
        ./usr/lib/udev/rules.d/60-kvmtool.rules ./usr/lib/tmpfiles.d/kvmtool.conf ./usr/share/man/man1/kvmtool.1.gz \
        ./usr/share/bash-completion/completions/kvmtool ./usr/share/doc/kvmtool/copyright; do
        grep -q " $f\$" <<<"$list" || { echo "missing $f"; return 1; }
    done
    grep -q '\./usr/bin/kvmtool -> \.\./lib/kvmtool/kvmtool' <<<"$list" || { echo "missing /usr/bin/kvmtool link"; return 1; }
    ! grep -E ' \./etc/kvmd/' <<<"$list" || { echo "the package must not ship files under /etc/kvmd"; return 1; }
    local x
    x=$(mktemp -d)
    dpkg-deb -x "$1" "$x"
    for f in kvmtool kvmtool-cli; do
        od -An -tx1 -j18 -N2 "$x/usr/lib/kvmtool/$f" | grep -q "$2" || { echo "wrong ELF machine: $f"; rm -rf "$x"; return 1; }
    done
    rm -rf "$x"
}
udev_narrow() { # the rules never open devices to everyone, nor all hidraw devices
    local rules=packaging/deb/files/60-kvmtool.rules
    ! grep -E 'MODE="0?666"' "$rules" || return 1
    grep -E '^SUBSYSTEM' "$rules" | grep -v 'ATTRS\?{idVendor}' && return 1
    return 0
}
lint() { # no errors; the warnings kept are listed in packaging/deb/README.md
    local o
    o=$(lintian --tag-display-limit 0 "$1" 2>&1 | grep -v 'running with root privileges')
    echo "$o"
    ! grep -q '^E:' <<<"$o"
}

check metadata-amd64 metadata "$deb" amd64
check metadata-arm64 metadata "$debarm" arm64
check contents-amd64 contents "$deb" "3e 00"
check contents-arm64 contents "$debarm" "b7 00"
check udev-rules-narrow udev_narrow
check lintian-amd64 lint "$deb"
check lintian-arm64 lint "$debarm"
check tarball-contents sh -c "tar -tzf '$out/kvmtool-$version-amd64.tar.gz' | grep -q 'kvmtool-$version-amd64/install.sh' && tar -tzf '$out/kvmtool-$version-amd64.tar.gz' | grep -q 'usr/lib/kvmtool/kvmtool'"
check arm64-binary-runs-under-qemu sh -c "x=\$(mktemp -d) && dpkg-deb -x '$debarm' \$x && [ \"\$(qemu-aarch64 -L /usr/aarch64-linux-gnu \$x/usr/lib/kvmtool/kvmtool --version)\" = '$version' ]"

# A fresh Debian 12 root: debootstrap once, keep a pristine tarball of it, unpack a new copy per run.
# The name says what is in it, so that a change of packages makes a new one.
root_packages=adduser,udev,sudo
root_tar="$cache/bookworm-minbase-${root_packages//,/-}.tar"
if [ ! -s "$root_tar" ]; then
    tmp=$(mktemp -d)
    if debootstrap --variant=minbase --include="$root_packages" bookworm "$tmp/root" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1; then
        tar -C "$tmp/root" -cf "$root_tar" .
    else
        tail -20 "$cache/debootstrap.log"
    fi
    rm -rf "$tmp"
fi
# A usb-reset button as kvmd runs it: 'gpio apply' writes a sudo rule for exactly its line (visudo-checked,
# root's, 0440); that line runs kvmtool as root (which then indexes the config as uid 0), any other line is
# refused, and 'gpio rollback' takes the rule away again.
root_button_through_sudo() {
    local cfg=/etc/kvmtool/root-buttons.yaml argv out code
    mkdir -p "$root/etc/kvmd/override.d"
    printf 'usb:\n  devices:\n    capture: {id: "534d:2109"}\nkvmd:\n  buttons:\n    reset-capture: {usb-reset: capture}\n' >"$root$cfg"
    chmod 644 "$root$cfg"
    in_root kvmtool gpio apply --config "$cfg" || return 1
    [ "$(stat -c %U:%a "$root/etc/sudoers.d/kvmtool")" = root:440 ] || { echo "the rule is not root's with mode 440"; return 1; }
    in_root visudo -c -q || return 1
    mapfile -t argv < <(/usr/bin/python3 -c 'import sys, yaml
print("\n".join(yaml.safe_load(open(sys.argv[1]))["kvmd"]["gpio"]["drivers"]["kvmtool_reset-capture"]["cmd"]))' "$root/etc/kvmd/override.d/gpio.yaml")
    [ "${argv[0]}" = /usr/bin/sudo ] || { echo "the button does not go through sudo: ${argv[*]}"; return 1; }
    rm -f "$root"/run/kvmtool/config-*-u0.index
    out=$(chroot "$root" setpriv --reuid=kvmd --regid=kvmd --clear-groups "${argv[@]}" 2>&1); code=$?
    # The chroot has no such device: kvmtool, as root, says so (exit 3); sudo refusing would be exit 1.
    [ $code -eq 3 ] || { echo "the button exited $code: $out"; return 1; }
    ls "$root"/run/kvmtool/config-*-u0.index >/dev/null || { echo "kvmtool did not run as root"; return 1; }
    out=$(chroot "$root" setpriv --reuid=kvmd --regid=kvmd --clear-groups /usr/bin/sudo --non-interactive /usr/bin/kvmtool usb reset other --config "$cfg" 2>&1); code=$?
    [ $code -eq 1 ] && grep -q 'password is required' <<<"$out" || { echo "another line ran as root: exit $code: $out"; return 1; }
    in_root kvmtool gpio rollback --config "$cfg" >/dev/null || return 1
    [ ! -e "$root/etc/sudoers.d/kvmtool" ] || { echo "rollback left the rule in place"; return 1; }
    # Again, for the package's removal below to take it away; the config is no file of the package's.
    in_root kvmtool gpio apply --config "$cfg" >/dev/null || return 1
    rm -f "$root$cfg"
}

root=$(mktemp -d)
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
if [ -s "$root_tar" ]; then
    tar -C "$root" -xf "$root_tar"
    mount -t proc proc "$root/proc"
    cp "$deb" "$root/tmp/kvmtool.deb"
    check install-in-fresh-root in_root dpkg -i /tmp/kvmtool.deb
    check version-in-fresh-root sh -c "[ \"\$(chroot '$root' /usr/bin/kvmtool --version)\" = '$version' ]"
    check group-kvmd-created in_root getent group kvmd
    check state-dirs-for-kvmd sh -c "[ \"\$(chroot '$root' stat -c %G:%a /var/lib/kvmtool /run/kvmtool | sort -u)\" = kvmd:2775 ]"
    check relay-list-as-user-kvmd sh -c "chroot '$root' useradd --system -g kvmd kvmd && chroot '$root' setpriv --reuid=kvmd --regid=kvmd --clear-groups /usr/bin/kvmtool relay list"
    # kvmd's first poll has kvmtool-cli read kvmtool.yaml and index it in /run/kvmtool, which kvmd can write: in a
    # file of kvmd's own that group kvmd cannot change (the quick path believes no other).
    check config-index-written-as-kvmd sh -c "chroot '$root' setpriv --reuid=kvmd --regid=kvmd --clear-groups /usr/bin/kvmtool relay hdmi-button status --quiet; [ \"\$(chroot '$root' sh -c 'stat -c %U:%G:%a /run/kvmtool/config-*-u\$(id -u kvmd).index')\" = kvmd:kvmd:644 ]"
    if in_root kvmtool --help | grep -q '^  doctor'; then
        check doctor-in-fresh-root sh -c "chroot '$root' kvmtool doctor; [ \$? -le 1 ]"
    fi
    check root-button-through-sudo-as-kvmd root_button_through_sudo
    check conffile-kept-on-remove sh -c "chroot '$root' sh -c 'echo \"# mine\" >> /etc/kvmtool/kvmtool.yaml' && chroot '$root' dpkg -r kvmtool >/dev/null && grep -q '# mine' '$root/etc/kvmtool/kvmtool.yaml' && [ ! -e '$root/usr/bin/kvmtool' ] && [ ! -e '$root/etc/sudoers.d/kvmtool' ]"
    check purge-removes-everything sh -c "chroot '$root' userdel kvmd && chroot '$root' dpkg -P kvmtool >/dev/null && [ ! -e '$root/etc/kvmtool' ] && [ ! -e '$root/var/lib/kvmtool' ] && [ ! -e '$root/usr/lib/kvmtool' ] && ! chroot '$root' getent group kvmd"
    umount "$root/proc"
else
    echo "FAIL packaging/fresh-root: debootstrap failed"; failed=$((failed + 1))
fi
rm -rf "$root" "$out"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
