#!/usr/bin/env bash
# Build step of the bench group (run by run.sh from the repository root, output directory in $SYSTEST_OUT):
# compiles the C reference relay program, bench/usbrelay.c, as a static binary for the guest.
set -euo pipefail

out=${SYSTEST_OUT:?run by run.sh}
gcc -static -O2 -Wall -o "$out/usbrelay" bench/usbrelay.c
echo "bench: built usbrelay from bench/usbrelay.c"
