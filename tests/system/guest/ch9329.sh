# shellcheck shell=sh
# The ch9329 group: 'kvmtool ch9329' against simulated CH9329 chips on real USB serial ports.
#
# Each chip is a ch9329-sim process on the host (tests/Ch9329Sim: the unit tests' protocol-faithful simulator
# on a unix socket) behind one of QEMU's usb-serial devices (an FTDI 0403:6001 on qemu-xhci; ftdi_sio makes it
# a /dev/ttyUSBn in the guest). Every simulator has its own fault and its own USB serial number (SIM-NAME), so
# a test finds its chip's tty through sysfs, whatever name the kernel gave it. A socket has no line speed: the
# simulator hears every rate, so a rate change is checked in the simulator's state, not by talking at it.
#
# Each simulator keeps its state (resets, frames, commands, the active baud rate) in the host's share
# directory, which the guest reads live at /host (systest-share), so a test can check what the chip saw.
#
# systest-timeout: 420
# systest-test-timeout: 90
# systest-share: yes
# systest-build: tests/system/helpers/ch9329-sim.sh --build
# systest-qemu: -device qemu-xhci,id=xhci,p2=12
# systest-qemu: -chardev socket,id=main,path=@RUNDIR@/main.sock -device usb-serial,bus=xhci.0,chardev=main,serial=SIM-MAIN
# systest-qemu: -chardev socket,id=config,path=@RUNDIR@/config.sock -device usb-serial,bus=xhci.0,chardev=config,serial=SIM-CONFIG
# systest-qemu: -chardev socket,id=notenum,path=@RUNDIR@/notenum.sock -device usb-serial,bus=xhci.0,chardev=notenum,serial=SIM-NOTENUM
# systest-qemu: -chardev socket,id=silent,path=@RUNDIR@/silent.sock -device usb-serial,bus=xhci.0,chardev=silent,serial=SIM-SILENT
# systest-qemu: -chardev socket,id=dead,path=@RUNDIR@/dead.sock -device usb-serial,bus=xhci.0,chardev=dead,serial=SIM-DEAD
# systest-qemu: -chardev socket,id=ignore,path=@RUNDIR@/ignore.sock -device usb-serial,bus=xhci.0,chardev=ignore,serial=SIM-IGNORE
# systest-qemu: -chardev socket,id=garbage,path=@RUNDIR@/garbage.sock -device usb-serial,bus=xhci.0,chardev=garbage,serial=SIM-GARBAGE
# systest-qemu: -chardev socket,id=split,path=@RUNDIR@/split.sock -device usb-serial,bus=xhci.0,chardev=split,serial=SIM-SPLIT
# systest-qemu: -chardev socket,id=foreign,path=@RUNDIR@/foreign.sock -device usb-serial,bus=xhci.0,chardev=foreign,serial=SIM-FOREIGN
# systest-qemu: -chardev socket,id=chatter,path=@RUNDIR@/chatter.sock -device usb-serial,bus=xhci.0,chardev=chatter,serial=SIM-CHATTER
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/main.sock --state @RUNDIR@/share/main.json
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/config.sock --state @RUNDIR@/share/config.json
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/notenum.sock --state @RUNDIR@/share/notenum.json --not-enumerated
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/silent.sock --state @RUNDIR@/share/silent.json --fault silent
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/dead.sock --state @RUNDIR@/share/dead.json --fault dead-after-reset
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/ignore.sock --state @RUNDIR@/share/ignore.json --fault ignore-resets=1000
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/garbage.sock --state @RUNDIR@/share/garbage.json --fault garbage
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/split.sock --state @RUNDIR@/share/split.json --fault split
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/foreign.sock --state @RUNDIR@/share/foreign.json --fault foreign
# systest-helper: tests/system/helpers/ch9329-sim.sh --listen @RUNDIR@/chatter.sock --state @RUNDIR@/share/chatter.json --fault chatter

# shellcheck source=lib-usb.sh
. /systest/guest/lib-usb.sh

SIMS="main config notenum silent dead ignore garbage split foreign chatter"

# sim_port NAME: the USB port path of simulator NAME's usb-serial device (serial SIM-NAME, upper case).
sim_port() {
    usb_port_of_serial "SIM-$(echo "$1" | tr '[:lower:]' '[:upper:]')"
}

# sim_tty NAME: the /dev/ttyUSBn of simulator NAME's usb-serial device, as sysfs shows it now.
sim_tty() {
    _p=$(sim_port "$1") && tty_of_port "$_p"
}

sim_ready() {
    sim_tty "$1" > /dev/null && [ -s "/host/$1.json" ]
}

# sim_state NAME: the simulator's state file, on one line.
sim_state() {
    tr -d '\n' < "/host/$1.json"
}

# sim_field NAME KEY: a number or true/false from the simulator's state.
sim_field() {
    sim_state "$1" | sed -n "s/.*\"$2\":\([0-9a-z]*\).*/\1/p"
}

sim_field_is() {
    [ "$(sim_field "$1" "$2")" = "$3" ]
}

# expect_sim NAME KEY VALUE [WHAT]: the simulator's state reaches KEY=VALUE within 5 s (it is written every 0.1 s).
expect_sim() {
    _i=0
    while ! sim_field_is "$1" "$2" "$3"; do
        _i=$((_i + 1))
        [ $_i -ge 50 ] && fail "${4:-the simulator $1}: $2 is $(sim_field "$1" "$2"), expected $3 (state: $(sim_state "$1"))"
        usleep 100000
    done
    note "simulator $1: $2 = $3"
}

# The commands (hex, e.g. "01 0f 01") that the simulator understood, in order.
sim_commands() {
    sim_state "$1" | sed -n 's/.*"commands":\[\([^]]*\)\].*/\1/p' | tr -d '"' | tr ',' ' '
}

# json_field TEXT KEY: the value of "KEY": in pretty-printed JSON (quotes removed).
json_field() {
    printf '%s\n' "$1" | sed -n "s/^ *\"$2\": *\"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" | head -n 1
}

# took_less_than START_MS SECONDS WHAT: fails when more than SECONDS passed since START_MS.
took_less_than() {
    _took=$(($(now_ms) - $1))
    note "$3 took $_took ms"
    [ "$_took" -lt $(($2 * 1000)) ] || fail "$3 took $_took ms, more than ${2} s"
}

group_setup() {
    grep -q " /host " /proc/mounts || fail "the host's share directory is not mounted at /host"
    for sim in $SIMS; do
        wait_for 60 sim_ready "$sim"
    done
    for sim in $SIMS; do
        note "simulator $sim: port $(sim_port "$sim"), $(sim_tty "$sim")"
    done
}

setup() {
    rm -rf /run/kvmtool
}

# --- a healthy chip ---------------------------------------------------------------------------------------

test_info_reports_the_version() {
    tty=$(sim_tty main)
    before=$(sim_field main frames)
    assert_ok kvmtool ch9329 info --port "$tty"
    assert_contains "$OUT" "V1.1" "'ch9329 info'"
    assert_contains "$OUT" "$tty" "'ch9329 info'"
    assert_contains "$OUT" "target computer: enumerated" "'ch9329 info'"
    # The request went through the guest's USB serial port to the simulator on the host.
    [ "$(sim_field main frames)" -gt "$before" ] || usleep 300000
    [ "$(sim_field main frames)" -gt "$before" ] || fail "the simulator saw no frame (state: $(sim_state main))"
    assert_contains " $(sim_commands main) " " 01 " "the simulator's commands"
}

test_info_json() {
    tty=$(sim_tty main)
    assert_ok kvmtool ch9329 info --port "$tty" --json
    assert_match "$(printf '%s' "$OUT" | tr -d '\n')" '^[[:space:]]*\{.*\}[[:space:]]*$' "'ch9329 info --json' (a JSON object)"
    assert_eq "V1.1" "$(json_field "$OUT" version)" "version"
    assert_eq 49 "$(json_field "$OUT" versionByte)" "versionByte"
    assert_eq true "$(json_field "$OUT" usbEnumerated)" "usbEnumerated"
    assert_eq 9600 "$(json_field "$OUT" baud)" "baud"
    assert_eq "0x00" "$(json_field "$OUT" address)" "address"
    assert_eq "$tty" "$(json_field "$OUT" port)" "port"
    assert_eq false "$(json_field "$OUT" capsLock)" "capsLock"
}

test_the_port_settings_are_put_back() {
    tty=$(sim_tty main)
    stty -F "$tty" 19200 -raw echo || fail "stty -F $tty failed"
    before=$(stty -F "$tty" -g)
    assert_ok kvmtool ch9329 info --port "$tty" --baud 9600
    assert_eq "$before" "$(stty -F "$tty" -g)" "the terminal settings of $tty after 'ch9329 info' (stty -g)"
    assert_eq 19200 "$(stty -F "$tty" speed)" "the line speed of $tty after 'ch9329 info --baud 9600'"
}

test_without_port_and_no_ch340_is_not_found() {
    # The FTDI ports are no CH340, and there is no /dev/kvmd-hid: kvmtool must not guess.
    assert_status 3 kvmtool ch9329 info
    assert_contains "$ERR" "No CH9329 serial port found" "stderr"
    assert_contains "$ERR" "0403:6001" "stderr (the USB serial ports attached)"
    assert_contains "$ERR" "--port" "stderr (the fix)"
}

test_permission_denied_names_the_tty() {
    tty=$(sim_tty main)
    note "$(ls -l "$tty")"
    mode=$(stat -c %a "$tty")
    [ "$((0$mode & 6))" = 0 ] || fail "$tty has mode $mode: others can open it, the test needs the devtmpfs default"
    mkdir -p /tmp/runtime-nobody && chmod 1777 /tmp/runtime-nobody
    before=$(sim_field main frames)
    assert_status 4 su -p -s /bin/sh nobody -c "KVMTOOL_RUNTIME_DIR=/tmp/runtime-nobody kvmtool ch9329 info --port $tty"
    assert_contains "$ERR" "$tty" "stderr"
    usleep 300000
    assert_eq "$before" "$(sim_field main frames)" "frames the simulator saw (nothing may be sent)"
}

# --- a chip that was not enumerated by the target ---------------------------------------------------------

test_not_enumerated_then_reset() {
    tty=$(sim_tty notenum)
    assert_ok kvmtool ch9329 info --port "$tty"
    assert_contains "$OUT" "not enumerated" "'ch9329 info'"
    assert_ok kvmtool ch9329 info --port "$tty" --json
    assert_eq false "$(json_field "$OUT" usbEnumerated)" "usbEnumerated"
    assert_ok kvmtool ch9329 reset --port "$tty"
    assert_contains "$OUT" "acknowledged RESET and answered again" "'ch9329 reset'"
    expect_sim notenum resets 1
    expect_sim notenum usbEnumerated true
    assert_ok kvmtool ch9329 info --port "$tty"
    assert_contains "$OUT" "target computer: enumerated" "'ch9329 info' after the reset"
}

# --- configuration ----------------------------------------------------------------------------------------

test_config_set_115200_then_factory_reset() {
    tty=$(sim_tty config)
    assert_ok kvmtool ch9329 config set --baud 115200 --port "$tty"
    assert_contains "$OUT" "115200" "'ch9329 config set'"
    expect_sim config activeBaud 115200 "the simulator after 'config set --baud 115200'"
    expect_sim config resets 1
    assert_ok kvmtool ch9329 info --baud 115200 --port "$tty"
    assert_contains "$OUT" "115200 baud" "'ch9329 info --baud 115200'"
    assert_ok kvmtool ch9329 config get --baud 115200 --port "$tty" --json
    assert_eq 115200 "$(json_field "$OUT" baudRate)" "'config get --json' baudRate"
    assert_ok kvmtool ch9329 factory-reset --yes --baud 115200 --port "$tty"
    assert_contains "$OUT" "9600 baud" "'ch9329 factory-reset'"
    expect_sim config activeBaud 9600 "the simulator after 'factory-reset'"
    expect_sim config resets 2
    assert_contains " $(sim_commands config) " " 0c " "the simulator's commands (SET_DEFAULT_CFG)"
    assert_ok kvmtool ch9329 info --port "$tty"
    assert_contains "$OUT" "9600 baud" "'ch9329 info' at 9600"
}

# --- faults -----------------------------------------------------------------------------------------------

test_silent_chip_times_out() {
    tty=$(sim_tty silent)
    start=$(now_ms)
    assert_status 5 kvmtool ch9329 info --port "$tty"
    took_less_than "$start" 10 "'ch9329 info' on a silent chip"
    assert_contains "$ERR" "did not answer" "stderr"
    start=$(now_ms)
    assert_status 5 kvmtool ch9329 reset --attempts 2 --timeout 1 --port "$tty"
    # Two attempts: RESET (up to 3 tries of 0.5 s) and a pause of 0.5 s between them.
    took_less_than "$start" 15 "'ch9329 reset --attempts 2 --timeout 1' on a silent chip"
    assert_contains "$ERR" "did not come back after RESET (2 attempts)" "stderr"
}

test_dead_after_reset_times_out() {
    tty=$(sim_tty dead)
    start=$(now_ms)
    assert_status 5 kvmtool ch9329 reset --attempts 1 --timeout 1 --port "$tty"
    took_less_than "$start" 10 "'ch9329 reset --attempts 1 --timeout 1' on a chip that dies after RESET"
    assert_contains "$ERR" "acknowledged RESET but did not answer" "stderr"
    expect_sim dead resets 1
}

test_ignored_resets_fail_within_the_timeout() {
    tty=$(sim_tty ignore)
    start=$(now_ms)
    assert_status 5 kvmtool ch9329 reset --port "$tty"
    # Three attempts of RESET (up to 3 tries of 0.5 s each) and pauses of 0.5 s and 1 s: far below the 35 s budget.
    took_less_than "$start" 25 "'ch9329 reset' on a chip that ignores RESET"
    assert_contains "$ERR" "no acknowledgement of RESET" "stderr"
    expect_sim ignore resets 0
    # The chip itself is alive: only its resets are lost.
    assert_ok kvmtool ch9329 info --port "$tty"
}

# noise_case NAME: info and reset work through the simulator's line noise.
noise_case() {
    tty=$(sim_tty "$1")
    assert_ok kvmtool ch9329 info --port "$tty"
    assert_contains "$OUT" "V1.1" "'ch9329 info' with fault $1"
    assert_ok kvmtool ch9329 reset --port "$tty"
    assert_contains "$OUT" "answered again" "'ch9329 reset' with fault $1"
    expect_sim "$1" resets 1
}

test_garbage_before_replies() {
    noise_case garbage
}

test_replies_split_into_pieces() {
    noise_case split
}

test_foreign_frames_before_replies() {
    noise_case foreign
}

test_chatter_on_the_line() {
    noise_case chatter
}

# --- re-enumeration (last: the main chip's tty changes its name) --------------------------------------------

test_reenumerated_port_is_found_by_its_new_name() {
    port=$(sim_port main) || fail "no USB device SIM-MAIN"
    before=$(sim_tty main)
    # Holding the old node open keeps its minor taken, so the port comes back under another ttyUSB name.
    exec 3< "$before"
    echo 0 > "/sys/bus/usb/devices/$port/authorized"
    wait_for 30 sh -c "! [ -d /sys/bus/usb/devices/$port/$port:1.0 ]"
    echo 1 > "/sys/bus/usb/devices/$port/authorized"
    wait_for 30 sim_tty main
    exec 3<&-
    after=$(sim_tty main)
    note "SIM-MAIN (port $port) was $before and came back as $after"
    [ "$after" != "$before" ] || fail "the port came back under the same name $before"
    assert_ok kvmtool ch9329 info --port "$after"
    assert_contains "$OUT" "V1.1" "'ch9329 info --port $after'"
    if [ ! -e "$before" ]; then
        assert_status 3 kvmtool ch9329 info --port "$before"
        assert_contains "$ERR" "$before" "stderr"
    fi
}
