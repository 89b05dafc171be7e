#!/usr/bin/env bash
# The CH9329 simulator (tests/Ch9329Sim, 'ch9329-sim') for the system tests, run from the repository root.
#
#   tests/system/helpers/ch9329-sim.sh --build     builds it (a build step; exits 77, skipping the group, without dotnet)
#   tests/system/helpers/ch9329-sim.sh ARGS...     runs it with ARGS (see 'ch9329-sim --help'), e.g. as a helper:
#                                                  --listen @RUNDIR@/sim.sock --state @RUNDIR@/share/sim.json
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
PROJECT=$ROOT/tests/Ch9329Sim

# built: the simulator's assembly, if a build left one.
built() {
    local dll
    # An unmatched glob stays as it is; with nothing built this must still succeed (set -e, pipefail).
    for dll in "$PROJECT"/bin/Release/*/ch9329-sim.dll; do
        if [ -f "$dll" ]; then echo "$dll"; fi
    done | tail -n 1
}

if [ "${1:-}" = --build ]; then
    # 'dotnet build' takes seconds even when nothing changed: skip it when no source is newer than the build.
    dll=$(built)
    if [ -n "$dll" ] && [ -z "$(find "$PROJECT" "$ROOT/tests/KvmTools.Tests/Fakes/Ch9329Simulator.cs" "$ROOT"/Directory.Build.* \
        -newer "$dll" \( -name '*.cs' -o -name '*.csproj' -o -name 'Directory.Build.*' \) ! -path '*/obj/*' ! -path '*/bin/*' -print -quit)" ]; then
        exit 0
    fi
    if ! command -v dotnet > /dev/null; then
        echo "no dotnet: cannot build tests/Ch9329Sim; the group needs the .NET SDK" >&2
        exit 77
    fi
    log=$(mktemp)
    if ! dotnet build "$PROJECT" -c Release -nologo -v quiet > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        rm -f "$log"
        exit 1
    fi
    rm -f "$log"
    exit 0
fi

dll=$(built)
if [ -z "$dll" ] || [ ! -x "${dll%.dll}" ]; then
    echo "ch9329-sim is not built; run $0 --build first" >&2
    exit 1
fi
exec "${dll%.dll}" "$@"
