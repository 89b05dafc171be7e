# shellcheck shell=sh
# The relay group: 'kvmtool relay' against LCUS-style USB HID relay boards (5131:2007).
#
# Each board is a configfs HID gadget on a dummy_hcd UDC, so it enumerates through usbcore/usbhid and gets a
# real USB parent (port path 1-1 or 2-1) and a /dev/hidrawN; what kvmtool writes arrives on the gadget's
# /dev/hidgN. Board A (serial RELAY-A) is always attached; board B (RELAY-B) is attached only for the tests
# that call use_boards 2.
#
# Reports: the gadget declares an 8-byte output report without report IDs (as an LCUS board does). The LCUS
# command is 4 bytes (A0, channel, state, sum). A write of those 4 bytes arrives as 4 bytes; an
# implementation may also pad the report to the declared 8 bytes. expect_report accepts both: the first four
# bytes must be the command and any bytes after them must be zero.
#
# systest-timeout: 400
# systest-test-timeout: 60

# shellcheck source=lib-usb.sh
. /systest/guest/lib-usb.sh

# Usage Page (vendor 0xff00), Usage 1, Collection (application): 8 bytes input, 8 bytes output, 0..255.
LCUS_REPORT_DESC="06 00 ff 09 01 a1 01 15 00 26 ff 00 75 08 95 08 09 01 81 02 95 08 09 01 91 02 c0"

group_setup() {
    load_module dummy_hcd num=2
    gadget_hid_create relay-a 0x5131 0x2007 RELAY-A USBRelay2 8 "$LCUS_REPORT_DESC" dummy_udc.0
    gadget_hid_create relay-b 0x5131 0x2007 RELAY-B USBRelay2 8 "$LCUS_REPORT_DESC"
    wait_for 30 hidraw_ready RELAY-A
}

setup() {
    # Every test starts with no relay state from the tests before it.
    rm -rf /run/kvmtool
}

group_teardown() {
    gadget_hid_remove relay-a
    gadget_hid_remove relay-b
}

# use_boards 1|2: attaches or detaches board B, waits until the attached boards have enumerated, drains
# their gadgets' report queues and sets PORT_A, HIDRAW_A, HIDG_A (and PORT_B, HIDRAW_B, HIDG_B).
use_boards() {
    if [ "$1" = 2 ]; then
        [ -n "$(cat "$GADGETS/relay-b/UDC")" ] || gadget_hid_bind relay-b dummy_udc.1
        wait_for 30 hidraw_ready RELAY-B
        PORT_B=$(usb_port_of_serial RELAY-B)
        HIDRAW_B=$(hidraw_of_port "$PORT_B")
        HIDG_B=$(gadget_hidg relay-b) || fail "board B has no /dev/hidgN"
        drain_reports "$HIDG_B"
        note "board B: port $PORT_B, $HIDRAW_B, gadget $HIDG_B"
    else
        [ -z "$(cat "$GADGETS/relay-b/UDC")" ] || gadget_hid_unbind relay-b
        wait_for 30 usb_gone RELAY-B
    fi
    wait_for 30 hidraw_ready RELAY-A
    PORT_A=$(usb_port_of_serial RELAY-A)
    HIDRAW_A=$(hidraw_of_port "$PORT_A")
    HIDG_A=$(gadget_hidg relay-a) || fail "board A has no /dev/hidgN"
    drain_reports "$HIDG_A"
    note "board A: port $PORT_A, $HIDRAW_A, gadget $HIDG_A"
}

# expect_report HIDG "a0 01 01 a2": the next report on the gadget is that command (zero padding allowed).
expect_report() {
    _got=$(read_report "$1" 10) || fail "no report arrived on $1 (expected $2)"
    note "report on $1: $_got"
    assert_eq "$2" "$(echo "$_got" | cut -d' ' -f1-4)" "report on $1"
    case "$(echo "$_got" | cut -d' ' -f5-)" in
        *[1-9a-f]*) fail "report on $1 is '$_got': the bytes after the fourth must be zero" ;;
    esac
}

expect_no_report() {
    if _got=$(read_report "$1" 0); then fail "unexpected report on $1: $_got"; fi
}

# A whole word of a text line: a port path such as 1-1 must not match inside 1-1.4.
word() {
    printf '(^|[[:space:]])%s([[:space:]]|$)' "$1"
}

# --- one board --------------------------------------------------------------------------------------------

test_list_shows_the_board() {
    use_boards 1
    assert_ok kvmtool relay list
    assert_eq 1 "$(count_lines "$OUT" '5131:2007')" "lines with 5131:2007 in 'relay list'"
    line=$(printf '%s\n' "$OUT" | grep '5131:2007')
    assert_match "$line" "$(word "$HIDRAW_A")" "the board's line"
    assert_match "$line" "$(word "$PORT_A")" "the board's line"
}

test_list_json() {
    use_boards 1
    assert_ok kvmtool relay list --json
    json=$(printf '%s' "$OUT" | tr -d '\n')
    assert_match "$json" '^[[:space:]]*\[.*\][[:space:]]*$' "'relay list --json' (a JSON array)"
    assert_match "$json" "\"device\"[[:space:]]*:[[:space:]]*\"$HIDRAW_A\"" "'relay list --json'"
    assert_match "$json" "\"usbPort\"[[:space:]]*:[[:space:]]*\"$PORT_A\"" "'relay list --json'"
    assert_match "$json" '"family"[[:space:]]*:[[:space:]]*"lcus"' "'relay list --json'"
    assert_match "$json" '"serial"[[:space:]]*:[[:space:]]*"RELAY-A"' "'relay list --json'"
    assert_match "$json" '"channels"[[:space:]]*:' "'relay list --json'"
    assert_match "$json" '5131' "'relay list --json' (the vendor id)"
    assert_eq 1 "$(printf '%s' "$json" | grep -o '"device"' | wc -l)" "objects in 'relay list --json'"
}

test_on_sends_a0_01_01_a2() {
    use_boards 1
    assert_ok kvmtool relay 1 on
    expect_report "$HIDG_A" "a0 01 01 a2"
    expect_no_report "$HIDG_A"
}

test_off_sends_a0_01_00_a1() {
    use_boards 1
    assert_ok kvmtool relay 1 off
    expect_report "$HIDG_A" "a0 01 00 a1"
    expect_no_report "$HIDG_A"
}

test_channel_2_on_sends_a0_02_01_a3() {
    use_boards 1
    assert_ok kvmtool relay 2 on
    expect_report "$HIDG_A" "a0 02 01 a3"
    expect_no_report "$HIDG_A"
}

test_pulse_sends_on_then_off() {
    use_boards 1
    start=$(now_ms)
    assert_ok kvmtool relay 1 pulse --ms 200
    took=$(($(now_ms) - start))
    note "'relay 1 pulse --ms 200' took $took ms"
    expect_report "$HIDG_A" "a0 01 01 a2"
    expect_report "$HIDG_A" "a0 01 00 a1"
    expect_no_report "$HIDG_A"
    [ "$took" -ge 190 ] || fail "'relay 1 pulse --ms 200' returned after $took ms, before the pulse could end"
}

test_status_is_on_after_on() {
    use_boards 1
    assert_ok kvmtool relay 1 on
    assert_status 0 kvmtool relay 1 status
    assert_eq on "$OUT" "'relay 1 status' after 'relay 1 on'"
    drain_reports "$HIDG_A"
}

test_status_is_off_after_off() {
    use_boards 1
    assert_ok kvmtool relay 1 on
    assert_ok kvmtool relay 1 off
    assert_status 1 kvmtool relay 1 status
    assert_eq off "$OUT" "'relay 1 status' after 'relay 1 off'"
    drain_reports "$HIDG_A"
}

test_state_lives_in_the_runtime_dir() {
    use_boards 1
    assert_ok env KVMTOOL_RUNTIME_DIR=/tmp/runtime-a kvmtool relay 1 on
    [ -n "$(ls -A /tmp/runtime-a 2>/dev/null)" ] || fail "KVMTOOL_RUNTIME_DIR=/tmp/runtime-a is empty after 'relay 1 on'"
    assert_status 0 env KVMTOOL_RUNTIME_DIR=/tmp/runtime-a kvmtool relay 1 status
    assert_eq on "$OUT" "'relay 1 status' with the same runtime dir"
    assert_status 1 env KVMTOOL_RUNTIME_DIR=/tmp/runtime-b kvmtool relay 1 status
    assert_not_contains "$OUT" "on" "'relay 1 status' with another runtime dir"
    drain_reports "$HIDG_A"
}

test_unknown_serial_is_not_found() {
    use_boards 1
    assert_status 3 kvmtool relay 1 on --serial NOPE
    expect_no_report "$HIDG_A"
}

test_unknown_device_is_not_found() {
    use_boards 1
    assert_status 3 kvmtool relay 1 on --device /dev/hidraw99
    expect_no_report "$HIDG_A"
}

test_unknown_action_is_a_usage_error() {
    use_boards 1
    assert_status 2 kvmtool relay 1 sideways
    expect_no_report "$HIDG_A"
}

test_permission_denied_exits_4() {
    use_boards 1
    # As nobody: the hidraw node is root's (0600), the runtime dir is open to all so only the node is refused.
    mkdir -p /tmp/runtime-nobody && chmod 1777 /tmp/runtime-nobody
    chmod 0600 "$HIDRAW_A"
    assert_status 4 su -p -s /bin/sh nobody -c \
        "KVMTOOL_RUNTIME_DIR=/tmp/runtime-nobody kvmtool relay 1 on --device $HIDRAW_A"
    expect_no_report "$HIDG_A"
}

# --- two boards -------------------------------------------------------------------------------------------

test_list_shows_two_boards() {
    use_boards 2
    assert_ok kvmtool relay list
    assert_eq 2 "$(count_lines "$OUT" '5131:2007')" "lines with 5131:2007 in 'relay list'"
    line=$(printf '%s\n' "$OUT" | grep -E "$(word "$HIDRAW_A")")
    assert_match "$line" "$(word "$PORT_A")" "the line of $HIDRAW_A in 'relay list'"
    line=$(printf '%s\n' "$OUT" | grep -E "$(word "$HIDRAW_B")")
    assert_match "$line" "$(word "$PORT_B")" "the line of $HIDRAW_B in 'relay list'"
}

test_two_boards_without_selector_is_ambiguous() {
    use_boards 2
    assert_status 2 kvmtool relay 1 on
    all="$OUT
$ERR"
    # Each board must be named: by its node, its serial or its port path.
    for board in "$HIDRAW_A RELAY-A $PORT_A" "$HIDRAW_B RELAY-B $PORT_B"; do
        # shellcheck disable=SC2086 # node, serial and port as $1 $2 $3
        set -- $board
        printf '%s\n' "$all" | grep -qE "$1([^0-9]|\$)|$2|(^|[^0-9.])$3([^0-9.]|\$)" ||
            fail "the message does not name the board $board"
    done
    expect_no_report "$HIDG_A"
    expect_no_report "$HIDG_B"
}

test_serial_selects_the_second_board() {
    use_boards 2
    assert_ok kvmtool relay 1 on --serial RELAY-B
    expect_report "$HIDG_B" "a0 01 01 a2"
    expect_no_report "$HIDG_A"
}

test_usb_port_selects_the_first_board() {
    use_boards 2
    assert_ok kvmtool relay 2 on --usb-port "$PORT_A"
    expect_report "$HIDG_A" "a0 02 01 a3"
    expect_no_report "$HIDG_B"
}

test_device_selects_the_board() {
    use_boards 2
    assert_ok kvmtool relay 1 off --device "$HIDRAW_B"
    expect_report "$HIDG_B" "a0 01 00 a1"
    expect_no_report "$HIDG_A"
    assert_ok kvmtool relay 1 on --device "$HIDRAW_A"
    expect_report "$HIDG_A" "a0 01 01 a2"
    expect_no_report "$HIDG_B"
}

test_usb_port_still_selects_after_reenumeration() {
    use_boards 2
    before=$HIDRAW_A
    # Holding the old node open keeps its minor taken, so the board comes back under another hidraw name.
    exec 3< "$before"
    echo 0 > "/sys/bus/usb/devices/$PORT_A/authorized"
    wait_for 30 sh -c "! [ -e /sys/bus/usb/devices/$PORT_A/$PORT_A:1.0 ]"
    echo 1 > "/sys/bus/usb/devices/$PORT_A/authorized"
    wait_for 30 hidraw_ready RELAY-A
    exec 3<&-
    HIDRAW_A=$(hidraw_of_port "$PORT_A")
    note "board A came back as $HIDRAW_A (was $before)"
    [ "$HIDRAW_A" != "$before" ] || fail "board A came back under the same name $before"
    drain_reports "$HIDG_A"
    assert_ok kvmtool relay 1 on --usb-port "$PORT_A"
    expect_report "$HIDG_A" "a0 01 01 a2"
    expect_no_report "$HIDG_B"
}

# kvmd polls 'relay N status': the kvmtool executable answers it itself from sysfs and the state file, without
# kvmtool-cli. A copy of kvmtool alone in a directory can only answer through that quick path.
test_status_is_answered_without_kvmtool_cli() {
    use_boards 2
    assert_ok kvmtool relay 1 on --serial RELAY-B
    assert_ok kvmtool relay 1 off --serial RELAY-A
    mkdir -p /tmp/alone && cp /opt/kvmtool/kvmtool /tmp/alone/
    assert_status 0 /tmp/alone/kvmtool relay 1 status --serial RELAY-B
    assert_eq on "$OUT" "quick 'relay 1 status' of board B"
    assert_status 1 /tmp/alone/kvmtool relay 1 status --usb-port "$PORT_A"
    assert_eq off "$OUT" "quick 'relay 1 status' of board A"
    assert_status 0 /tmp/alone/kvmtool relay 1 status --device "$HIDRAW_B"
    assert_eq on "$OUT" "quick 'relay 1 status' by device"
    # Two boards and no selector is an error only kvmtool-cli explains: the copy cannot run it (exit 70).
    assert_status 70 /tmp/alone/kvmtool relay 1 status
    assert_status 2 kvmtool relay 1 status
    drain_reports "$HIDG_A"
    drain_reports "$HIDG_B"
}

test_quick_status_is_unknown_after_a_replug() {
    use_boards 1
    assert_ok kvmtool relay 1 on
    assert_status 0 kvmtool relay 1 status
    # Unplugging the gadget and plugging it back enumerates it afresh, under a new device number.
    gadget_hid_unbind relay-a
    wait_for 30 usb_gone RELAY-A
    gadget_hid_bind relay-a dummy_udc.0
    wait_for 30 hidraw_ready RELAY-A
    mkdir -p /tmp/alone && cp /opt/kvmtool/kvmtool /tmp/alone/
    assert_status 1 /tmp/alone/kvmtool relay 1 status
    assert_eq unknown "$OUT" "quick 'relay 1 status' after a re-plug"
    assert_status 1 kvmtool-cli relay 1 status
    assert_eq unknown "$OUT" "'kvmtool-cli relay 1 status' after a re-plug"
    drain_reports "$(gadget_hidg relay-a)"
}
