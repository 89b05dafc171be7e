# shellcheck shell=sh
# The watchdog group: 'kvmtool watchdog' on a real kernel.
#
# The "capture dongle" the watchdog looks after is QEMU's usb-kbd (0627:0001) behind qemu-xhci: a real USB device
# whose 'authorized' file a test can clear, which is what the usb check reads. The power relay is an LCUS board
# made of a configfs HID gadget on dummy_hcd (as in the relay group); every relay command kvmtool writes arrives
# on the gadget's /dev/hidgN. A test that "wires" the relay to the dongle re-authorizes the keyboard when the
# relay gives the power back (a0 01 00 a1), as a dongle that was power-cycled comes back. The video check runs
# against vivid (the kernel's virtual video driver) when the kernel has it. A CH9329 simulator on the host
# (tests/Ch9329Sim, behind QEMU's usb-serial) is the keyboard/mouse chip for the watchdog's CH9329 check; a
# second one is silent (a wedged chip).
#
# systest-timeout: 420
# systest-test-timeout: 90
# systest-modules: vivid
# systest-share: yes
# systest-build: tests/system/helpers/ch9329-sim.sh --build
# systest-qemu: -device qemu-xhci,id=xhci -device usb-kbd,bus=xhci.0
# systest-qemu: -chardev socket,id=chip,path=@RUNDIR@/chip.sock -device usb-serial,bus=xhci.0,chardev=chip,serial=SIM-CHIP
# systest-qemu: -chardev socket,id=wedged,path=@RUNDIR@/wedged.sock -device usb-serial,bus=xhci.0,chardev=wedged,serial=SIM-WEDGED
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/chip.sock --state @RUNDIR@/share/chip.json
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/wedged.sock --state @RUNDIR@/share/wedged.json --fault silent

# shellcheck source=lib-usb.sh
. /systest/guest/lib-usb.sh

# Usage Page (vendor 0xff00), Usage 1, Collection (application): 8 bytes input, 8 bytes output, 0..255.
LCUS_REPORT_DESC="06 00 ff 09 01 a1 01 15 00 26 ff 00 75 08 95 08 09 01 81 02 95 08 09 01 91 02 c0"
POWER_CUT="a0 01 01 a2"
POWER_BACK="a0 01 00 a1"
CONFIG=/tmp/watchdog/kvmtool.yaml
STATE=/var/lib/kvmtool/watchdog.json

group_setup() {
    load_module dummy_hcd num=1
    gadget_hid_create power-relay 0x5131 0x2007 POWER-RELAY USBRelay2 8 "$LCUS_REPORT_DESC" dummy_udc.0
    wait_for 30 hidraw_ready POWER-RELAY
    wait_for 30 usb_port_of_id 0627 0001
    keep_state KBD "$(usb_port_of_id 0627 0001)"
    keep_state RELAY_PORT "$(usb_port_of_serial POWER-RELAY)"
    keep_state HIDG "$(gadget_hidg power-relay)"
    note "keyboard at $KBD; power relay at $RELAY_PORT, gadget $HIDG"
    # The video node vivid makes, if the kernel has the module: one instance, a video capture node only.
    if modprobe vivid n_devs=1 node_types=0x1 2>/dev/null; then
        wait_for 10 vivid_node
        keep_state VIVID "$(vivid_node)"
        note "vivid's capture node: $VIVID"
    else
        keep_state VIVID ""
    fi
}

group_teardown() {
    gadget_hid_remove power-relay
}

setup() {
    rm -rf /run/kvmtool /var/lib/kvmtool /tmp/watchdog
    mkdir -p /tmp/watchdog
    echo 1 > "/sys/bus/usb/devices/$KBD/authorized"
    drain_reports "$HIDG"
}

teardown() {
    stop_wiring
    echo 1 > "/sys/bus/usb/devices/$KBD/authorized"
}

vivid_node() {
    for _v in /sys/class/video4linux/video*; do
        case "$(cat "$_v/name" 2>/dev/null)" in
            vivid*vid-cap*) [ -c "/dev/${_v##*/}" ] && { echo "/dev/${_v##*/}"; return 0; } ;;
        esac
    done
    return 1
}

# wd ARGS...: kvmtool with the test's configuration.
wd() {
    KVMTOOL_CONFIG=$CONFIG kvmtool "$@"
}

# config: kvmtool.yaml from stdin, with the power relay named capture-power.
config() {
    {
        echo "relays:"
        echo "  capture-power:"
        echo "    usb-port: \"$RELAY_PORT\""
        echo "    channel: 1"
        echo "    channels: 2"
        cat
    } > "$CONFIG"
    note "kvmtool.yaml: $(tr '\n' '|' < "$CONFIG")"
}

deauthorize() {
    echo 0 > "/sys/bus/usb/devices/$KBD/authorized"
    wait_for 10 sh -c "! [ -d /sys/bus/usb/devices/$KBD/$KBD:1.0 ]"
}

authorized() {
    cat "/sys/bus/usb/devices/$KBD/authorized"
}

state_sum() {
    if [ -e "$STATE" ]; then md5sum < "$STATE"; else echo "no state file"; fi
}

expect_no_report() {
    if _got=$(read_report "$HIDG" 0); then fail "unexpected report on the relay: $_got"; fi
}

# start_wiring restore|cut-only: records every relay report (with the time) in /tmp/watchdog/reports; with
# "restore", power coming back (a0 01 00 a1) re-authorizes the keyboard, as a power-cycled dongle comes back.
start_wiring() {
    rm -f /tmp/watchdog/stop-wiring /tmp/watchdog/reports
    (
        while [ ! -e /tmp/watchdog/stop-wiring ]; do
            r=$(read_report "$HIDG" 1) || continue
            echo "$(now_ms) $r" >> /tmp/watchdog/reports
            case "$r" in
                "$POWER_BACK"*) [ "$1" = restore ] && echo 1 > "/sys/bus/usb/devices/$KBD/authorized" ;;
            esac
        done
    ) &
    echo $! > /tmp/watchdog/wiring.pid
}

stop_wiring() {
    [ -e /tmp/watchdog/wiring.pid ] || return 0
    touch /tmp/watchdog/stop-wiring
    _w=0
    while kill -0 "$(cat /tmp/watchdog/wiring.pid)" 2>/dev/null && [ $_w -lt 30 ]; do
        usleep 100000
        _w=$((_w + 1))
    done
    rm -f /tmp/watchdog/wiring.pid
}

# reports: the relay reports the wiring saw, first four bytes each, one a line.
reports() {
    [ -e /tmp/watchdog/reports ] || return 0
    cut -d' ' -f2-5 /tmp/watchdog/reports
}

# --- the usb check ----------------------------------------------------------------------------------------

test_a_healthy_device_exits_0() {
    config <<EOF
watchdog:
  capture:
    id: "0627:0001"
    check-video: false
    ladder: []
EOF
    assert_status 0 wd watchdog --once
    assert_contains "$ERR" "check usb: ok" "the watchdog's log"
    assert_contains "$ERR" "$KBD" "the watchdog's log (the device's port)"
    assert_status 0 wd watchdog status
    assert_contains "$OUT" "capture: healthy" "'watchdog status'"
    assert_exists "$STATE"
}

test_a_deauthorized_device_is_still_failing() {
    config <<EOF
watchdog:
  capture:
    id: "0627:0001"
    check-video: false
    ladder: []
EOF
    deauthorize
    assert_status 11 wd watchdog --once
    assert_contains "$ERR" "not authorized" "the watchdog's log"
    assert_contains "$ERR" "no recovery step is configured" "the watchdog's log"
    assert_eq 0 "$(authorized)" "the keyboard's authorized (nothing may touch it)"
    assert_status 1 wd watchdog status
    assert_contains "$OUT" "failing since" "'watchdog status'"
    assert_contains "$OUT" "not authorized" "'watchdog status' (the last check)"
    assert_status 1 wd watchdog status --json
    assert_match "$(printf '%s' "$OUT" | tr -d '\n ')" '"lastOutcome":"still-failing"' "'watchdog status --json'"
}

test_a_missing_device_is_failing() {
    config <<EOF
watchdog:
  capture:
    id: "0627:0002"
    check-video: false
    ladder: []
EOF
    assert_status 11 wd watchdog --once
    assert_contains "$ERR" "is not on the USB bus" "the watchdog's log"
}

test_under_cron_the_log_also_goes_to_syslog() {
    config <<EOF
watchdog:
  capture:
    id: "0627:0001"
    check-video: false
EOF
    # busybox's syslogd makes /dev/log; standard error is a file here and JOURNAL_STREAM is unset, as under cron.
    rm -f /dev/log /tmp/watchdog/messages
    syslogd -n -O /tmp/watchdog/messages &
    syslog=$!
    wait_for 10 test -S /dev/log
    assert_status 0 env -u JOURNAL_STREAM KVMTOOL_CONFIG=$CONFIG kvmtool watchdog --once
    usleep 500000
    kill "$syslog"
    wait "$syslog" 2>/dev/null
    rm -f /dev/log
    messages=$(cat /tmp/watchdog/messages 2>/dev/null)
    note "syslog: $messages"
    assert_match "$messages" 'kvmtool\[[0-9]+\]: watchdog capture: check usb: ok' "syslog"
}

# --- the video check --------------------------------------------------------------------------------------

test_vivid_capture_node_checks_ok() {
    [ -n "$VIVID" ] || skip "the kernel has no vivid module"
    config <<EOF
watchdog:
  capture:
    check-usb: false
    video: $VIVID
    ladder: []
EOF
    assert_status 0 wd watchdog --once
    assert_contains "$ERR" "check video: ok" "the watchdog's log"
    assert_contains "$ERR" "vivid" "the watchdog's log (the driver)"
}

test_a_node_that_is_no_video_device_is_unknown() {
    config <<EOF
watchdog:
  capture:
    check-usb: false
    video: /dev/null
    ladder: []
EOF
    # Unknown is no failure: nothing is done, and a device that was healthy stays so.
    assert_status 0 wd watchdog --once
    assert_contains "$ERR" "check video: unknown" "the watchdog's log"
    assert_contains "$ERR" "not a V4L2 video device" "the watchdog's log"
    # A device recorded as failing is not called healthy by a check that cannot tell: held back, exit 12.
    config <<EOF
watchdog:
  capture:
    check-usb: false
    video: /dev/video99
    ladder: []
EOF
    assert_status 11 wd watchdog --once
    assert_contains "$ERR" "check video: failed" "the watchdog's log"
    config <<EOF
watchdog:
  capture:
    check-usb: false
    video: /dev/null
    ladder: []
EOF
    assert_status 12 wd watchdog --once
    assert_contains "$ERR" "no check can tell now" "the watchdog's log"
}

# --- relay-power ------------------------------------------------------------------------------------------

relay_power_config() {
    config <<EOF
watchdog:
  capture:
    id: "0627:0001"
    check-video: false
    ladder: [relay-power]
    power-relay: capture-power
    power-off-seconds: 1
  pause-seconds: 1
  cooldown-seconds: 300
EOF
}

test_dry_run_prints_the_plan_and_changes_nothing() {
    relay_power_config
    assert_status 0 wd watchdog --once
    deauthorize
    before=$(state_sum)
    assert_status 11 wd watchdog --dry-run
    assert_contains "$OUT" "check usb: failed" "'watchdog --dry-run'"
    assert_contains "$OUT" "would run relay-power on relay capture-power" "'watchdog --dry-run'"
    assert_eq "$before" "$(state_sum)" "the state file after --dry-run"
    expect_no_report
    assert_eq 0 "$(authorized)" "the keyboard's authorized after --dry-run"
}

test_relay_power_cycles_the_dongle_and_it_recovers() {
    relay_power_config
    deauthorize
    start_wiring restore
    assert_status 10 wd watchdog --once
    stop_wiring
    note "reports: $(tr '\n' '|' < /tmp/watchdog/reports)"
    assert_contains "$ERR" "relay-power on relay capture-power" "the watchdog's log"
    assert_contains "$ERR" "recovered by relay-power" "the watchdog's log"
    assert_eq "$POWER_CUT|$POWER_BACK|" "$(reports | tr '\n' '|')" "the relay reports (power cut, then back)"
    cut=$(sed -n 1p /tmp/watchdog/reports | cut -d' ' -f1)
    back=$(sed -n 2p /tmp/watchdog/reports | cut -d' ' -f1)
    [ $((back - cut)) -ge 800 ] || fail "the power was off for $((back - cut)) ms, not the 1 s of power-off-seconds"
    assert_eq 1 "$(authorized)" "the keyboard's authorized after the power came back"
    assert_status 0 wd watchdog status
    assert_contains "$OUT" "recoveries in the last hour: 1" "'watchdog status'"
    assert_contains "$OUT" "relay-power on relay capture-power: done" "'watchdog status'"
    # It wedges again at once: the cooldown holds the next recovery back, and the relay stays off.
    deauthorize
    assert_status 12 wd watchdog --once
    assert_contains "$ERR" "cooldown" "the watchdog's log"
    expect_no_report
}

test_relay_power_that_does_not_help_is_still_failing_then_held_back() {
    relay_power_config
    deauthorize
    start_wiring cut-only
    assert_status 11 wd watchdog --once
    stop_wiring
    assert_eq "$POWER_CUT|$POWER_BACK|" "$(reports | tr '\n' '|')" "the relay reports (power cut, then back)"
    assert_contains "$ERR" "relay-power: done" "the watchdog's log"
    assert_status 1 wd watchdog status
    assert_contains "$OUT" "recoveries in the last hour: 1" "'watchdog status'"
    assert_status 12 wd watchdog --once
    assert_contains "$ERR" "cooldown" "the watchdog's log"
    expect_no_report
    # 'watchdog reset' forgets the recovery; the next run climbs the ladder again.
    assert_ok wd watchdog reset capture
    start_wiring cut-only
    assert_status 11 wd watchdog --once
    stop_wiring
    assert_eq "$POWER_CUT|$POWER_BACK|" "$(reports | tr '\n' '|')" "the relay reports after 'watchdog reset'"
}

test_a_second_watchdog_is_busy() {
    config <<EOF
watchdog:
  capture:
    id: "0627:0001"
    check-video: false
    ladder: [relay-power]
    power-relay: capture-power
    power-off-seconds: 5
  pause-seconds: 1
EOF
    deauthorize
    start_wiring cut-only
    wd watchdog --once > /tmp/watchdog/first.out 2>&1 &
    first=$!
    # Wait until the first run is switching the relay: it holds the watchdog's lock.
    wait_for 20 test -s /tmp/watchdog/reports
    start=$(now_ms)
    assert_status 5 wd watchdog --once
    took=$(($(now_ms) - start))
    assert_contains "$ERR" "Another 'kvmtool watchdog' is running" "stderr"
    # It waits at most 1 s for the lock; the first run still has seconds of power-off time to go.
    [ "$took" -lt 4000 ] || fail "the second watchdog took $took ms to give up"
    wait "$first"
    note "the first run exited $?: $(cat /tmp/watchdog/first.out)"
    stop_wiring
    assert_eq "$POWER_CUT|$POWER_BACK|" "$(reports | tr '\n' '|')" "the relay reports (the first run's only)"
}

# --- the CH9329 -------------------------------------------------------------------------------------------

sim_tty() {
    _p=$(usb_port_of_serial "$1") && tty_of_port "$_p"
}

test_ch9329_that_answers_is_healthy() {
    wait_for 30 sim_tty SIM-CHIP
    tty=$(sim_tty SIM-CHIP)
    config <<EOF
ch9329:
  port: $tty
watchdog:
  ch9329: {}
  pause-seconds: 1
EOF
    assert_status 0 wd watchdog --once
    assert_contains "$ERR" "check ch9329: ok" "the watchdog's log"
    assert_contains "$ERR" "V1.1" "the watchdog's log"
}

test_a_wedged_ch9329_is_reset_and_still_failing() {
    wait_for 30 sim_tty SIM-WEDGED
    tty=$(sim_tty SIM-WEDGED)
    config <<EOF
ch9329:
  port: $tty
watchdog:
  ch9329: {}
  pause-seconds: 1
EOF
    assert_status 11 wd watchdog --once
    assert_contains "$ERR" "check ch9329: failed" "the watchdog's log"
    assert_contains "$ERR" "ch9329-reset" "the watchdog's log"
    assert_contains "$ERR" "ch9329-reset: failed" "the watchdog's log"
    assert_status 1 wd watchdog status
}

# --- USB recovery steps (only when this build has them) -----------------------------------------------------

test_usb_reset_and_authorize_bring_a_deauthorized_device_back() {
    # An unknown command's --help prints the root help: only a "Usage: kvmtool usb" says the command exists.
    run kvmtool usb --help
    usage=$(printf '%s\n' "$OUT" | sed -n '/^Usage:/{n;p;q;}')
    case "$usage" in
        *"kvmtool usb"*) ;;
        *) skip "this build has no 'kvmtool usb'" ;;
    esac
    config <<EOF
watchdog:
  capture:
    id: "0627:0001"
    check-video: false
    ladder: [usb-reset, authorize]
  pause-seconds: 1
  cooldown-seconds: 0
EOF
    run wd watchdog --dry-run
    case "$OUT$ERR" in
        *"not available in this build"*) skip "this build's watchdog has no USB recovery steps" ;;
    esac
    deauthorize
    runs=0
    rc=11
    while [ "$rc" = 11 ]; do
        runs=$((runs + 1))
        [ $runs -le 2 ] || fail "the device was still failing after both steps of the ladder"
        run wd watchdog --once
        rc=$RC
        case "$rc" in
            10|11) ;;
            *) fail "'watchdog --once' (run $runs) exited $rc, expected 10 (recovered) or 11 (still failing)" ;;
        esac
        [ $runs = 1 ] && assert_contains "$ERR" "usb-reset" "the first run's log"
    done
    note "recovered after $runs run(s)"
    assert_eq 1 "$(authorized)" "the keyboard's authorized after the recovery"
    assert_status 0 wd watchdog --once
}
