#!/usr/bin/env bash
# Build step of the bench group (run by run.sh from the repository root, output directory in $SYSTEST_OUT):
# compiles the C relay program from the seed notes (shared/seeds/000_18e760c616bb2b53.txt, beside the
# repository: X/main and X/shared) as a static binary for the guest. The source is taken from the notes at run
# time and never kept in this repository. Exits 77 (the group is skipped) when the notes are not there.
set -euo pipefail

seed=${SYSTEST_SEED_NOTES:-../shared/seeds/000_18e760c616bb2b53.txt}
if [ ! -f "$seed" ]; then
    echo "bench: no $seed (set SYSTEST_SEED_NOTES to the seed notes); skipping the bench group" >&2
    exit 77
fi
out=${SYSTEST_OUT:?run by run.sh}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The first fenced C block of the notes is usbrelay.c.
awk '/^```c[[:space:]]*$/ { inside = 1; next } inside && /^```/ { exit } inside' "$seed" | tr -d '\r' > "$work/usbrelay.c"
grep -q 'HIDIOCGRAWINFO' "$work/usbrelay.c" || { echo "bench: no usbrelay C program found in $seed" >&2; exit 1; }
gcc -static -O2 -w -o "$out/usbrelay" "$work/usbrelay.c"
echo "bench: built usbrelay from $seed"
