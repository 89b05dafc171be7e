#!/usr/bin/env bash
# kvmtool's system tests: kvmtool runs inside a QEMU guest (Debian 12's kernel, a busybox initramfs) against
# USB devices that the guest kernel really enumerates (configfs gadgets on dummy_hcd, QEMU's USB devices).
#
#   tests/system/run.sh [options] [GROUP...]
#
#   GROUP             a script tests/system/guest/GROUP.sh; default: every group not marked systest-default: no
#   --kvmtool DIR     use this published kvmtool (DIR/kvmtool, DIR/kvmtool-cli, DIR/libSystem.IO.Ports.Native.so)
#                     instead of publishing src/KvmTools.Cli and src/KvmTools.Launcher into tests/system/.cache/publish
#   --timeout SECS    time limit per group (default: the group's systest-timeout, else 300)
#   --shell           boot the first group's guest with a shell on this terminal instead of running it
#   --list            list the groups
#   -v, --verbose     show the whole guest console, with the output of passing tests too
#
# Prints one PASS/FAIL line per test case and ends with the line "N passed, N failed". Exits 0 only when
# nothing failed; a group that times out or stops early counts each test it did not report as failed.
# Needs root on a Debian 12 host the first time (it apt-get installs what is missing). See README.md.
set -Eeuo pipefail

SYSTEST=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SYSTEST/../.." && pwd)
CACHE=$SYSTEST/.cache

# The modules every guest gets (with their dependencies from modules.dep); groups add more with systest-modules.
IMAGE_MODULES="configfs usbcore usb-common hid hid-generic usbhid uhid xhci-hcd xhci-pci usbserial ftdi_sio
    udc-core libcomposite dummy_hcd usb_f_hid u_serial usb_f_acm virtio_pci 9pnet_virtio 9p"
# The modules init loads at boot, in this order (dummy_hcd is left to the groups: its num= differs).
BOOT_MODULES="configfs usbhid hid-generic uhid xhci-pci ftdi_sio libcomposite usb_f_hid"
DEFAULT_GROUP_TIMEOUT=300
APPEND="console=ttyS0 panic=-1 quiet loglevel=4 mitigations=off"

kvmtool_dir=
timeout_override=
verbose=0
shell=0
groups=()

say() { echo "system-tests: $*" >&2; }

# A failure of the harness itself (not of a test): counted as one failed test so that summaries add it up.
die() {
    say "$*"
    echo "0 passed, 1 failed"
    exit 1
}

usage() {
    sed -n '2,/^set -Eeuo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

trap 'die "stopped: \"$BASH_COMMAND\" failed (run.sh line $LINENO)"' ERR

# --- groups -----------------------------------------------------------------------------------------------

all_groups() {
    local f name
    for f in "$SYSTEST"/guest/*.sh; do
        name=$(basename "$f" .sh)
        case "$name" in lib*) continue ;; esac
        echo "$name"
    done
}

# header FILE KEY: the values of the "# systest-KEY: value" lines, one a line.
header() {
    sed -n "s/^# systest-$2: *//p" "$1"
}

default_groups() {
    local g
    for g in $(all_groups); do
        [ "$(header "$SYSTEST/guest/$g.sh" default | head -n 1)" = no ] || echo "$g"
    done
}

# --- host tools -------------------------------------------------------------------------------------------

apt_lists_present() {
    compgen -G '/var/lib/apt/lists/*_Packages*' > /dev/null
}

apt_update() {
    [ "$(id -u)" = 0 ] || die "apt's package lists are missing; run 'apt-get update' as root"
    say "apt-get update"
    apt-get update -qq > /dev/null || die "apt-get update failed"
}

apt_install() {
    [ "$(id -u)" = 0 ] || die "missing host packages: $*; install them: apt-get install $*"
    apt_lists_present || apt_update
    say "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" > /dev/null ||
        { apt_update && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" > /dev/null; } ||
        die "apt-get install $* failed"
}

ensure_host_tools() {
    local missing=() pair
    for pair in qemu-system-x86_64:qemu-system-x86 cpio:cpio xz:xz-utils zstd:zstd timeout:coreutils; do
        command -v "${pair%%:*}" > /dev/null || missing+=("${pair#*:}")
    done
    # Only the static busybox runs in the guest without copying its libraries along. Groups name the host
    # packages their helpers and build steps need (systest-host-packages).
    local pkg
    for pkg in busybox-static $(for g in "${groups[@]}"; do header "$SYSTEST/guest/$g.sh" host-packages; done); do
        dpkg-query -W -f='${Status}' "$pkg" 2> /dev/null | grep -q 'ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# --- kernel -----------------------------------------------------------------------------------------------

# Sets KPKG: the kernel package linux-image-amd64 depends on (or SYSTEST_KERNEL_PACKAGE).
resolve_kernel_package() {
    if [ -n "${SYSTEST_KERNEL_PACKAGE:-}" ]; then
        KPKG=$SYSTEST_KERNEL_PACKAGE
        return
    fi
    apt_lists_present || apt_update
    KPKG=$(apt-cache depends linux-image-amd64 2> /dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
}

# download_kernel_package: the .deb of KPKG into the download cache; status 1 if apt-get download failed.
download_kernel_package() {
    say "downloading $KPKG"
    (cd "$CACHE/kernel/download" && apt-get download -q -o APT::Sandbox::User=root "$KPKG" > /dev/null)
}

# extract_vmlinux BZIMAGE OUT: the uncompressed kernel, as scripts/extract-vmlinux finds it. TCG spends about
# 3 s decompressing a bzImage; an ELF vmlinux boots straight away.
extract_vmlinux() {
    local image=$1 out=$2 magic offset
    local -A formats=([xz]=$'\xfd7zXZ' [zstd]=$'\x28\xb5\x2f\xfd' [gzip]=$'\x1f\x8b\x08')
    local -A tools=([xz]="xz -dc --single-stream" [zstd]="zstd -dcq" [gzip]="gzip -dcq")
    for format in xz zstd gzip; do
        magic=${formats[$format]}
        for offset in $(LC_ALL=C grep -aboF -- "$magic" "$image" 2> /dev/null | cut -d: -f1 | head -n 5); do
            tail -c +"$((offset + 1))" "$image" | ${tools[$format]} > "$out" 2> /dev/null || true
            if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
                return 0
            fi
        done
    done
    rm -f "$out"
    return 1
}

# newest PATH...: the last existing path of a glob's expansion (empty if none matched).
newest() {
    local p found=
    for p in "$@"; do
        [ -e "$p" ] && found=$p
    done
    printf '%s' "$found"
}

prepare_kernel() {
    local deb tmp dir
    mkdir -p "$CACHE/kernel/download"
    resolve_kernel_package
    if [ -n "$KPKG" ] && [ ! -f "$CACHE/kernel/$KPKG/ready" ] && [ -z "$(newest "$CACHE/kernel/download/${KPKG}"_*.deb)" ] &&
        ! download_kernel_package; then
        # Old package lists name a kernel the mirror has dropped: refresh them and ask again.
        KPKG=
        if [ "$(id -u)" = 0 ]; then
            apt_update
            resolve_kernel_package
            [ -z "$KPKG" ] || download_kernel_package || KPKG=
        fi
    fi
    if [ -z "$KPKG" ]; then
        # Offline: the newest kernel prepared before will do.
        for dir in "$CACHE"/kernel/linux-image-[0-9]*/ready; do
            [ -f "$dir" ] && KPKG=$(basename "$(dirname "$dir")")
        done
        [ -n "$KPKG" ] || die "cannot get the kernel package linux-image-amd64 depends on (apt-cache depends linux-image-amd64; apt-get download)"
        say "could not get linux-image-amd64's kernel from apt; using the cached $KPKG"
    fi
    local pkg=$KPKG
    KDIR=$CACHE/kernel/$pkg
    if [ ! -f "$KDIR/ready" ]; then
        deb=$(newest "$CACHE/kernel/download/${pkg}"_*.deb)
        [ -n "$deb" ] || die "apt-get download $pkg left no .deb in $CACHE/kernel/download"
        say "unpacking $(basename "$deb")"
        tmp=$KDIR.tmp
        rm -rf "$tmp" "$KDIR"
        mkdir -p "$tmp"
        dpkg-deb -x "$deb" "$tmp/root"
        local kver
        kver=$(basename "$(newest "$tmp"/root/lib/modules/*)")
        [ -n "$kver" ] || die "$deb holds no modules"
        cp "$tmp/root/boot/vmlinuz-$kver" "$tmp/vmlinuz"
        if ! extract_vmlinux "$tmp/vmlinuz" "$tmp/vmlinux"; then
            say "could not extract vmlinux from vmlinuz-$kver; the guest boots the bzImage (about 3 s slower)"
        fi
        # The package leaves modules.dep to its postinst (depmod); busybox's depmod makes one here.
        /bin/busybox depmod -b "$tmp/root" "$kver"
        cp "$tmp/root/lib/modules/$kver/modules.dep" "$tmp/root/lib/modules/$kver/modules.builtin" "$tmp/"
        echo "$kver" > "$tmp/kver"
        echo "$deb" > "$tmp/deb"
        rm -rf "$tmp/root"
        touch "$tmp/ready"
        mv "$tmp" "$KDIR"
    fi
    KVER=$(cat "$KDIR/kver")
    KERNEL=$KDIR/vmlinux
    [ -f "$KERNEL" ] || KERNEL=$KDIR/vmlinuz
}

# module_paths NAME...: the modules' paths in modules.dep, with everything they depend on.
module_paths() {
    awk -v want="$*" '
        BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { x = w[i]; gsub("-", "_", x); wanted[x] = 1 } }
        {
            path = $1; sub(":$", "", path)
            base = path; sub(".*/", "", base); sub("[.]ko.*$", "", base); gsub("-", "_", base)
            if (base in wanted) { found[base] = 1; print path; for (i = 2; i <= NF; i++) print $i }
        }
        END { for (x in wanted) if (!(x in found)) print "MISSING " x }
    ' "$KDIR/modules.dep" | sort -u
}

# Sets MODDIR: a tree lib/modules/KVER holding only the wanted modules and a modules.dep for them.
prepare_modules() {
    local wanted paths missing key g
    wanted=$IMAGE_MODULES
    for g in $(all_groups); do
        wanted="$wanted $(header "$SYSTEST/guest/$g.sh" modules | tr '\n' ' ')"
    done
    # shellcheck disable=SC2086 # one argument per module name
    paths=$(module_paths $wanted)
    missing=$(echo "$paths" | sed -n 's/^MISSING //p' | tr '\n' ' ')
    # Built into the kernel is as good as a module.
    for g in $missing; do
        grep -Eq "/${g//_/[-_]}\.ko" "$KDIR/modules.builtin" ||
            die "kernel $KVER has no module $g (asked for by IMAGE_MODULES or a systest-modules line)"
    done
    paths=$(echo "$paths" | grep -v '^MISSING ' || true)
    key=$(echo "$paths" | sha256sum | cut -c1-16)
    MODDIR=$KDIR/modules-$key
    [ -f "$MODDIR/ready" ] && return
    say "extracting $(echo "$paths" | wc -l) modules for $KVER"
    rm -rf "$KDIR"/modules-*
    mkdir -p "$MODDIR.tmp"
    local members=()
    mapfile -t members <<< "$paths"
    members=("${members[@]/#/./lib/modules/$KVER/}")
    local deb
    deb=$(cat "$KDIR/deb")
    # A cache copied from elsewhere records a path that may be gone; the download directory has the package too.
    [ -f "$deb" ] || deb=$(newest "$CACHE/kernel/download/$(basename "$KDIR")"_*.deb)
    [ -n "$deb" ] || die "the package of $KVER is gone from $CACHE/kernel/download; delete $KDIR to fetch it again"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$MODDIR.tmp" "${members[@]}"
    awk 'NR == FNR { keep[$1 ":"] = 1; next } $1 in keep' <(echo "$paths") "$KDIR/modules.dep" \
        > "$MODDIR.tmp/lib/modules/$KVER/modules.dep"
    cp "$KDIR/modules.builtin" "$MODDIR.tmp/lib/modules/$KVER/"
    touch "$MODDIR.tmp/ready"
    mv "$MODDIR.tmp" "$MODDIR"
}

# --- kvmtool ----------------------------------------------------------------------------------------------

prepare_kvmtool() {
    if [ -n "$kvmtool_dir" ]; then
        local dir
        dir=$(cd "$kvmtool_dir" 2> /dev/null && pwd) || die "--kvmtool $kvmtool_dir: no such directory"
        kvmtool_dir=$dir
    else
        [ -f "$ROOT/src/KvmTools.Cli/KvmTools.Cli.csproj" ] ||
            die "no src/KvmTools.Cli to publish; pass --kvmtool DIR with a published kvmtool"
        command -v dotnet > /dev/null || die "the .NET 10 SDK (dotnet) is needed to publish kvmtool, or pass --kvmtool DIR"
        say "publishing kvmtool (NativeAOT, linux-x64) into tests/system/.cache/publish"
        mkdir -p "$CACHE"
        rm -rf "$CACHE/publish"
        local project
        for project in KvmTools.Cli KvmTools.Launcher; do
            dotnet publish "$ROOT/src/$project" -c Release -r linux-x64 -o "$CACHE/publish" -p:DebugType=none \
                -nologo -v quiet > "$CACHE/publish.log" 2>&1 || { tail -n 40 "$CACHE/publish.log" >&2; die "dotnet publish failed"; }
        done
        kvmtool_dir=$CACHE/publish
    fi
    [ -x "$kvmtool_dir/kvmtool" ] || die "$kvmtool_dir/kvmtool is missing or not executable"
    [ -x "$kvmtool_dir/kvmtool-cli" ] || die "$kvmtool_dir/kvmtool-cli is missing or not executable"
}

# --- initramfs --------------------------------------------------------------------------------------------

is_elf() {
    [ "$(head -c 4 "$1" 2> /dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ]
}

# copy_libraries STAGE FILE...: the shared libraries (and the loader) that the ELF files need, at the paths
# ldd reports, so that they resolve in the guest as on the host.
copy_libraries() {
    local stage=$1 f lib
    shift
    for f in "$@"; do
        is_elf "$f" || continue
        for lib in $(ldd "$f" 2> /dev/null | awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }'); do
            [ -e "$stage$lib" ] && continue
            mkdir -p "$stage$(dirname "$lib")"
            cp -L "$lib" "$stage$lib"
        done
    done
}

# stage_sudo STAGE: the host's sudo and visudo (setuid root, with their plugins and libraries), a sudoers that
# includes /etc/sudoers.d as Debian's does, and PAM that lets the rules decide (pam_permit), so that a test can run
# a kvmd button's line as user kvmd the way kvmd does. Nothing when the host has no sudo.
stage_sudo() {
    local stage=$1 f
    [ -x /usr/bin/sudo ] && [ -x /usr/sbin/visudo ] || return 0
    mkdir -p "$stage/usr/libexec/sudo" "$stage/etc/sudoers.d" "$stage/etc/pam.d" "$stage/lib/x86_64-linux-gnu/security"
    cp /usr/bin/sudo "$stage/usr/bin/sudo"
    cp /usr/sbin/visudo "$stage/usr/sbin/visudo"
    chmod 4755 "$stage/usr/bin/sudo"
    cp -a /usr/libexec/sudo/. "$stage/usr/libexec/sudo/"
    cp /lib/x86_64-linux-gnu/security/pam_permit.so "$stage/lib/x86_64-linux-gnu/security/"
    printf 'Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n' > "$stage/etc/sudoers"
    chmod 0440 "$stage/etc/sudoers"
    chmod 0750 "$stage/etc/sudoers.d"
    for f in auth account password session; do
        printf '%s required pam_permit.so\n' "$f"
    done > "$stage/etc/pam.d/sudo"
    copy_libraries "$stage" "$stage/usr/bin/sudo" "$stage/usr/sbin/visudo" "$stage"/usr/libexec/sudo/*.so* \
        "$stage/lib/x86_64-linux-gnu/security/pam_permit.so"
}

# Sets INITRD: busybox, the modules, kvmtool and its libraries, init and the guest scripts; the archive is
# rebuilt only when what goes into it changed.
prepare_initramfs() {
    local stage=$CACHE/initramfs.stage sum applet
    rm -rf "$stage"
    mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,root,etc/systest,opt/kvmtool,systest/guest,var/lib}
    cp /bin/busybox "$stage/bin/busybox"
    for applet in $(/bin/busybox --list); do
        [ "$applet" = busybox ] || ln -s busybox "$stage/bin/$applet"
    done
    cp "$SYSTEST/init.sh" "$stage/init"
    cp "$SYSTEST/run-group.sh" "$stage/systest/run-group.sh"
    cp "$SYSTEST"/guest/*.sh "$stage/systest/guest/"
    chmod 755 "$stage/init" "$stage/systest/run-group.sh"
    cp -a "$MODDIR/lib" "$stage/"
    echo "$BOOT_MODULES" | tr ' ' '\n' > "$stage/etc/systest/boot-modules"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\nkvmd:x:990:990:kvmd:/nonexistent:/bin/false\n' > "$stage/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\nkvmd:x:990:\n' > "$stage/etc/group"
    stage_sudo "$stage"
    find "$kvmtool_dir" -maxdepth 1 -type f ! -name '*.dbg' ! -name '*.pdb' ! -name '*.xml' \
        -exec cp {} "$stage/opt/kvmtool/" \;
    copy_libraries "$stage" "$stage"/opt/kvmtool/*

    sum=$( (cd "$stage" && find . -type l -printf '%p -> %l\n' && find . -type f -print0 | xargs -0 sha256sum) |
        LC_ALL=C sort | sha256sum | cut -d' ' -f1)
    INITRD=$CACHE/initramfs.cpio
    if [ ! -f "$INITRD" ] || [ "$(cat "$CACHE/initramfs.sum" 2> /dev/null)" != "$sum" ]; then
        say "building the initramfs"
        (cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$INITRD.tmp"
        mv "$INITRD.tmp" "$INITRD"
        echo "$sum" > "$CACHE/initramfs.sum"
    fi
    rm -rf "$stage"
}

# --- running a group --------------------------------------------------------------------------------------

PASSED=0
FAILED=0
SKIPPED=0
HELPER_PIDS=()

stop_helpers() {
    local pid
    for pid in "${HELPER_PIDS[@]}"; do
        kill -- "-$pid" 2> /dev/null || kill "$pid" 2> /dev/null || true
    done
    for pid in "${HELPER_PIDS[@]}"; do
        wait "$pid" 2> /dev/null || true
    done
    HELPER_PIDS=()
}

trap stop_helpers EXIT
trap 'exit 130' INT TERM

# substitute TEXT: @RUNDIR@ (this group's scratch directory on the host), @SYSTEST@, @ROOT@.
substitute() {
    local text=$1
    text=${text//@RUNDIR@/$RUNDIR}
    text=${text//@SYSTEST@/$SYSTEST}
    text=${text//@ROOT@/$ROOT}
    printf '%s' "$text"
}

# Shows the guest console as it comes: the SYSTEST lines and a failed test's output (everything with -v).
show_console() {
    if [ "$verbose" = 1 ]; then
        cat
    else
        sed -u -n -e 's/^SYSTEST \(PASS\|FAIL\|SKIP\|INFO\) /\1 /p' -e '/^  | /p'
    fi
}

group_failed() {
    echo "FAIL $1: $2"
    FAILED=$((FAILED + ${3:-1}))
}

run_group() {
    local group=$1 file=$SYSTEST/guest/$1.sh line limit rc initrd sock waited pid
    local qemu_extra=() paths=() words=()
    RUNDIR=$(mktemp -d "${TMPDIR:-/tmp}/kvmtool-systest-$group.XXXXXX")

    initrd=$INITRD
    # A build step puts files for the guest in a directory; they land in /opt/systest/GROUP there.
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        mkdir -p "$RUNDIR/extra/opt/systest/$group"
        say "$group: $line"
        rc=0
        (cd "$ROOT" && SYSTEST_OUT="$RUNDIR/extra/opt/systest/$group" bash -c "$(substitute "$line")" < /dev/null) || rc=$?
        if [ $rc = 77 ]; then
            echo "SKIP $group: its build step skipped the group (see above)"
            SKIPPED=$((SKIPPED + 1))
            return
        elif [ $rc != 0 ]; then
            group_failed "$group" "build step failed (exit status $rc): $line"
            return
        fi
    done < <(header "$file" build)
    if [ -d "$RUNDIR/extra" ]; then
        (cd "$RUNDIR/extra" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) > "$RUNDIR/extra.cpio"
        # The kernel unpacks concatenated archives one after the other.
        cat "$INITRD" "$RUNDIR/extra.cpio" > "$RUNDIR/initrd.cpio"
        initrd=$RUNDIR/initrd.cpio
    fi

    while IFS= read -r line; do
        [ -n "$line" ] || continue
        # A QEMU argument line is split into words (no quoting inside it).
        read -ra words <<< "$(substitute "$line")"
        qemu_extra+=("${words[@]}")
    done < <(header "$file" qemu)

    # systest-share: yes: the host directory @RUNDIR@/share reaches the guest read-only at /host (9p over virtio)
    # and stays live, so that a test can read what a helper writes there (a simulator's state) while it runs.
    local share_arg=
    if [ "$(header "$file" share | head -n 1)" = yes ]; then
        mkdir -p "$RUNDIR/share"
        qemu_extra+=(-virtfs "local,path=$RUNDIR/share,mount_tag=systest,security_model=none,readonly=on")
        share_arg=" systest.share=1"
    fi

    # Helpers (simulators on the host) start first; QEMU starts once every socket it names (path=...) exists.
    local n=0
    while IFS= read -r line; do
        [ -n "$line" ] || continue
        n=$((n + 1))
        (cd "$ROOT" && exec setsid bash -c "$(substitute "$line")") < /dev/null > "$RUNDIR/helper-$n.log" 2>&1 &
        HELPER_PIDS+=($!)
    done < <(header "$file" helper)
    for line in "${qemu_extra[@]}"; do
        [[ "$line" =~ (^|,)path=([^,]+) ]] && paths+=("${BASH_REMATCH[2]}")
    done
    for sock in "${paths[@]}"; do
        waited=0
        while [ ! -e "$sock" ]; do
            for pid in "${HELPER_PIDS[@]}"; do
                kill -0 "$pid" 2> /dev/null || { tail -n 20 "$RUNDIR"/helper-*.log; stop_helpers; group_failed "$group" "a helper exited before creating $sock"; return; }
            done
            waited=$((waited + 1))
            [ $waited -le 300 ] || { stop_helpers; group_failed "$group" "no $sock after 30 s (helper logs in $RUNDIR)"; return; }
            sleep 0.1
        done
    done

    limit=${timeout_override:-$(header "$file" timeout | head -n 1)}
    limit=${limit:-$DEFAULT_GROUP_TIMEOUT}
    local qemu=(qemu-system-x86_64 -nodefaults -machine pc -cpu max -m 512 -smp 1 -display none -no-reboot -nic none
        -kernel "$KERNEL" -initrd "$initrd" "${qemu_extra[@]}")

    if [ "$shell" = 1 ]; then
        say "guest shell for '$group' (leave with 'poweroff -f'; Ctrl-A X quits QEMU)"
        "${qemu[@]}" -serial mon:stdio -append "$APPEND systest.group=$group systest.shell=1$share_arg" || true
        stop_helpers
        rm -rf "$RUNDIR"
        exit 0
    fi

    say "$group: booting (limit ${limit}s)"
    local started=$SECONDS
    local append="$APPEND systest.group=$group$share_arg"
    [ "$verbose" = 0 ] || append="$append systest.verbose=1"
    if timeout -k 10 "$limit" "${qemu[@]}" -serial stdio -monitor none -append "$append" \
        < /dev/null 2>&1 | tr -d '\r' | tee "$RUNDIR/console.log" | show_console; then
        rc=0
    else
        rc=${PIPESTATUS[0]}
    fi
    stop_helpers

    local log=$RUNDIR/console.log count pass fail skip
    count=$(sed -n "s/^SYSTEST BEGIN $group \([0-9]*\).*/\1/p" "$log" | head -n 1)
    pass=$(grep -c "^SYSTEST PASS $group/" "$log" || true)
    fail=$(grep -c "^SYSTEST FAIL $group/" "$log" || true)
    skip=$(grep -c "^SYSTEST SKIP $group/" "$log" || true)
    PASSED=$((PASSED + pass))
    FAILED=$((FAILED + fail))
    SKIPPED=$((SKIPPED + skip))
    if ! grep -q "^SYSTEST END $group" "$log"; then
        local why="the guest stopped before the group ended (QEMU exit status $rc)"
        if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then why="timed out after ${limit}s"; fi
        local unreported=$(( ${count:-0} - pass - fail - skip ))
        [ $unreported -ge 1 ] || unreported=1
        [ "$verbose" = 1 ] || { echo "--- the end of the guest console:"; tail -n 25 "$log"; echo "---"; }
        group_failed "$group" "$why; $unreported test(s) did not report (console: $RUNDIR/console.log)" "$unreported"
        return
    fi
    say "$group: $pass passed, $fail failed, $skip skipped in $((SECONDS - started)) s"
    if [ "$fail" = 0 ]; then
        rm -rf "$RUNDIR"
    else
        say "$group: guest console in $RUNDIR/console.log"
    fi
}

# --- main -------------------------------------------------------------------------------------------------

list=0
while [ $# -gt 0 ]; do
    case "$1" in
        --kvmtool) [ $# -ge 2 ] || { usage >&2; exit 2; }; kvmtool_dir=$2; shift ;;
        --kvmtool=*) kvmtool_dir=${1#--kvmtool=} ;;
        --timeout) [ $# -ge 2 ] || { usage >&2; exit 2; }; timeout_override=$2; shift ;;
        --timeout=*) timeout_override=${1#--timeout=} ;;
        --shell) shell=1 ;;
        --list) list=1 ;;
        -v | --verbose) verbose=1 ;;
        -h | --help) usage; exit 0 ;;
        -*) say "unknown option $1"; usage >&2; exit 2 ;;
        *) groups+=("$1") ;;
    esac
    shift
done

if [ "$list" = 1 ]; then
    for g in $(all_groups); do
        echo "$g$( [ "$(header "$SYSTEST/guest/$g.sh" default | head -n 1)" = no ] && echo " (only when named)")"
    done
    exit 0
fi
if [ ${#groups[@]} -eq 0 ]; then
    mapfile -t groups < <(default_groups)
fi
for g in "${groups[@]}"; do
    if [ ! -f "$SYSTEST/guest/$g.sh" ] || [[ "$g" == lib* ]]; then
        say "no group '$g' (tests/system/guest/$g.sh); groups: $(all_groups | tr '\n' ' ')"
        exit 2
    fi
done

total_started=$SECONDS
ensure_host_tools
prepare_kernel
prepare_modules
prepare_kvmtool
prepare_initramfs
say "kernel $KVER, $(du -h "$INITRD" | cut -f1) initramfs, kvmtool from $kvmtool_dir"

for g in "${groups[@]}"; do
    run_group "$g"
done

say "done in $((SECONDS - total_started)) s"
[ "$SKIPPED" = 0 ] || echo "$SKIPPED skipped"
echo "$PASSED passed, $FAILED failed"
if [ "$FAILED" = 0 ]; then exit 0; else exit 1; fi
