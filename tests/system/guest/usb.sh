# shellcheck shell=sh
# The usb group: 'kvmtool usb list' and 'kvmtool usb reset' against devices the guest kernel really enumerates.
#
# Devices, all present from boot to the end of the group:
#   - QEMU's usb-kbd twice behind qemu-xhci (0627:0001, serials KBD-A and KBD-B): usbhid, a hidraw and an
#     input event node each. Two of them, because a VID:PID that matches two devices is ambiguous; the tests
#     that reset one keyboard name it by SN:, its port path or a kvmtool.yaml name.
#   - QEMU's usb-serial behind qemu-xhci (FTDI 0403:6001, serial A10KVMT1): ftdi_sio, /dev/ttyUSBn. Its chardev is
#     'null' with always-plugged=on: nothing is read or written here, the device only has to be there.
#   - an LCUS relay board (5131:2007, serial RELAY-A) made of a configfs HID gadget on dummy_hcd's first UDC
#     (port 3-1: qemu-xhci, probed at boot, has buses 1 and 2), as in the relay group.
#   - a second gadget (1209:0001, serial VANISH-1) on dummy_hcd's second UDC, bound only by the tests that make a
#     device disappear: its bus (port 4-1) is otherwise empty.
#
# What the two host controllers can do decides what 'power' does (see test_power_*): dummy_hcd's root hub
# reports per-port power switching and drops the connection when its port is switched off, so a power reset
# there really re-enumerates the device; QEMU's xHCI leaves HCCPARAMS1.PPC clear, so the kernel's root hub
# descriptor says the ports have no power switches and kvmtool refuses.
#
# Evidence that a reset really happened comes from the kernel, not from kvmtool's output: a USBDEVFS_RESET logs
# "usb PORT: reset ... USB device number N", a power cycle "usb PORT: USB disconnect", and deauthorizing or
# rebinding a HID interface makes hid-generic create a new HID device (0003:VVVV:PPPP.NNNN) under it.
#
# systest-qemu: -device qemu-xhci,id=xhci
# systest-qemu: -device usb-kbd,bus=xhci.0,serial=KBD-A -device usb-kbd,bus=xhci.0,serial=KBD-B
# systest-qemu: -chardev null,id=ftdi -device usb-serial,bus=xhci.0,chardev=ftdi,always-plugged=on,serial=A10KVMT1
# systest-modules: evdev
# systest-host-packages: sudo
# systest-timeout: 240
# systest-test-timeout: 60

# shellcheck source=lib-usb.sh
. /systest/guest/lib-usb.sh

# The relay group's LCUS report descriptor: vendor page, 8-byte input and output reports, no report IDs.
LCUS_REPORT_DESC="06 00 ff 09 01 a1 01 15 00 26 ff 00 75 08 95 08 09 01 81 02 95 08 09 01 91 02 c0"
CONFIG=/tmp/usb-kvmtool.yaml

group_setup() {
    # Without evdev there are no /dev/input/event nodes; it attaches to the keyboards that are already there.
    load_module evdev
    load_module dummy_hcd num=2
    gadget_hid_create relay-a 0x5131 0x2007 RELAY-A USBRelay2 8 "$LCUS_REPORT_DESC" dummy_udc.0
    gadget_hid_create vanish 0x1209 0x0001 VANISH-1 "Vanishing board" 8 "$LCUS_REPORT_DESC"
    wait_for 30 hidraw_ready RELAY-A
    wait_for 30 hidraw_ready KBD-A
    wait_for 30 hidraw_ready KBD-B
    wait_for 30 event_ready KBD-A
    wait_for 30 event_ready KBD-B
    wait_for 30 tty_ready A10KVMT1
    keep_state KBD_A "$(usb_port_of_serial KBD-A)"
    keep_state KBD_B "$(usb_port_of_serial KBD-B)"
    keep_state FTDI "$(usb_port_of_serial A10KVMT1)"
    keep_state RELAY "$(usb_port_of_serial RELAY-A)"
    # The second UDC's bus has one port and nothing on it until a test binds the vanishing gadget.
    spare=
    for u in /sys/bus/usb/devices/usb*; do
        [ "$(cat "$u/serial")" = dummy_hcd.1 ] && spare="$(cat "$u/busnum")-1"
    done
    [ -n "$spare" ] || fail "no root hub with serial dummy_hcd.1"
    keep_state SPARE "$spare"
    # shellcheck disable=SC2153 # keep_state sets them
    note "keyboards $KBD_A $KBD_B, FTDI $FTDI, relay board $RELAY, spare port $SPARE"
    cat > "$CONFIG" <<EOF
usb:
  devices:
    console-uart:
      id: "0403:6001"
      serial: A10KVMT1
    keyboard-a:
      serial: KBD-A
      reset-method: rebind
    spare-board:
      id: "1209:0001"
      usb-port: "$SPARE"
EOF
}

teardown() {
    rm -f /dev/kvmd-test
    chmod 0600 /dev/bus/usb/*/*
    if [ -n "$(cat "$GADGETS/vanish/UDC")" ]; then
        gadget_hid_unbind vanish
        wait_for 30 sh -c "! [ -e /sys/bus/usb/devices/$SPARE ]"
    fi
    # A test that switched a dummy_hcd port off must not leave it off for the next.
    for f in /sys/bus/usb/devices/usb*/*/usb*-port1/disable; do
        [ "$(cat "$f" 2>/dev/null)" != 1 ] || echo 0 > "$f"
    done
    wait_for 30 hidraw_ready RELAY-A
}

group_teardown() {
    gadget_hid_remove relay-a
    gadget_hid_remove vanish
}

# --- helpers ----------------------------------------------------------------------------------------------

tty_ready() {
    _p=$(usb_port_of_serial "$1") && tty_of_port "$_p" > /dev/null
}

# event_of_port PORT -> input/eventN of the device's (first) input device, as 'usb list' names it.
event_of_port() {
    for _e in /sys/bus/usb/devices/"$1"/"$1":1.0/*/input/input*/event*; do
        [ -e "$_e" ] && [ -c "/dev/input/${_e##*/}" ] && { echo "input/${_e##*/}"; return 0; }
    done
    return 1
}

event_ready() {
    _p=$(usb_port_of_serial "$1") && event_of_port "$_p" > /dev/null
}

# hid_instance PORT -> the HID device hid-generic made for the first interface (0003:0627:0001.0004).
hid_instance() {
    for _h in /sys/bus/usb/devices/"$1"/"$1":1.0/0003:*; do
        [ -e "$_h" ] && { echo "${_h##*/}"; return 0; }
    done
    return 1
}

busdev_of() {
    printf '%03d/%03d' "$(cat "/sys/bus/usb/devices/$1/busnum")" "$(cat "/sys/bus/usb/devices/$1/devnum")"
}

devnum_of() {
    cat "/sys/bus/usb/devices/$1/devnum"
}

# How many times the kernel logged a port reset / a disconnect of the device at PORT.
resets_of() {
    dmesg | grep -c "usb $1: reset "
}

disconnects_of() {
    dmesg | grep -c "usb $1: USB disconnect"
}

# list_row PORT: the line of 'usb list' (in $OUT) whose PORT column is PORT.
list_row() {
    printf '%s\n' "$OUT" | awk -v p="$1" '$2 == p'
}

# json_device PORT: the object of 'usb list --json' (in $OUT) for PORT, on one line with spaces collapsed.
json_device() {
    printf '%s' "$OUT" | tr -d '\n' | sed 's/  */ /g; s/{ "busNumber"/\n&/g' | grep "\"portPath\": \"$1\""
}

# A whole word of a text line: hidraw1 must not match inside hidraw10, 1-1 not inside 1-1.4.
word() {
    printf '(^|[[:space:],(])%s([[:space:],)]|$)' "$1"
}

# The first line 'usb reset' prints for a device that came back, e.g.
#   0403:6001 "QEMU QEMU USB SERIAL" at 1-3 (bus 1 device 4): back after 0.3 s (ioctl).
back_line() {
    printf '^%s "%s" at %s \\(bus %s device %s\\): back after [0-9]+\\.[0-9] s \\(%s\\)\\.$' "$1" "$2" "$3" "$4" "$5" "$6"
}

# reset_ftdi_in_place SELECTOR [OPTION...]: 'usb reset' by that selector resets the FTDI with USBDEVFS_RESET:
# exit 0, it says so, the kernel logged exactly one reset of that port, the address and the tty are unchanged.
reset_ftdi_in_place() {
    bus=$(cat "/sys/bus/usb/devices/$FTDI/busnum")
    dev=$(devnum_of "$FTDI")
    tty=$(tty_of_port "$FTDI") || fail "the FTDI at $FTDI has no tty"
    resets=$(resets_of "$FTDI")
    assert_ok kvmtool usb reset "$@"
    assert_eq 1 "$(count_lines "$OUT" ': back after ')" "devices reported back by 'usb reset $*'"
    assert_match "$OUT" "$(back_line 0403:6001 "QEMU QEMU USB SERIAL" "$FTDI" "$bus" "$dev" ioctl)" "'usb reset $*'"
    assert_match "$OUT" "^  after:  bus $bus device $dev \\(same address\\); nodes ${tty#/dev/}( |\$)" "'usb reset $*'"
    assert_contains "$OUT" "USBDEVFS_RESET returned success and the device is present at $FTDI with the same address" "'usb reset $*'"
    assert_eq $((resets + 1)) "$(resets_of "$FTDI")" "port resets of $FTDI in dmesg"
    assert_eq "$dev" "$(devnum_of "$FTDI")" "device number of $FTDI after the reset"
    [ -c "$tty" ] || fail "$tty is gone after 'usb reset $*'"
    assert_eq "$tty" "$(tty_of_port "$FTDI")" "the FTDI's tty after the reset"
}

# --- usb list ---------------------------------------------------------------------------------------------

test_list_shows_drivers_and_nodes() {
    ln -s ttyUSB0 /dev/kvmd-test
    assert_ok kvmtool usb list
    devices=$(find /sys/bus/usb/devices/ -mindepth 1 -maxdepth 1 ! -name '*:*' | wc -l)
    assert_eq $((devices + 1)) "$(printf '%s\n' "$OUT" | wc -l)" "lines of 'usb list' (a header and one per device)"
    assert_match "$OUT" '^BUS/DEV +PORT +ID +SPEED +AUTH +DRIVERS +NODES' "the header of 'usb list'"

    for port in "$KBD_A" "$KBD_B"; do
        row=$(list_row "$port")
        note "$port: $row"
        assert_match "$row" "^$(busdev_of "$port") +$port +0627:0001 +[0-9]+M +yes +usbhid " "the row of $port"
        hidraw=$(hidraw_of_port "$port") || fail "$port has no hidraw node"
        event=$(event_of_port "$port") || fail "$port has no input event node"
        assert_match "$row" "$(word "${hidraw#/dev/}")" "the row of $port"
        assert_match "$row" "$(word "$event")" "the row of $port"
        assert_contains "$row" "QEMU QEMU USB Keyboard" "the row of $port"
    done
    assert_contains "$(list_row "$KBD_A")" " KBD-A " "the row of $KBD_A"

    # The FTDI's tty with the /dev symlink pointing at it, as PiKVM's udev rules make /dev/kvmd-*.
    row=$(list_row "$FTDI")
    note "$FTDI: $row"
    assert_match "$row" "^$(busdev_of "$FTDI") +$FTDI +0403:6001 +12M +yes +ftdi_sio +ttyUSB0 \\(kvmd-test\\) +A10KVMT1 " "the row of $FTDI"

    row=$(list_row "$RELAY")
    note "$RELAY: $row"
    hidraw=$(hidraw_of_port "$RELAY") || fail "the relay board has no hidraw node"
    assert_match "$row" "^$(busdev_of "$RELAY") +$RELAY +5131:2007 +480M +yes +usbhid " "the row of $RELAY"
    assert_match "$row" "$(word "${hidraw#/dev/}")" "the row of $RELAY"
    assert_contains "$row" "RELAY-A" "the row of $RELAY"
    assert_contains "$row" "kvmtool system tests USBRelay2" "the row of $RELAY"
}

test_list_json() {
    ln -s ttyUSB0 /dev/kvmd-test
    assert_ok kvmtool usb list --json
    devices=$(find /sys/bus/usb/devices/ -mindepth 1 -maxdepth 1 ! -name '*:*' | wc -l)
    assert_eq "$devices" "$(printf '%s' "$OUT" | grep -c '"busNumber"')" "objects in 'usb list --json'"
    assert_match "$(printf '%s' "$OUT" | tr -d '\n')" '^\[.*\][[:space:]]*$' "'usb list --json' (a JSON array)"

    kbd=$(json_device "$KBD_A")
    note "$kbd"
    hidraw=$(hidraw_of_port "$KBD_A") || fail "$KBD_A has no hidraw node"
    event=$(event_of_port "$KBD_A") || fail "$KBD_A has no input event node"
    assert_contains "$kbd" '"id": "0627:0001", "vendorId": "0627", "productId": "0001"' "the object of $KBD_A"
    assert_contains "$kbd" '"serial": "KBD-A"' "the object of $KBD_A"
    assert_contains "$kbd" "\"devfsPath\": \"/dev/bus/usb/$(busdev_of "$KBD_A")\"" "the object of $KBD_A"
    assert_contains "$kbd" '"drivers": [ "usbhid" ]' "the object of $KBD_A"
    assert_contains "$kbd" "{ \"name\": \"$KBD_A:1.0\", \"class\": \"03\", \"driver\": \"usbhid\" }" "the object of $KBD_A"
    assert_contains "$kbd" "{ \"path\": \"$hidraw\", \"subsystem\": \"hidraw\", \"exists\": true, \"aliases\": [] }" "the object of $KBD_A"
    assert_contains "$kbd" "{ \"path\": \"/dev/$event\", \"subsystem\": \"input\", \"exists\": true, \"aliases\": [] }" "the object of $KBD_A"

    ftdi=$(json_device "$FTDI")
    note "$ftdi"
    assert_contains "$ftdi" '"id": "0403:6001"' "the object of $FTDI"
    assert_contains "$ftdi" '"product": "QEMU USB SERIAL", "serial": "A10KVMT1", "speedMbps": "12", "authorized": true, "isHub": false' "the object of $FTDI"
    assert_contains "$ftdi" '"drivers": [ "ftdi_sio" ]' "the object of $FTDI"
    assert_contains "$ftdi" '{ "path": "/dev/ttyUSB0", "subsystem": "tty", "exists": true, "aliases": [ "/dev/kvmd-test" ] }' "the object of $FTDI"

    relay=$(json_device "$RELAY")
    note "$relay"
    hidraw=$(hidraw_of_port "$RELAY") || fail "the relay board has no hidraw node"
    assert_contains "$relay" '"id": "5131:2007"' "the object of $RELAY"
    assert_contains "$relay" '"serial": "RELAY-A"' "the object of $RELAY"
    assert_contains "$relay" "{ \"path\": \"$hidraw\", \"subsystem\": \"hidraw\", \"exists\": true, \"aliases\": [] }" "the object of $RELAY"
}

test_list_shows_kvmtool_yaml_names() {
    assert_ok kvmtool usb list --config "$CONFIG"
    assert_match "$(list_row "$FTDI")" " A10KVMT1 +console-uart +QEMU QEMU USB SERIAL\$" "the row of $FTDI"
    assert_match "$(list_row "$KBD_A")" " KBD-A +keyboard-a +QEMU QEMU USB Keyboard\$" "the row of $KBD_A"
    assert_match "$(list_row "$KBD_B")" " KBD-B +- +QEMU QEMU USB Keyboard\$" "the row of $KBD_B"
}

# --- usb reset: the default method (USBDEVFS_RESET) by every selector form ----------------------------------

test_reset_by_id() {
    reset_ftdi_in_place 0403:6001
}

test_reset_by_0x_id() {
    reset_ftdi_in_place 0x0403:0x6001
}

test_reset_by_tty_node() {
    reset_ftdi_in_place "$(tty_of_port "$FTDI")"
}

test_reset_by_dev_symlink() {
    ln -s "$(tty_of_port "$FTDI" | sed 's|^/dev/||')" /dev/kvmd-test
    reset_ftdi_in_place /dev/kvmd-test
    assert_contains "$OUT" "(kvmd-test)" "'usb reset /dev/kvmd-test'"
}

test_reset_by_serial() {
    reset_ftdi_in_place SN:A10KVMT1
}

test_reset_by_bus_and_device_number() {
    reset_ftdi_in_place "$(busdev_of "$FTDI")"
}

test_reset_by_usbdevfs_node() {
    reset_ftdi_in_place "/dev/bus/usb/$(busdev_of "$FTDI")"
}

test_reset_by_port_path() {
    reset_ftdi_in_place "$FTDI"
}

test_reset_by_product_string() {
    reset_ftdi_in_place "QEMU USB SERIAL"
}

test_reset_by_kvmtool_yaml_name() {
    reset_ftdi_in_place console-uart --config "$CONFIG"
}

test_reset_json() {
    dev=$(devnum_of "$FTDI")
    assert_ok kvmtool usb reset 0403:6001 --json
    json=$(printf '%s' "$OUT" | tr -d '\n' | sed 's/  */ /g')
    assert_match "$json" '^\[ \{ "selector": "0403:6001", ' "'usb reset --json'"
    assert_contains "$json" "\"portPath\": \"$FTDI\", \"method\": \"ioctl\", \"succeededWith\": \"ioctl\", \"cameBack\": true, \"renumbered\": false" "'usb reset --json'"
    assert_contains "$json" '"problem": null, "hint": null' "'usb reset --json'"
    assert_contains "$json" '"attempts": [ { "method": "ioctl", "outcome": "back", "detail": "USBDEVFS_RESET returned success' "'usb reset --json'"
    assert_eq 2 "$(printf '%s' "$json" | grep -o "\"deviceNumber\": $dev," | wc -l)" "device numbers $dev (before and after) in 'usb reset --json'"
}

# --- usb reset: the other methods -------------------------------------------------------------------------

test_authorize_recreates_the_keyboard_interface() {
    dev=$(devnum_of "$KBD_A")
    hid=$(hid_instance "$KBD_A") || fail "no HID device under $KBD_A"
    assert_ok kvmtool usb reset SN:KBD-A --method authorize
    assert_match "$OUT" "$(back_line 0627:0001 "QEMU QEMU USB Keyboard" "$KBD_A" 1 "$dev" authorize)" "'usb reset --method authorize'"
    assert_contains "$OUT" "The device was deauthorized (its interfaces went away) and authorized again" "'usb reset --method authorize'"
    assert_eq 1 "$(cat "/sys/bus/usb/devices/$KBD_A/authorized")" "$KBD_A/authorized"
    new=$(hid_instance "$KBD_A") || fail "no HID device under $KBD_A after the reset"
    note "HID device $hid -> $new"
    [ "$new" != "$hid" ] || fail "the HID device under $KBD_A is still $hid: the interface was not re-created"
    event=$(event_of_port "$KBD_A") || fail "$KBD_A has no input event node after the reset"
    hidraw=$(hidraw_of_port "$KBD_A") || fail "$KBD_A has no hidraw node after the reset"
    assert_match "$(printf '%s\n' "$OUT" | grep '^  after:')" "$(word "$event")" "the 'after:' line"
    assert_match "$(printf '%s\n' "$OUT" | grep '^  after:')" "$(word "${hidraw#/dev/}")" "the 'after:' line"
}

test_rebind_rebinds_usbhid() {
    dev=$(devnum_of "$KBD_B")
    hid=$(hid_instance "$KBD_B") || fail "no HID device under $KBD_B"
    assert_ok kvmtool usb reset "$KBD_B" --method rebind
    assert_match "$OUT" "$(back_line 0627:0001 "QEMU QEMU USB Keyboard" "$KBD_B" 1 "$dev" rebind)" "'usb reset --method rebind'"
    assert_contains "$OUT" "Its drivers: usbhid were unbound and probed again" "'usb reset --method rebind'"
    assert_eq usbhid "$(basename "$(readlink "/sys/bus/usb/devices/$KBD_B/$KBD_B:1.0/driver")")" "the driver of $KBD_B:1.0"
    new=$(hid_instance "$KBD_B") || fail "no HID device under $KBD_B after the reset"
    note "HID device $hid -> $new"
    [ "$new" != "$hid" ] || fail "the HID device under $KBD_B is still $hid: usbhid did not probe again"
    event_of_port "$KBD_B" > /dev/null || fail "$KBD_B has no input event node after the reset"
}

test_kvmtool_yaml_reset_method_is_used() {
    hid=$(hid_instance "$KBD_A") || fail "no HID device under $KBD_A"
    assert_ok kvmtool usb reset keyboard-a --config "$CONFIG"
    assert_match "$OUT" "$(back_line 0627:0001 "QEMU QEMU USB Keyboard" "$KBD_A" 1 "$(devnum_of "$KBD_A")" rebind)" "'usb reset keyboard-a' (reset-method: rebind)"
    [ "$(hid_instance "$KBD_A")" != "$hid" ] || fail "the HID device under $KBD_A is still $hid: usbhid did not probe again"
}

test_auto_stops_at_the_first_method_that_works() {
    dev=$(devnum_of "$KBD_A")
    resets=$(resets_of "$KBD_A")
    assert_ok kvmtool usb reset SN:KBD-A --method auto
    assert_match "$OUT" "$(back_line 0627:0001 "QEMU QEMU USB Keyboard" "$KBD_A" 1 "$dev" "auto: ioctl")" "'usb reset --method auto'"
    assert_match "$OUT" '^  ioctl +back: USBDEVFS_RESET returned success' "'usb reset --method auto' (the attempts)"
    assert_eq 1 "$(count_lines "$OUT" '^  (ioctl|rebind|authorize|power) ')" "attempts listed by 'usb reset --method auto'"
    assert_eq $((resets + 1)) "$(resets_of "$KBD_A")" "port resets of $KBD_A in dmesg"
}

# dummy_hcd's root hub descriptor says per-port power switching (HUB_CHAR_INDV_PORT_LPSM), and switching its
# port off drops the gadget's connection; Linux 6.1 has the port's 'disable' file. So the power method works
# here without --yes (no ganged hub), and the device re-enumerates with a new device number. The board's
# hidraw node is held open across it, so the board comes back under another hidraw name.
test_power_reenumerates_the_relay_board() {
    bus=${RELAY%%-*}
    dev=$(devnum_of "$RELAY")
    old=$(hidraw_of_port "$RELAY") || fail "the relay board has no hidraw node"
    disconnects=$(disconnects_of "$RELAY")
    exec 3< "$old"
    assert_ok kvmtool usb reset 5131:2007 --method power
    exec 3<&-
    new=$(hidraw_of_port "$RELAY") || fail "the relay board has no hidraw node after the reset"
    note "the board was $old, device $dev; now $new, device $(devnum_of "$RELAY")"
    [ "$new" != "$old" ] || fail "the board came back as $old although that node was held open"
    [ "$(devnum_of "$RELAY")" != "$dev" ] || fail "the board kept device number $dev: it did not re-enumerate"
    assert_eq $((disconnects + 1)) "$(disconnects_of "$RELAY")" "disconnects of $RELAY in dmesg"
    assert_match "$OUT" "^5131:2007 \"kvmtool system tests USBRelay2\" at $RELAY \\(bus $bus device $dev\\): back after [0-9.]+ s \\(power\\)\\.\$" "'usb reset --method power'"
    assert_match "$OUT" "^  after:  bus $bus device $(devnum_of "$RELAY") \\(re-enumerated\\); nodes ${new#/dev/}(,|\$)" "'usb reset --method power' (the new node)"
    assert_contains "$OUT" "Port 1 of hub usb$bus was switched off for " "'usb reset --method power'"
    assert_contains "$OUT" "on again through sysfs; the device went away and re-enumerated at $RELAY" "'usb reset --method power'"
    # relay list finds the board under its new node.
    assert_ok kvmtool relay list
    line=$(printf '%s\n' "$OUT" | grep '5131:2007') || fail "'relay list' shows no 5131:2007 board"
    assert_match "$line" "$(word "$new")" "the board's line in 'relay list'"
    assert_match "$line" "$(word "$RELAY")" "the board's line in 'relay list'"
}

# QEMU's xHCI does not set HCCPARAMS1.PPC, so the kernel's root hub descriptor says "no power switching"
# (wHubCharacteristics bits 1:0 = 10b): kvmtool must refuse (exit 1) and leave the device alone, --yes or not.
test_power_on_qemu_xhci_is_refused() {
    dev=$(devnum_of "$FTDI")
    port=${FTDI#*-}
    disconnects=$(disconnects_of "$FTDI")
    assert_status 1 kvmtool usb reset SN:A10KVMT1 --method power --yes
    assert_eq "kvmtool: Cannot switch the power of port $port of hub usb1: hub usb1 reports no port power switching." \
        "$(printf '%s\n' "$ERR" | head -n 1)" "the error of 'usb reset --method power' on qemu-xhci"
    assert_contains "$ERR" "fix: Use --method ioctl or authorize, or move the device to a hub with per-port power switching." "the error"
    assert_eq 0 "$(cat "/sys/bus/usb/devices/usb1/1-0:1.0/usb1-port$port/disable")" "usb1-port$port/disable"
    assert_eq "$dev" "$(devnum_of "$FTDI")" "device number of $FTDI"
    assert_eq "$disconnects" "$(disconnects_of "$FTDI")" "disconnects of $FTDI in dmesg"
}

# --- usb reset: selectors that do not designate one device ------------------------------------------------

test_two_keyboards_are_ambiguous() {
    resets_a=$(resets_of "$KBD_A")
    resets_b=$(resets_of "$KBD_B")
    assert_status 2 kvmtool usb reset 0627:0001
    assert_contains "$ERR" "kvmtool: 2 USB devices match 0627:0001: " "the error"
    assert_contains "$ERR" "0627:0001 \"QEMU QEMU USB Keyboard\" at $KBD_A (bus 1 device $(devnum_of "$KBD_A"))" "the error"
    assert_contains "$ERR" "0627:0001 \"QEMU QEMU USB Keyboard\" at $KBD_B (bus 1 device $(devnum_of "$KBD_B"))" "the error"
    assert_contains "$ERR" "or add --all to reset every one of them." "the error"
    assert_eq "$resets_a $resets_b" "$(resets_of "$KBD_A") $(resets_of "$KBD_B")" "port resets of $KBD_A and $KBD_B in dmesg"
}

test_all_resets_both_keyboards() {
    resets_a=$(resets_of "$KBD_A")
    resets_b=$(resets_of "$KBD_B")
    assert_ok kvmtool usb reset 0627:0001 --all
    assert_eq 2 "$(count_lines "$OUT" ': back after ')" "devices reported back by 'usb reset 0627:0001 --all'"
    assert_match "$OUT" "$(back_line 0627:0001 "QEMU QEMU USB Keyboard" "$KBD_A" 1 "$(devnum_of "$KBD_A")" ioctl)" "'usb reset --all'"
    assert_match "$OUT" "$(back_line 0627:0001 "QEMU QEMU USB Keyboard" "$KBD_B" 1 "$(devnum_of "$KBD_B")" ioctl)" "'usb reset --all'"
    assert_eq "$((resets_a + 1)) $((resets_b + 1))" "$(resets_of "$KBD_A") $(resets_of "$KBD_B")" "port resets of $KBD_A and $KBD_B in dmesg"
}

test_unknown_id_is_not_found() {
    assert_status 3 kvmtool usb reset 1234:5678
    assert_contains "$ERR" "kvmtool: No USB device matches 1234:5678. Attached: " "the error"
    # What was found instead: every attached device, no root hub.
    assert_contains "$ERR" "0403:6001 \"QEMU QEMU USB SERIAL\" at $FTDI" "the error"
    assert_contains "$ERR" "0627:0001 \"QEMU QEMU USB Keyboard\" at $KBD_A" "the error"
    assert_contains "$ERR" "5131:2007 \"kvmtool system tests USBRelay2\" at $RELAY" "the error"
    assert_not_contains "$ERR" "1d6b:" "the error (root hubs)"
    assert_contains "$ERR" "fix: Run 'kvmtool usb list' to see what is attached." "the error"
}

test_node_of_no_usb_device_is_not_found() {
    assert_status 3 kvmtool usb reset /dev/null
    assert_contains "$ERR" "kvmtool: /dev/null is not a node of any USB device. Attached: " "the error"
    assert_status 3 kvmtool usb reset /dev/ttyUSB9
    assert_contains "$ERR" "kvmtool: The device node /dev/ttyUSB9 does not exist." "the error"
}

test_root_hub_is_refused() {
    assert_status 2 kvmtool usb reset 001/001
    assert_contains "$ERR" "at usb1 (bus 1 device 1) is a root hub (the host controller itself); the kernel does not reset it." "the error"
}

# --- usb reset: devices that do not come back -------------------------------------------------------------

# A board that dies while its port is off: the gadget leaves its UDC once the power reset has taken the
# device away, so nothing answers when the port is switched on again. kvmtool must say so (exit 1) after
# its --timeout, not hang and not claim success.
test_device_that_never_comes_back_fails_within_the_timeout() {
    gadget_hid_bind vanish dummy_udc.1
    wait_for 30 hidraw_ready VANISH-1
    assert_eq "$SPARE" "$(usb_port_of_serial VANISH-1)" "the vanishing board's port"
    (
        i=0
        while [ -e "/sys/bus/usb/devices/$SPARE" ] && [ $i -lt 400 ]; do usleep 20000; i=$((i + 1)); done
        gadget_hid_unbind vanish
        echo "# the gadget left its UDC after $((i * 20)) ms"
    ) &
    watcher=$!
    start=$(now_ms)
    assert_status 1 kvmtool usb reset SN:VANISH-1 --method power --timeout 2
    took=$(($(now_ms) - start))
    wait "$watcher"
    note "'usb reset --method power --timeout 2' took $took ms"
    assert_match "$OUT" "^1209:0001 \"kvmtool system tests Vanishing board\" at $SPARE \\(bus [0-9]+ device [0-9]+\\): NOT back after [0-9.]+ s \\(power\\)\\.\$" "'usb reset'"
    assert_match "$OUT" "^  after:  nothing at $SPARE\$" "'usb reset'"
    assert_match "$ERR" "^kvmtool: 1209:0001 .* did not come back healthy within 2 s after switching port 1 of hub usb[0-9]+ off and on: nothing is attached at $SPARE\\.\$" "the error"
    assert_contains "$ERR" "fix: Re-plug the device by hand" "the error"
    # At least 1 s off and the 2 s wait; well under the default 10 s timeout.
    [ "$took" -ge 3000 ] || fail "'usb reset' gave up after $took ms, before its 2 s timeout (after 1 s off) could end"
    [ "$took" -le 8000 ] || fail "'usb reset --timeout 2' took $took ms"
    [ ! -e "/sys/bus/usb/devices/$SPARE" ] || fail "something is at $SPARE again"
}

# 'auto' on a port with nothing attached (a configured dongle that fell off the bus): the methods that need
# the device are skipped, power is tried, and the answer lists all four.
test_auto_on_an_empty_port_tries_every_method() {
    [ ! -e "/sys/bus/usb/devices/$SPARE" ] || fail "$SPARE is not empty"
    start=$(now_ms)
    assert_status 1 kvmtool usb reset "$SPARE" --method auto --timeout 1
    took=$(($(now_ms) - start))
    note "took $took ms"
    assert_match "$OUT" "^port $SPARE: NOT back after [0-9.]+ s \\(auto\\)\\.\$" "'usb reset --method auto'"
    for m in ioctl rebind authorize; do
        assert_match "$OUT" "^  $m +skipped: The '$m' method needs the device present, and nothing is attached at $SPARE\\." "'usb reset --method auto'"
    done
    assert_match "$OUT" "^  power +not-back: port $SPARE did not come back healthy within 1 s after switching port 1 of hub usb[0-9]+ off and on: nothing is attached at $SPARE\\.\$" "'usb reset --method auto'"
    assert_contains "$ERR" "kvmtool: port $SPARE is not back after trying ioctl (skipped), rebind (skipped), authorize (skipped), power (not back)." "the error"
    [ "$took" -le 8000 ] || fail "'usb reset --method auto --timeout 1' took $took ms"
}

# The watchdog's case: a device whose port went dead (here switched off by hand) is revived by a power reset
# of its configured port, and kvmtool reports what came back.
test_power_revives_a_device_that_fell_off_the_bus() {
    gadget_hid_bind vanish dummy_udc.1
    wait_for 30 hidraw_ready VANISH-1
    bus=${SPARE%-1}
    disable=/sys/bus/usb/devices/usb$bus/$bus-0:1.0/usb$bus-port1/disable
    echo 1 > "$disable"
    wait_for 10 sh -c "! [ -e /sys/bus/usb/devices/$SPARE ]"
    assert_ok kvmtool usb reset spare-board --config "$CONFIG" --method power
    assert_match "$OUT" "^port $SPARE: back after [0-9.]+ s \\(power\\)\\.\$" "'usb reset spare-board --method power'"
    hidraw=$(hidraw_of_port "$SPARE") || fail "the board at $SPARE has no hidraw node"
    assert_match "$OUT" "^  after:  bus [0-9]+ device $(devnum_of "$SPARE"); nodes ${hidraw#/dev/}(,|\$)" "'usb reset spare-board --method power'"
    assert_eq 0 "$(cat "$disable")" "$disable"
}

# --- permissions ------------------------------------------------------------------------------------------

test_without_privileges_exits_4_with_the_fix() {
    mkdir -p /tmp/runtime-nobody && chmod 1777 /tmp/runtime-nobody
    resets=$(resets_of "$FTDI")
    as_nobody="KVMTOOL_RUNTIME_DIR=/tmp/runtime-nobody kvmtool"
    # Listing reads sysfs only: any user may.
    assert_ok su -p -s /bin/sh nobody -c "$as_nobody usb list"
    assert_match "$(list_row "$FTDI")" " 0403:6001 .* ftdi_sio " "the row of $FTDI in 'usb list' as nobody"

    assert_status 4 su -p -s /bin/sh nobody -c "$as_nobody usb reset 0403:6001"
    assert_contains "$ERR" "kvmtool: Permission denied: cannot open /dev/bus/usb/$(busdev_of "$FTDI") to reset 0403:6001" "the error"
    assert_contains "$ERR" "install kvmtool's udev rule /usr/lib/udev/rules.d/60-kvmtool.rules" "the error"
    assert_contains "$ERR" 'ATTR{idVendor}=="0403", ATTR{idProduct}=="6001", GROUP="kvmd", MODE="0660"' "the error"

    assert_status 4 su -p -s /bin/sh nobody -c "$as_nobody usb reset 0403:6001 --method authorize"
    assert_contains "$ERR" "kvmtool: Permission denied: cannot write /sys/" "the error"
    assert_contains "$ERR" "/$FTDI/authorized." "the error"
    assert_contains "$ERR" "run as root ('sudo kvmtool usb reset 0403:6001 --method authorize')" "the error"
    assert_eq 1 "$(cat "/sys/bus/usb/devices/$FTDI/authorized")" "$FTDI/authorized"
    assert_eq "$resets" "$(resets_of "$FTDI")" "port resets of $FTDI in dmesg"

    # What the udev rule does (read-write access to the device's usbdevfs node) is all the ioctl needs.
    chmod 0666 "/dev/bus/usb/$(busdev_of "$FTDI")"
    assert_ok su -p -s /bin/sh nobody -c "$as_nobody usb reset 0403:6001"
    assert_contains "$OUT" "with the same address" "'usb reset' as nobody with access to the node"
    assert_eq $((resets + 1)) "$(resets_of "$FTDI")" "port resets of $FTDI in dmesg"
}

# A kvmd usb-reset button, as kvmd runs it: 'gpio apply' writes the sudo rule for its line, and that line, run as
# user kvmd, resets the keyboard with reset-method auto although kvmd cannot open the usbdevfs node (root only,
# as without the udev rule); a line the rule does not name is refused, and 'gpio rollback' takes the rule away.
test_usb_reset_button_works_as_kvmd_through_sudo() {
    [ -x /usr/bin/sudo ] || fail "the guest has no sudo (the host needs the sudo package)"
    mkdir -p /etc/kvmtool /tmp/kvmd/override.d && chmod 755 /etc/kvmtool
    buttons=/etc/kvmtool/buttons.yaml
    cat > "$buttons" <<EOF
usb:
  devices:
    keyboard-b:
      serial: KBD-B
      reset-method: auto
kvmd:
  kvmtool-path: /opt/kvmtool/kvmtool
  override-dir: /tmp/kvmd/override.d
  backup-dir: /var/lib/kvmtool/backups
  buttons:
    reset-keyboard: {usb-reset: keyboard-b, label: "Reset the keyboard"}
EOF
    chmod 644 "$buttons"
    assert_ok kvmtool gpio apply --config "$buttons"
    assert_contains "$OUT" "wrote /etc/sudoers.d/kvmtool: user kvmd may run the button that needs root, and nothing else" "'gpio apply'"
    assert_eq "440 root" "$(stat -c '%a %U' /etc/sudoers.d/kvmtool)" "mode and owner of the sudo rule"
    # The button's command line exactly as kvmd will run it (its words need no quoting).
    line=$(sed -n 's/^ *cmd: \[\("\/usr\/bin\/sudo".*\)\]$/\1/p' /tmp/kvmd/override.d/gpio.yaml | tr -d '",')
    assert_eq "/usr/bin/sudo --non-interactive /opt/kvmtool/kvmtool usb reset keyboard-b --config $buttons" "$line" "the button's command line"

    chmod 0600 /dev/bus/usb/*/*
    dev=$(devnum_of "$KBD_B")
    resets=$(resets_of "$KBD_B")
    assert_ok su -s /bin/sh kvmd -c "$line"
    assert_match "$OUT" "$(back_line 0627:0001 "QEMU QEMU USB Keyboard" "$KBD_B" 1 "$dev" "auto: ioctl")" "the button, run as kvmd"
    assert_eq $((resets + 1)) "$(resets_of "$KBD_B")" "port resets of $KBD_B in dmesg"

    # Without the rule kvmd could not have done it, and the rule allows nothing else.
    assert_status 4 su -s /bin/sh kvmd -c "KVMTOOL_RUNTIME_DIR=/tmp /opt/kvmtool/kvmtool usb reset keyboard-b --config $buttons --method ioctl"
    assert_status 1 su -s /bin/sh kvmd -c "/usr/bin/sudo --non-interactive /opt/kvmtool/kvmtool usb reset SN:KBD-A --config $buttons"
    assert_contains "$ERR$OUT" "password is required" "sudo for a line the rule does not name"

    assert_ok kvmtool gpio rollback --config "$buttons"
    assert_contains "$OUT" "removed /etc/sudoers.d/kvmtool: no button needs root" "'gpio rollback'"
    [ ! -e /etc/sudoers.d/kvmtool ] || fail "rollback left /etc/sudoers.d/kvmtool"
    assert_status 1 su -s /bin/sh kvmd -c "$line"
    rm -rf /tmp/kvmd "$buttons" /var/lib/kvmtool/backups
}

# --- re-enumeration under another name --------------------------------------------------------------------

# A program holding the tty open keeps its minor, so after 'authorize' the FTDI comes back as another ttyUSB.
# A /dev symlink to the old name (what udev would move) then no longer points at the device: kvmtool must not
# call that healthy. Once the link follows the device, 'usb list' shows the new node with it.
test_authorize_brings_the_tty_back_under_another_name() {
    old=$(tty_of_port "$FTDI") || fail "the FTDI has no tty"
    ln -s "${old#/dev/}" /dev/kvmd-test
    exec 3< "$old"
    start=$(now_ms)
    assert_status 1 kvmtool usb reset SN:A10KVMT1 --method authorize --timeout 1
    took=$(($(now_ms) - start))
    exec 3<&-
    new=$(tty_of_port "$FTDI") || fail "the FTDI has no tty after the reset"
    note "the FTDI was $old and came back as $new ($took ms)"
    [ "$new" != "$old" ] || fail "the FTDI came back as $old although that node was held open"
    assert_match "$OUT" "^  after:  bus 1 device $(devnum_of "$FTDI") \\(same address\\); nodes ${new#/dev/}\$" "'usb reset --method authorize' (the new node)"
    assert_contains "$ERR" "did not come back healthy within 1 s after deauthorizing and re-authorizing it: /dev/kvmd-test does not point at the device." "the error"
    assert_contains "$ERR" "fix: Try a stronger method: 'kvmtool usb reset SN:A10KVMT1 --method power'" "the error"
    [ "$took" -le 6000 ] || fail "'usb reset --method authorize --timeout 1' took $took ms"

    # What udev would do. (Any reset of the FTDI now would move it back to the free ttyUSB0: ftdi_sio has no
    # pre/post-reset hooks, so even USBDEVFS_RESET unbinds and re-probes it and the tty is made anew.)
    ln -sf "${new#/dev/}" /dev/kvmd-test
    assert_ok kvmtool usb list
    assert_match "$(list_row "$FTDI")" " ftdi_sio +${new#/dev/} \\(kvmd-test\\) +A10KVMT1 " "the row of $FTDI"
}

test_relay_list_still_finds_the_board() {
    hidraw=$(hidraw_of_port "$RELAY") || fail "the relay board has no hidraw node"
    assert_ok kvmtool relay list
    assert_eq 1 "$(count_lines "$OUT" '5131:2007')" "lines with 5131:2007 in 'relay list'"
    line=$(printf '%s\n' "$OUT" | grep '5131:2007')
    assert_match "$line" "$(word "$hidraw")" "the board's line in 'relay list'"
    assert_match "$line" "$(word "$RELAY")" "the board's line in 'relay list'"
}

# The dmesg counts above prove resets only if the kernel log still holds everything since boot (128 KiB).
test_kernel_log_kept_everything() {
    assert_match "$(dmesg | head -n 1)" '^\[ *0\.000000\] Linux version ' "the first line of dmesg"
}
