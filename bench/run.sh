#!/usr/bin/env bash
# Start-up and latency benchmark: kvmtool (NativeAOT) against a C relay program, on this machine, in one run.
# Records wall time (hyperfine) and peak RSS (GNU time) in docs/benchmarks.md.
#
# The C program (bench/usbrelay.c) does what the C tools kvmtool replaces do for 'usbrelay 1 on': find the first
# LCUS board among /dev/hidraw*, write its 4-byte command.
# With no relay board attached (as on a build machine) both programs do their discovery and find nothing
# to write to; kvmtool's 'relay 1 status' is measured against a fixture sysfs tree holding one LCUS board,
# which is exactly the work kvmd's cmdret polling causes (enumerate, read the state file, no device I/O).
# kvmtool answers that itself; kvmtool-cli (the whole command line) and a handed-over command are measured too.
# The same comparison against a real (gadget) relay runs in the QEMU guest: tests/system/run.sh bench.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${BENCH_RUNS:-300}
cache=bench/.cache
mkdir -p "$cache"

for tool in hyperfine:hyperfine /usr/bin/time:time gcc:gcc; do
    command -v "${tool%%:*}" >/dev/null || { apt-get update -qq && apt-get install -y -qq "${tool##*:}" >/dev/null; }
done

gcc -O2 -o "$cache/usbrelay" bench/usbrelay.c

./build.sh publish linux-x64 >/dev/null
k=artifacts/linux-x64/kvmtool

# One LCUS board at USB port 1-1.4, as sysfs shows it.
fx=$(mktemp -d)
trap 'rm -rf "$fx"' EXIT
usb="$fx/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1/1-1.4"
hid="$usb/1-1.4:1.0/0003:5131:2007.0001"
mkdir -p "$hid/hidraw/hidraw0" "$fx/sys/class/hidraw" "$fx/dev" "$fx/run"
printf '1\n' >"$usb/busnum"; printf '5\n' >"$usb/devnum"; printf '5131\n' >"$usb/idVendor"; printf '2007\n' >"$usb/idProduct"
printf 'HID_ID=0003:00005131:00002007\nHID_NAME=HID 5131:2007\n' >"$hid/uevent"
ln -s ../../../0003:5131:2007.0001 "$hid/hidraw/hidraw0/device"
ln -s "$hid/hidraw/hidraw0" "$fx/sys/class/hidraw/hidraw0"
touch "$fx/dev/hidraw0"
# Channel 1 was switched on by kvmtool on this board (bus 1, device 5).
mkdir -p "$fx/run/relays" && printf 'identity=1/5\n1=on\n' >"$fx/run/relays/usb-1-1.4-hid.state"
export KVMTOOL_SYSFS_ROOT="$fx/sys" KVMTOOL_DEV_ROOT="$fx/dev" KVMTOOL_RUNTIME_DIR="$fx/run" KVMTOOL_CONFIG="$fx/none.yaml"
: >"$KVMTOOL_CONFIG"
# The first call goes to kvmtool-cli, which validates kvmtool.yaml and indexes it; kvmd's polls then find the index.
"$k" relay 1 status >/dev/null 2>&1 || true
ls "$fx"/run/config-*.index >/dev/null || { echo "bench: kvmtool-cli wrote no configuration index" >&2; exit 1; }
[ "$("$k" relay 1 status)" = on ] || { echo "bench: 'kvmtool relay 1 status' did not answer 'on'" >&2; exit 1; }

# name|command line; the first is the reference, the next two are the targets.
commands=(
    "C usbrelay 1 on|$cache/usbrelay 1 on"
    "kvmtool --version|$k --version"
    "kvmtool relay 1 status|$k relay 1 status"
    "kvmtool-cli relay 1 status|$k-cli relay 1 status"
    "kvmtool relay list|$k relay list"
)
args=()
for c in "${commands[@]}"; do args+=(-n "${c%%|*}" "${c#*|}"); done
hyperfine -N -i --warmup 30 --runs "$runs" --export-json "$cache/times.json" "${args[@]}" >/dev/null

peak_rss() { # max RSS in KiB over 20 runs
    local max=0 r
    for _ in $(seq 20); do
        # shellcheck disable=SC2086 # the command line is split on purpose
        /usr/bin/time -o "$cache/rss" -f '%M' $1 >/dev/null 2>&1 || true
        r=$(tail -1 "$cache/rss")
        [ "$r" -gt "$max" ] && max=$r
    done
    echo "$max"
}
: >"$cache/rss.txt"
for c in "${commands[@]}"; do printf '%s|%s\n' "${c%%|*}" "$(peak_rss "${c#*|}")" >>"$cache/rss.txt"; done

python3 - "$cache/times.json" "$cache/rss.txt" "$(nproc)" "$(uname -m)" "$(stat -c %s "$k")" "$(stat -c %s "$k-cli")" <<'PY'
import json, sys, datetime, platform
times = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
rss = {line.split("|")[0]: int(line.split("|")[1]) for line in open(sys.argv[2]) if line.strip()}
names = list(rss)
c = times[names[0]]["median"]
rows = []
for name in names:
    r = times[name]
    rows.append(f"| `{name}` | {r['median']*1000:.2f} | {r['mean']*1000:.2f} ± {r['stddev']*1000:.2f} | {r['median']/c:.2f}x | {rss[name]/1024:.1f} |")
verdict = []
for name in names[1:3]:
    ratio = times[name]["median"] / c
    verdict.append(f"- `{name}`: {ratio:.2f}x the C program's median wall time (target ≤ 3x: {'met' if ratio <= 3 else 'NOT met'}); "
                   f"peak RSS {rss[name]/1024:.1f} MB (target < 15 MB: {'met' if rss[name] < 15*1024 else 'NOT met'}).")
text = f"""## Host run, {datetime.date.today().isoformat()} ({platform.machine()}, {sys.argv[3]} cores; kvmtool {int(sys.argv[5])/1e6:.1f} MB, kvmtool-cli {int(sys.argv[6])/1e6:.1f} MB)

`bench/run.sh`, {len(times[names[0]]['times'])} runs each after 30 warm-up runs, hyperfine without a shell.
No relay board attached: the C program scans /dev/hidraw* and finds none; kvmtool's `status` enumerates a
fixture sysfs tree with one LCUS board and reads its state file (no device I/O, as kvmd's polling does).
`kvmtool` answers `--version` and `relay 1 status` itself; `kvmtool-cli relay 1 status` is the same query through
the whole command line, and `kvmtool relay list` is a command `kvmtool` hands over to `kvmtool-cli` (exec).

| command | median ms | mean ± σ ms | vs C | peak RSS MB |
| --- | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}

{chr(10).join(verdict)}
"""
open("bench/.cache/host-section.md", "w").write(text)
print(text)
PY

# docs/benchmarks.md keeps one host section (replaced on each run) and the guest section from tests/system.
doc=docs/benchmarks.md
[ -f "$doc" ] || printf '# Benchmarks\n\nRecorded by `bench/run.sh` (host) and `tests/system/run.sh bench` (QEMU guest, real relay).\n' >"$doc"
python3 - "$doc" <<'PY'
import re, sys
doc = open(sys.argv[1]).read()
section = open("bench/.cache/host-section.md").read()
doc = re.sub(r"## Host run.*?(?=\n## |\Z)", "", doc, flags=re.S).rstrip() + "\n\n" + section
open(sys.argv[1], "w").write(doc)
PY
echo "bench: results written to $doc"
