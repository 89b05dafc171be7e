#!/usr/bin/env bash
# kvmtool's one entry point for building, running and testing.
#   ./build.sh publish [RID]   NativeAOT binaries into artifacts/RID (default linux-x64; linux-arm64, linux-arm)
#   ./build.sh run             build, then run kvmtool's main job with no hardware attached
#   ./build.sh test            every test: format, unit, NativeAOT, kvmd's own code, packages, system tests in a QEMU guest
#   ./build.sh bench           the start-up/latency benchmark (bench/run.sh)
set -euo pipefail
cd "$(dirname "$0")"

publish() {
    local rid="${1:-linux-x64}"
    local extra=()
    case "$rid" in
        linux-x64) ;;
        # Cross builds link with clang against Debian's cross toolchains (gcc-aarch64-linux-gnu,
        # gcc-arm-linux-gnueabihf); objcopy must match the target to strip symbols.
        linux-arm64) extra+=(-p:ObjCopyName=aarch64-linux-gnu-objcopy) ;;
        linux-arm) extra+=(-p:ObjCopyName=arm-linux-gnueabihf-objcopy) ;;
        *) echo "build.sh: unknown runtime '$rid' (use linux-x64, linux-arm64 or linux-arm)" >&2; exit 2 ;;
    esac
    # Two executables, installed side by side: kvmtool (quick answers for kvmd's polling, hands everything else
    # on) and kvmtool-cli (the whole command line).
    local project
    for project in src/KvmTools.Cli src/KvmTools.Launcher; do
        dotnet publish "$project" -c Release -r "$rid" -o "artifacts/$rid" -p:DebugType=none "${extra[@]}" -nologo -v quiet
    done
    rm -f "artifacts/$rid"/*.dbg "artifacts/$rid"/*.pdb
    echo "artifacts/$rid/kvmtool"
}

run_main() {
    publish linux-x64 >/dev/null
    local k=artifacts/linux-x64/kvmtool
    "$k" --version
    "$k" relay list
    "$k" gpio generate --config kvmtool.yaml.example
    "$k" --help
}

summary_line() {
    # Adds up "Passed: N" / "Failed: N" from dotnet test and "N passed, N failed" from the system tests.
    python3 - "$@" <<'PY'
import re, sys
passed = failed = 0
for path in sys.argv[1:]:
    text = open(path, errors="replace").read()
    for m in re.finditer(r"Failed:\s+(\d+), Passed:\s+(\d+)", text):
        failed += int(m.group(1)); passed += int(m.group(2))
    for m in re.finditer(r"^(\d+) passed, (\d+) failed$", text, re.M):
        passed += int(m.group(1)); failed += int(m.group(2))
print(f"{passed} passed, {failed} failed")
PY
}

run_tests() {
    local logs
    logs=$(mktemp -d)
    local status=0
    dotnet restore -nologo -v quiet
    dotnet build -c Release --no-restore -nologo -v quiet
    dotnet format --verify-no-changes --no-restore || { echo "build.sh: 'dotnet format' would change files; run it and commit." >&2; status=1; }
    dotnet test -c Release --no-build -nologo 2>&1 | tee "$logs/unit.log" || status=1
    tests/aot/run.sh 2>&1 | tee "$logs/aot.log" || status=1
    # kvmd's own code (its loader, GPIO drivers and web menu) against the kvmtool the aot tests just built.
    KVMTOOL_BIN_DIR="$PWD/artifacts/aot-test/linux-x64" /usr/bin/python3 tests/kvmd/run.py 2>&1 | tee "$logs/kvmd.log" || status=1
    tests/packaging/run.sh 2>&1 | tee "$logs/packaging.log" || status=1
    if [ -x tests/system/run.sh ] && [ "${KVMTOOL_SKIP_SYSTEM_TESTS:-0}" != 1 ]; then
        tests/system/run.sh 2>&1 | tee "$logs/system.log" || status=1
    fi
    summary_line "$logs"/*.log
    rm -rf "$logs"
    return $status
}

case "${1:-}" in
    publish) publish "${2:-linux-x64}" ;;
    run) run_main ;;
    test) run_tests ;;
    bench) exec bench/run.sh ;;
    *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
