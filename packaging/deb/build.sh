#!/usr/bin/env bash
# Builds kvmtool_<version>_<arch>.deb (and, with --tarball, kvmtool-<version>-<arch>.tar.gz for PiKVM OS,
# which is Arch Linux ARM and has no dpkg) from the NativeAOT publish.
#   packaging/deb/build.sh [--arch amd64|arm64|armhf] [--tarball] [--out DIR]
# armhf needs NativeAOT runtime packs for linux-arm, which not every NuGet feed serves.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
arch=amd64 tarball=0 out="$repo/artifacts/packages"
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) arch=$2; shift 2 ;;
        --tarball) tarball=1; shift ;;
        --out) out=$2; shift 2 ;;
        *) echo "build.sh: unknown option '$1' (use --arch amd64|arm64|armhf, --tarball, --out DIR)" >&2; exit 2 ;;
    esac
done
case "$arch" in
    amd64) rid=linux-x64 ;;
    arm64) rid=linux-arm64 ;;
    armhf) rid=linux-arm ;;
    *) echo "build.sh: unknown architecture '$arch' (use amd64, arm64 or armhf)" >&2; exit 2 ;;
esac
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$repo/Directory.Build.props")
[ -n "$version" ] || { echo "build.sh: no <Version> in Directory.Build.props" >&2; exit 1; }

"$repo/build.sh" publish "$rid" >/dev/null
bin="$repo/artifacts/$rid"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/kvmtool_${version}_$arch"

# kvmtool answers kvmd's polling itself and hands every other command to kvmtool-cli in its own directory,
# which loads its serial-port library from there too: all three live in /usr/lib/kvmtool, and /usr/bin/kvmtool
# is a link (kvmd's cmd drivers call it by this absolute path).
install -D -m 755 "$bin/kvmtool" "$root/usr/lib/kvmtool/kvmtool"
install -D -m 755 "$bin/kvmtool-cli" "$root/usr/lib/kvmtool/kvmtool-cli"
install -D -m 644 "$bin/libSystem.IO.Ports.Native.so" "$root/usr/lib/kvmtool/libSystem.IO.Ports.Native.so"
mkdir -p "$root/usr/bin"
ln -s ../lib/kvmtool/kvmtool "$root/usr/bin/kvmtool"
install -D -m 644 "$repo/kvmtool.yaml.example" "$root/etc/kvmtool/kvmtool.yaml"
install -D -m 644 "$here/files/60-kvmtool.rules" "$root/usr/lib/udev/rules.d/60-kvmtool.rules"
install -D -m 644 "$here/files/kvmtool.tmpfiles" "$root/usr/lib/tmpfiles.d/kvmtool.conf"
for unit in "$here"/files/*.service "$here"/files/*.timer; do
    [ -e "$unit" ] && install -D -m 644 "$unit" "$root/usr/lib/systemd/system/$(basename "$unit")"
done
install -D -m 644 "$here/files/kvmtool.bash-completion" "$root/usr/share/bash-completion/completions/kvmtool"
install -d "$root/usr/share/man/man1" "$root/usr/share/doc/kvmtool/examples"
gzip -9n <"$here/files/kvmtool.1" >"$root/usr/share/man/man1/kvmtool.1.gz"
install -m 644 "$here/files/copyright" "$root/usr/share/doc/kvmtool/copyright"
gzip -9n <"$here/files/changelog" >"$root/usr/share/doc/kvmtool/changelog.gz"
for example in "$repo"/*.example "$here"/files/*.cron.example; do
    install -m 644 "$example" "$root/usr/share/doc/kvmtool/examples/"
done

mkdir -p "$root/DEBIAN"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" \
    -e "s/@SIZE@/$(du -sk --exclude=DEBIAN "$root" | cut -f1)/" "$here/files/control" >"$root/DEBIAN/control"
printf '/etc/kvmtool/kvmtool.yaml\n' >"$root/DEBIAN/conffiles"
install -m 755 "$here/files/postinst" "$here/files/postrm" "$root/DEBIAN/"
(cd "$root" && find . -type f ! -path './DEBIAN/*' ! -path './etc/*' -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
chmod 644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control" "$root/DEBIAN/conffiles"

mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/kvmtool_${version}_$arch.deb" >/dev/null
echo "$out/kvmtool_${version}_$arch.deb"

if [ "$tarball" = 1 ]; then
    tdir="$stage/kvmtool-$version-$arch"
    mkdir -p "$tdir"
    cp -a "$root/usr" "$root/etc" "$tdir/"
    install -m 755 "$here/files/install.sh" "$tdir/install.sh"
    tar -C "$stage" --owner=0 --group=0 -czf "$out/kvmtool-$version-$arch.tar.gz" "kvmtool-$version-$arch"
    echo "$out/kvmtool-$version-$arch.tar.gz"
fi
