# shellcheck shell=sh
# The bench group (run only when named: tests/system/run.sh bench): the mean time per call of the C reference relay
# program (usbrelay 1 on: bench/usbrelay.c, built by bench/build-usbrelay.sh) and of 'kvmtool relay 1 on', both switching the same
# gadget relay board, BENCH_N calls each; also 'kvmtool-cli relay 1 on' (the same without kvmtool's hand-over)
# and 'kvmtool relay 1 status', which kvmtool answers itself, as kvmd polls it. Times are those of the emulated
# (TCG) guest: compare them with each other, not with real hardware.
#
# systest-default: no
# systest-build: tests/system/bench/build-usbrelay.sh
# systest-host-packages: gcc libc6-dev
# systest-timeout: 1800
# systest-test-timeout: 1500

# shellcheck source=lib-usb.sh
. /systest/guest/lib-usb.sh

BENCH_N=200
USBRELAY=/opt/systest/bench/usbrelay
LCUS_REPORT_DESC="06 00 ff 09 01 a1 01 15 00 26 ff 00 75 08 95 08 09 01 81 02 95 08 09 01 91 02 c0"

group_setup() {
    load_module dummy_hcd num=1
    gadget_hid_create relay-a 0x5131 0x2007 RELAY-A USBRelay2 8 "$LCUS_REPORT_DESC" dummy_udc.0
    wait_for 30 hidraw_ready RELAY-A
}

# time_calls N CMD...: runs CMD N times; prints the mean in milliseconds; fails if any call fails.
time_calls() {
    _n=$1
    shift
    _start=$(now_ms)
    _i=0
    while [ $_i -lt "$_n" ]; do
        "$@" > /dev/null 2>&1 || fail "call $((_i + 1)) of '$*' failed"
        _i=$((_i + 1))
    done
    awk -v ms=$(($(now_ms) - _start)) -v n="$_n" 'BEGIN { printf "%.1f", ms / n }'
}

test_usbrelay_vs_kvmtool() {
    [ -x "$USBRELAY" ] || fail "no $USBRELAY (the build step did not run?)"
    hidg=$(gadget_hidg relay-a) || fail "no /dev/hidgN for the board"
    hidraw=$(hidraw_of_port "$(usb_port_of_serial RELAY-A)")
    # The gadget takes only a few reports until someone reads them: read them all, count the bytes.
    cat "$hidg" > "$SYSTEST_WORK/reports" &
    reader=$!
    # One untimed call each: the first run pays for loading the binary into the page cache.
    "$USBRELAY" 1 on > /dev/null || fail "the warm-up call of usbrelay failed"
    kvmtool relay 1 on > /dev/null || fail "the warm-up call of kvmtool failed"

    # What starting any static program costs in this guest, for scale.
    t_ms=$(time_calls "$BENCH_N" /bin/true) || fail "${t_ms#ASSERT: }"
    c_ms=$(time_calls "$BENCH_N" "$USBRELAY" 1 on) || fail "${c_ms#ASSERT: }"
    k_ms=$(time_calls "$BENCH_N" kvmtool relay 1 on) || fail "${k_ms#ASSERT: }"
    d_ms=$(time_calls "$BENCH_N" kvmtool relay 1 on --device "$hidraw") || fail "${d_ms#ASSERT: }"
    l_ms=$(time_calls "$BENCH_N" kvmtool-cli relay 1 on) || fail "${l_ms#ASSERT: }"
    s_ms=$(time_calls "$BENCH_N" kvmtool relay 1 status) || fail "${s_ms#ASSERT: }"
    usleep 500000
    kill "$reader"
    bytes=$(wc -c < "$SYSTEST_WORK/reports")
    note "$bytes bytes of reports arrived"
    [ "$bytes" -ge $(((4 * BENCH_N + 2) * 4)) ] ||
        fail "only $bytes bytes of reports arrived for $((4 * BENCH_N + 2)) calls"

    for line in "/bin/true (busybox, for scale): $t_ms ms per call" \
        "usbrelay 1 on (C reference): $c_ms ms per call" \
        "kvmtool relay 1 on: $k_ms ms per call" \
        "kvmtool relay 1 on --device $hidraw: $d_ms ms per call" \
        "kvmtool-cli relay 1 on: $l_ms ms per call" \
        "kvmtool relay 1 status: $s_ms ms per call"; do
        note "$line"
        echo "SYSTEST INFO bench: $line ($BENCH_N calls, TCG guest)" > /dev/console
    done
}
