#!/usr/bin/env bash
# NativeAOT checks: both targets publish with no AOT/trim warnings, and each binary runs
# (arm64 under qemu-user with Debian's cross sysroot). Prints "N passed, N failed".
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

publish_clean() { # rid: publish and fail on any IL/AOT warning
    local log
    log=$(mktemp)
    if ! dotnet publish src/KvmTools.Cli -c Release -r "$1" -o "artifacts/aot-test/$1" -nologo \
        $([ "$1" = linux-arm64 ] && echo -p:ObjCopyName=aarch64-linux-gnu-objcopy) >"$log" 2>&1; then
        cat "$log"; rm -f "$log"; return 1
    fi
    if grep -E 'warning (IL|AOT)[0-9]+' "$log"; then rm -f "$log"; return 1; fi
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
    "$@" gpio generate --config kvmtool.yaml.example | cmp -s - gpio-override.yaml.example || { echo "gpio generate differs from gpio-override.yaml.example"; return 1; }
    "$@" relay 1 frobnicate >/dev/null 2>&1; [ $? -eq 2 ] || { echo "usage error did not exit 2"; return 1; }
}

check publish-linux-x64 publish_clean linux-x64
check run-linux-x64 runs artifacts/aot-test/linux-x64/kvmtool
check publish-linux-arm64 publish_clean linux-arm64
check run-linux-arm64-qemu runs qemu-aarch64 -L /usr/aarch64-linux-gnu artifacts/aot-test/linux-arm64/kvmtool
check arm64-is-aarch64 sh -c 'file -b artifacts/aot-test/linux-arm64/kvmtool | grep -q aarch64 || od -An -tx1 -j18 -N2 artifacts/aot-test/linux-arm64/kvmtool | grep -q "b7 00"'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
