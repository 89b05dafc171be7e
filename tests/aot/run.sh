#!/usr/bin/env bash
# NativeAOT checks: both executables (kvmtool, kvmtool-cli) publish for both targets with no AOT/trim warnings,
# and each runs (arm64 under qemu-user with Debian's cross sysroot); kvmtool answers kvmd's polling itself and
# hands everything else to kvmtool-cli. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0 failed=0
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)

check() { # name, command...
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then
        echo "PASS aot/$name"; passed=$((passed + 1))
    else
        echo "FAIL aot/$name"; echo "$out" | tail -20 | sed 's/^/    /'; failed=$((failed + 1))
    fi
}

publish_clean() { # rid: publish both executables and fail on any IL/AOT warning
    local log project
    log=$(mktemp)
    for project in src/KvmTools.Cli src/KvmTools.Launcher; do
        if ! dotnet publish "$project" -c Release -r "$1" -o "artifacts/aot-test/$1" -nologo \
            $([ "$1" = linux-arm64 ] && echo -p:ObjCopyName=aarch64-linux-gnu-objcopy) >"$log" 2>&1; then
            cat "$log"; rm -f "$log"; return 1
        fi
        if grep -E 'warning (IL|AOT)[0-9]+' "$log"; then rm -f "$log"; return 1; fi
    done
    rm -f "$log"
}

runs() { # runner... : --version prints the version, relay list and --help succeed
    local v
    v=$("$@" --version) || return 1
    [ "$v" = "$version" ] || { echo "--version printed '$v', expected '$version'"; return 1; }
    "$@" relay list >/dev/null || return 1
    "$@" usb list >/dev/null || return 1
    "$@" doctor --config kvmtool.yaml.example >/dev/null; [ $? -le 1 ] || { echo "doctor failed to run"; return 1; }
    "$@" --help | grep -q 'relay' || return 1
    # gpio hashes and writes files: no OpenSSL or other library may be needed at run time for that.
    # The shipped override is the installed config's; from elsewhere each kvmtool command names the file it came from.
    local generated
    generated=$("$@" gpio generate --config kvmtool.yaml.example) || return 1
    grep -Eq '^# kvmtool-sha256: [0-9a-f]{64}$' <<<"$generated" || { echo "gpio generate wrote no content hash"; return 1; }
    sed -e "s|, \"--config\", \"$PWD/kvmtool.yaml.example\"||" -e '/^# kvmtool-sha256: /d' <<<"$generated" |
        cmp -s - <(sed '/^# kvmtool-sha256: /d' gpio-override.yaml.example) || { echo "gpio generate differs from gpio-override.yaml.example"; return 1; }
    "$@" relay 1 frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || { echo "usage error did not exit 2"; return 1; }
}

# A fixture with one LCUS board (port 1-1.4, bus 1 device 5) whose channel 2 was switched on.
fixture() { # dir
    local fx=$1 usb="$1/sys/devices/pci0000:00/usb1/1-1/1-1.4"
    local hid="$usb/1-1.4:1.0/0003:5131:2007.0001"
    mkdir -p "$hid/hidraw/hidraw0" "$fx/sys/class/hidraw" "$fx/dev" "$fx/run/relays"
    printf '1\n' >"$usb/busnum"; printf '5\n' >"$usb/devnum"; printf '5131\n' >"$usb/idVendor"; printf '2007\n' >"$usb/idProduct"
    printf 'HID_ID=0003:00005131:00002007\nHID_NAME=HID 5131:2007\n' >"$hid/uevent"
    ln -s ../../../0003:5131:2007.0001 "$hid/hidraw/hidraw0/device"
    ln -s "$hid/hidraw/hidraw0" "$fx/sys/class/hidraw/hidraw0"
    : >"$fx/dev/hidraw0"
    printf 'identity=1/5\n2=on\n' >"$fx/run/relays/usb-1-1.4-hid.state"
    printf 'relays:\n  hdmi:\n    usb-port: 1-1.4\n    channel: 2\n' >"$fx/kvmtool.yaml"
}

# kvmtool answers 'relay NAME status' itself once kvmtool-cli has indexed kvmtool.yaml, exactly as kvmtool-cli
# does; it hands every other command over (same output and exit codes), and says so when kvmtool-cli is missing.
quick_and_hand_off() { # dir with both executables
    local dir=$1 fx out code
    fx=$(mktemp -d)
    fixture "$fx"
    export KVMTOOL_SYSFS_ROOT=$fx/sys KVMTOOL_DEV_ROOT=$fx/dev KVMTOOL_RUNTIME_DIR=$fx/run KVMTOOL_CONFIG=$fx/kvmtool.yaml
    out=$("$dir/kvmtool" relay hdmi status) || { echo "first status: exit $?, '$out'"; return 1; }
    [ "$out" = on ] || { echo "first status printed '$out'"; return 1; }
    ls "$fx"/run/config-*.index >/dev/null || { echo "kvmtool-cli wrote no config index"; return 1; }
    [ "$("$dir/kvmtool" relay list --json)" = "$("$dir/kvmtool-cli" relay list --json)" ] || { echo "relay list differs"; return 1; }
    "$dir/kvmtool" relay 1 frobnicate >/dev/null 2>&1; code=$?
    [ $code -eq 2 ] || { echo "a usage error through kvmtool exited $code"; return 1; }
    # Without kvmtool-cli only the quick path is left: it must still answer, and say what is missing otherwise.
    mkdir "$fx/alone" && cp "$dir/kvmtool" "$fx/alone/"
    out=$("$fx/alone/kvmtool" relay hdmi status) || { echo "quick status: exit $?, '$out'"; return 1; }
    [ "$out" = on ] || { echo "quick status printed '$out'"; return 1; }
    "$fx/alone/kvmtool" relay hdmi status --json >/dev/null 2>"$fx/err"; code=$?
    [ $code -eq 70 ] && grep -q 'kvmtool-cli' "$fx/err" || { echo "missing kvmtool-cli: exit $code, $(cat "$fx/err")"; return 1; }
    rm -rf "$fx"
}

# Under qemu-user a child process cannot be started (no binfmt_misc here), so on arm64 each executable is run
# alone: kvmtool-cli through 'runs', kvmtool's quick path here (no configuration file: nothing is named).
arm64_quick() {
    local fx out
    [ ! -e /etc/kvmtool/kvmtool.yaml ] || { echo "this machine has /etc/kvmtool/kvmtool.yaml; the check needs none"; return 1; }
    fx=$(mktemp -d)
    fixture "$fx"
    out=$(env -u KVMTOOL_CONFIG KVMTOOL_SYSFS_ROOT="$fx/sys" KVMTOOL_DEV_ROOT="$fx/dev" KVMTOOL_RUNTIME_DIR="$fx/run" \
        qemu-aarch64 -L /usr/aarch64-linux-gnu artifacts/aot-test/linux-arm64/kvmtool relay 2 status --usb-port 1-1.4 2>&1)
    rm -rf "$fx"
    [ "$out" = on ] || { echo "quick status printed '$out'"; return 1; }
    [ "$(qemu-aarch64 -L /usr/aarch64-linux-gnu artifacts/aot-test/linux-arm64/kvmtool --version)" = "$version" ]
}

check publish-linux-x64 publish_clean linux-x64
check run-linux-x64 runs artifacts/aot-test/linux-x64/kvmtool
check run-linux-x64-cli runs artifacts/aot-test/linux-x64/kvmtool-cli
check quick-path-and-hand-off-linux-x64 quick_and_hand_off artifacts/aot-test/linux-x64
check publish-linux-arm64 publish_clean linux-arm64
check run-linux-arm64-qemu runs qemu-aarch64 -L /usr/aarch64-linux-gnu artifacts/aot-test/linux-arm64/kvmtool-cli
check run-linux-arm64-quick-qemu arm64_quick
check arm64-is-aarch64 sh -c 'for f in kvmtool kvmtool-cli; do file -b artifacts/aot-test/linux-arm64/$f | grep -q aarch64 || od -An -tx1 -j18 -N2 artifacts/aot-test/linux-arm64/$f | grep -q "b7 00" || exit 1; done'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
