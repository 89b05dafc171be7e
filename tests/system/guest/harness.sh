# shellcheck shell=sh
# The harness group: the plumbing other groups build on, without kvmtool. QEMU's own USB devices behind
# qemu-xhci enumerate in the guest, and a usb-serial port (FTDI 0403:6001, ftdi_sio) reaches a helper process
# on the host through a unix socket, the way a simulator of a serial device (a CH9329) is attached; also after
# the device re-enumerates, when the tty may come back under another name.
#
# The helper answers each byte with its case swapped: "ping" comes back as "PING".
#
# systest-qemu: -device qemu-xhci,id=xhci -device usb-kbd,bus=xhci.0
# systest-qemu: -chardev socket,id=sim,path=@RUNDIR@/sim.sock -device usb-serial,bus=xhci.0,chardev=sim
# systest-helper: python3 tests/system/helpers/swapcase-echo.py @RUNDIR@/sim.sock
# systest-host-packages: python3
# systest-timeout: 180

# shellcheck source=lib-usb.sh
. /systest/guest/lib-usb.sh

serial_ready() {
    _p=$(usb_port_of_id 0403 6001) && tty_of_port "$_p" > /dev/null
}

# serial_exchange DEV TEXT: writes TEXT and prints, as hex, as many bytes as came back within 5 s.
serial_exchange() {
    stty -F "$1" 9600 raw -echo || fail "stty -F $1 failed"
    _out="$SYSTEST_WORK/exchange.$$"
    read_bytes "$1" 1 "${#2}" 5 > "$_out" &
    _reader=$!
    usleep 300000
    printf '%s' "$2" > "$1" || fail "cannot write to $1"
    wait "$_reader"
    cat "$_out"
}

test_usb_keyboard_enumerates() {
    wait_for 30 usb_port_of_id 0627 0001
    port=$(usb_port_of_id 0627 0001)
    note "QEMU's usb-kbd is $port"
    assert_exists "/sys/bus/usb/devices/$port/$port:1.0"
}

test_usb_serial_reaches_the_host_helper() {
    wait_for 30 serial_ready
    tty=$(tty_of_port "$(usb_port_of_id 0403 6001)")
    note "usb-serial is $tty"
    assert_eq "50 49 4e 47" "$(serial_exchange "$tty" ping)" "the helper's answer to 'ping'"
}

test_usb_serial_after_reauthorize() {
    wait_for 30 serial_ready
    port=$(usb_port_of_id 0403 6001)
    before=$(tty_of_port "$port")
    # Hold the old tty open across the re-enumeration, as a program that has the port open would.
    exec 3< "$before"
    echo 0 > "/sys/bus/usb/devices/$port/authorized"
    wait_for 30 sh -c "! [ -e $before ] || ! [ -d /sys/bus/usb/devices/$port/$port:1.0 ]"
    echo 1 > "/sys/bus/usb/devices/$port/authorized"
    wait_for 30 serial_ready
    after=$(tty_of_port "$(usb_port_of_id 0403 6001)")
    exec 3<&-
    note "usb-serial was $before and came back as $after"
    assert_eq "4b 76 4d" "$(serial_exchange "$after" kVm)" "the helper's answer to 'kVm' after re-enumeration"
}
