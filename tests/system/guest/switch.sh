# shellcheck shell=sh
# The switch group: 'kvmtool switch' on a relay-button switch, the seed's build. The relay is an LCUS board
# (5131:2007) made of a configfs HID gadget on dummy_hcd, so it enumerates through usbcore/usbhid and gets a
# real port path and /dev/hidrawN; every relay command kvmtool writes arrives on the gadget's /dev/hidgN.
# A press of the HDMI switch's button is the contact closing and opening: a0 01 01 a2, then a0 01 00 a1.
#
# systest-timeout: 400
# systest-test-timeout: 60

# shellcheck source=lib-usb.sh
. /systest/guest/lib-usb.sh

# Usage Page (vendor 0xff00), Usage 1, Collection (application): 8 bytes input, 8 bytes output, 0..255.
LCUS_REPORT_DESC="06 00 ff 09 01 a1 01 15 00 26 ff 00 75 08 95 08 09 01 81 02 95 08 09 01 91 02 c0"
ON="a0 01 01 a2"
OFF="a0 01 00 a1"

group_setup() {
    load_module dummy_hcd num=1
    gadget_hid_create switch-relay 0x5131 0x2007 SWITCH-RELAY USBRelay2 8 "$LCUS_REPORT_DESC" dummy_udc.0
    wait_for 30 hidraw_ready SWITCH-RELAY
    port=$(usb_port_of_serial SWITCH-RELAY) || fail "the relay gadget did not enumerate"
    keep_state PORT "$port"
    keep_state HIDRAW "$(hidraw_of_port "$port")"
    keep_state HIDG "$(gadget_hidg switch-relay)"
    mkdir -p /etc/kvmtool
    cat > /etc/kvmtool/kvmtool.yaml <<EOF
relays:
  hdmi-button:
    usb-port: "$port"
    channel: 1
    channels: 2
switches:
  main:
    backend: relay-button
    ports: 3
    port-names: [pc1, pc2, nas]
    relay: hdmi-button
    press-ms: 60
    gap-ms: 60
EOF
}

setup() {
    # Every test starts as after a boot: no state, nothing queued on the gadget.
    rm -rf /run/kvmtool
    drain_reports "$HIDG"
}

group_teardown() {
    gadget_hid_remove switch-relay
}

# read_presses N: reads N presses (2N reports) from the gadget and fails unless they are whole presses.
read_presses() {
    _i=0
    while [ "$_i" -lt "$1" ]; do
        _on=$(read_report "$HIDG" 10) || fail "press $((_i + 1)) of $1: no report"
        _off=$(read_report "$HIDG" 10) || fail "press $((_i + 1)) of $1: the contact never opened"
        assert_eq "$ON" "$(echo "$_on" | cut -d' ' -f1-4)" "press $((_i + 1)): closing"
        assert_eq "$OFF" "$(echo "$_off" | cut -d' ' -f1-4)" "press $((_i + 1)): opening"
        _i=$((_i + 1))
    done
}

expect_no_report() {
    if _got=$(read_report "$HIDG" 0); then fail "unexpected report on $HIDG: $_got"; fi
}

json_int() { # json_int TEXT KEY
    printf '%s' "$1" | tr -d '\n ' | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

test_after_boot_the_input_is_unknown_and_select_is_refused() {
    assert_status 1 kvmtool switch 2
    assert_contains "$ERR" "kvmtool switch sync N"
    expect_no_report
    assert_status 1 kvmtool switch is 1
    assert_eq unknown "$OUT" "'switch is 1' after boot"
}

test_sync_then_select_presses_twice_for_one_to_three() {
    assert_ok kvmtool switch sync 1
    start=$(now_ms)
    assert_ok kvmtool switch nas
    took=$(($(now_ms) - start))
    note "'switch nas' took $took ms"
    assert_contains "$OUT" "input 3 (nas), 2 presses from input 1 (pc1)"
    read_presses 2
    expect_no_report
    # Two presses of 60 ms with a 60 ms gap between them.
    [ "$took" -ge 170 ] || fail "'switch nas' returned after $took ms, before two presses could end"
    assert_status 0 kvmtool switch is 3
    assert_eq active "$OUT"
    assert_status 1 kvmtool switch is pc1
    assert_ok kvmtool switch status --json
    assert_eq 3 "$(json_int "$OUT" port)" "'switch status --json' port"
    assert_contains "$OUT" '"known": "counted"'
    # Wrapping: 3 -> 1 -> 2.
    assert_ok kvmtool switch 2
    read_presses 2
    expect_no_report
}

test_is_and_status_do_no_device_io() {
    assert_ok kvmtool switch sync 2
    mkdir -p /tmp/runtime-nobody && chmod 1777 /tmp/runtime-nobody
    cp -a /run/kvmtool/. /tmp/runtime-nobody/
    chmod 0600 "$HIDRAW"
    # nobody cannot open the relay's node, and does not need to.
    assert_status 0 su -p -s /bin/sh nobody -c "KVMTOOL_RUNTIME_DIR=/tmp/runtime-nobody kvmtool switch is 2"
    assert_status 0 su -p -s /bin/sh nobody -c "KVMTOOL_RUNTIME_DIR=/tmp/runtime-nobody kvmtool switch status"
    assert_contains "$OUT" "input 2 (pc2)"
    expect_no_report
}

test_next_works_from_an_unknown_input() {
    assert_ok kvmtool switch next
    assert_contains "$OUT" "still unknown"
    read_presses 1
    expect_no_report
}

test_dry_run_sends_nothing() {
    assert_ok kvmtool switch sync 2
    assert_ok kvmtool switch 1 --dry-run
    assert_contains "$OUT" "would press 2 times"
    expect_no_report
    assert_status 0 kvmtool switch is 2
}

test_concurrent_selects_send_whole_presses_and_the_state_matches() {
    assert_ok kvmtool switch sync 1
    # A real relay board takes each report at once; the gadget queues only a few, so read them as they come.
    rm -f /tmp/switch-run-*.json /tmp/stop-reader /tmp/reports.txt
    (while [ ! -e /tmp/stop-reader ]; do r=$(read_report "$HIDG" 1) && echo "$r"; done) > /tmp/reports.txt &
    reader=$!
    pids=
    i=0
    for target in 2 3 2 3; do
        i=$((i + 1))
        kvmtool switch "$target" --json > "/tmp/switch-run-$i.json" 2>&1 &
        pids="$pids $!"
    done
    for pid in $pids; do
        wait "$pid" || note "a 'kvmtool switch' exited with status $?"
    done
    presses=0
    for f in /tmp/switch-run-*.json; do
        note "$f: $(tr -d '\n' < "$f")"
        n=$(json_int "$(cat "$f")" presses)
        [ -n "$n" ] || { touch /tmp/stop-reader; wait "$reader"; fail "no presses count in $f"; }
        presses=$((presses + n))
    done
    # Until every press has arrived (at most 20 s), and half a second more for any report too many.
    waited=0
    while [ "$(wc -l < /tmp/reports.txt)" -lt $((presses * 2)) ] && [ $waited -lt 200 ]; do
        usleep 100000
        waited=$((waited + 1))
    done
    usleep 500000
    touch /tmp/stop-reader
    wait "$reader"
    note "reports: $(tr '\n' '|' < /tmp/reports.txt)"
    assert_eq $((presses * 2)) "$(wc -l < /tmp/reports.txt)" "reports for $presses presses"
    # Whole presses: closing, opening, closing, opening ... never two closings in a row.
    n=0
    while read -r line; do
        if [ $((n % 2)) = 0 ]; then want=$ON; else want=$OFF; fi
        assert_eq "$want" "$(echo "$line" | cut -d' ' -f1-4)" "report $((n + 1))"
        n=$((n + 1))
    done < /tmp/reports.txt
    # The switch's MCU, starting at 1, went one input further per press.
    expected=$(( (presses % 3) + 1 ))
    assert_ok kvmtool switch status --json
    assert_eq "$expected" "$(json_int "$OUT" port)" "the input after $presses presses from 1"
}

test_a_relay_pulse_and_a_switch_share_the_board_lock() {
    assert_ok kvmtool switch sync 1
    kvmtool relay hdmi-button pulse --ms 1000 > /dev/null 2>&1 &
    usleep 200000
    assert_ok kvmtool switch next
    wait
    # The pulse first, whole, then the switch's press: never two closings in a row.
    read_presses 2
    expect_no_report
    assert_status 0 kvmtool switch is 2
}

test_a_missing_board_presses_nothing_and_sync_still_works() {
    assert_ok kvmtool switch sync 1
    # The board is unplugged: 'switch 3' finds no board, presses nothing, and the input stays known.
    gadget_hid_unbind switch-relay
    wait_for 30 usb_gone SWITCH-RELAY
    assert_status 3 kvmtool switch 3
    assert_status 0 kvmtool switch is 1
    gadget_hid_bind switch-relay dummy_udc.0
    wait_for 30 hidraw_ready SWITCH-RELAY
    drain_reports "$HIDG"
    # A sync works with or without the board.
    assert_ok kvmtool switch sync 2
    assert_status 0 kvmtool switch is 2
}
