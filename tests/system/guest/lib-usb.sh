# shellcheck shell=sh
# USB helpers for guest tests. Source it after lib.sh.
#
# HID gadgets: a configfs gadget with one HID function (f_hid), bound to a dummy_hcd UDC, enumerates through the
# guest's own usbcore/usbhid like a device on a real port. What the host side writes to the device's hidraw
# node arrives on the gadget's /dev/hidgN.
#
#   load_module dummy_hcd num=2                   two UDCs: dummy_udc.0 and dummy_udc.1, one USB bus each
#   gadget_hid_create NAME VID PID SERIAL PRODUCT REPORT_LENGTH "DESCRIPTOR HEX" [UDC]   (no UDC: not bound)
#   gadget_hid_bind NAME UDC / gadget_hid_unbind NAME / gadget_hid_remove NAME
#   gadget_hidg NAME            -> /dev/hidgN of the gadget's function
#   read_report DEV SECONDS     -> the next report read from DEV as hex ("a0 01 01 a2"); status 1 if none came
#   drain_reports DEV           -> throws away reports already queued on DEV
#
# USB devices as the guest sees them (any host controller):
#   usb_port_of_serial SERIAL   -> the USB device (port path, e.g. 1-1) with that serial string
#   usb_port_of_id VID PID      -> the first USB device with that id (hex, e.g. 0403 6001)
#   hidraw_of_port PORT         -> /dev/hidrawN of that USB device (first one)
#   tty_of_port PORT            -> /dev/ttyUSBn or /dev/ttyACMn of that USB device (first one)
#   hidraw_ready SERIAL / usb_gone SERIAL          conditions for wait_for
#   read_bytes DEV BS COUNT SECONDS -> what dd read (COUNT reads of up to BS bytes) as hex; status 1 if nothing

GADGETS=/sys/kernel/config/usb_gadget

# load_module NAME [PARAM=VALUE...]: modprobe, once.
load_module() {
    _mod=$(echo "$1" | tr - _)
    grep -q "^$_mod " /proc/modules && return 0
    modprobe "$@" || fail "modprobe $* failed"
}

gadget_hid_create() {
    _name=$1 _vid=$2 _pid=$3 _serial=$4 _product=$5 _len=$6 _desc=$7 _udc=$8
    _g=$GADGETS/$_name
    mkdir "$_g" || fail "cannot create gadget $_g (is configfs mounted and libcomposite loaded?)"
    echo "$_vid" > "$_g/idVendor"
    echo "$_pid" > "$_g/idProduct"
    echo 0x0200 > "$_g/bcdUSB"
    echo 0x0100 > "$_g/bcdDevice"
    mkdir "$_g/strings/0x409"
    echo "$_serial" > "$_g/strings/0x409/serialnumber"
    echo "kvmtool system tests" > "$_g/strings/0x409/manufacturer"
    echo "$_product" > "$_g/strings/0x409/product"
    mkdir "$_g/configs/c.1"
    mkdir "$_g/configs/c.1/strings/0x409"
    echo "$_product" > "$_g/configs/c.1/strings/0x409/configuration"
    echo 100 > "$_g/configs/c.1/MaxPower"
    mkdir "$_g/functions/hid.usb0" || fail "cannot create the HID function (is usb_f_hid loaded?)"
    echo 0 > "$_g/functions/hid.usb0/protocol"
    echo 0 > "$_g/functions/hid.usb0/subclass"
    echo "$_len" > "$_g/functions/hid.usb0/report_length"
    hex_bytes "$_desc" > "$_g/functions/hid.usb0/report_desc"
    ln -s "$_g/functions/hid.usb0" "$_g/configs/c.1/"
    [ -z "$_udc" ] || gadget_hid_bind "$_name" "$_udc"
}

gadget_hid_bind() {
    [ -e "/sys/class/udc/$2" ] || fail "no UDC $2 (is dummy_hcd loaded with enough num=?)"
    echo "$2" > "$GADGETS/$1/UDC" || fail "cannot bind gadget $1 to $2"
}

gadget_hid_unbind() {
    echo "" > "$GADGETS/$1/UDC"
}

gadget_hid_remove() {
    _g=$GADGETS/$1
    [ -d "$_g" ] || return 0
    echo "" > "$_g/UDC" 2>/dev/null
    rm -f "$_g/configs/c.1/hid.usb0"
    rmdir "$_g/configs/c.1/strings/0x409" "$_g/configs/c.1" "$_g/functions/hid.usb0" \
        "$_g/strings/0x409" "$_g"
}

# The gadget's /dev/hidgN, matched by the function's device number.
gadget_hidg() {
    _dev=$(cat "$GADGETS/$1/functions/hid.usb0/dev" 2>/dev/null) || return 1
    for _c in /sys/class/hidg/hidg*; do
        [ "$(cat "$_c/dev")" = "$_dev" ] && { echo "/dev/${_c##*/}"; return 0; }
    done
    return 1
}

usb_port_of_serial() {
    for _d in /sys/bus/usb/devices/*; do
        [ -f "$_d/serial" ] && [ "$(cat "$_d/serial")" = "$1" ] && { echo "${_d##*/}"; return 0; }
    done
    return 1
}

usb_port_of_id() {
    for _d in /sys/bus/usb/devices/*; do
        [ -f "$_d/idVendor" ] && [ "$(cat "$_d/idVendor"):$(cat "$_d/idProduct")" = "$1:$2" ] &&
            { echo "${_d##*/}"; return 0; }
    done
    return 1
}

tty_of_port() {
    for _t in /sys/bus/usb/devices/"$1"/"$1":*/ttyUSB* /sys/bus/usb/devices/"$1"/"$1":*/tty/ttyACM*; do
        [ -e "$_t" ] && [ -c "/dev/${_t##*/}" ] && { echo "/dev/${_t##*/}"; return 0; }
    done
    return 1
}

hidraw_of_port() {
    for _h in /sys/bus/usb/devices/"$1"/"$1":*/*/hidraw/hidraw*; do
        [ -e "$_h" ] && { echo "/dev/${_h##*/}"; return 0; }
    done
    return 1
}

# hidraw_ready SERIAL: the USB device with that serial has enumerated and its hidraw node exists.
hidraw_ready() {
    _p=$(usb_port_of_serial "$1") && _n=$(hidraw_of_port "$_p") && [ -c "$_n" ]
}

# usb_gone SERIAL: no USB device has that serial (any more).
usb_gone() {
    ! usb_port_of_serial "$1" > /dev/null
}

# read_bytes DEV BS COUNT SECONDS: dd's COUNT reads of up to BS bytes from DEV, as hex; waits at most SECONDS
# (0 means 0.2 s) and returns 1 if nothing came (what came before the time ran out is printed).
read_bytes() {
    _f="$SYSTEST_WORK/read.$$"
    rm -f "$_f"
    dd if="$1" of="$_f" bs="$2" count="$3" 2>/dev/null &
    _p=$!
    _i=0
    _max=$(($4 * 20))
    [ $_max -lt 4 ] && _max=4
    while kill -0 "$_p" 2>/dev/null; do
        _i=$((_i + 1))
        if [ $_i -gt $_max ]; then
            kill "$_p" 2>/dev/null
            wait "$_p" 2>/dev/null
            [ -s "$_f" ] && to_hex < "$_f"
            rm -f "$_f"
            return 1
        fi
        usleep 50000
    done
    wait "$_p"
    [ -s "$_f" ] || return 1
    to_hex < "$_f"
    rm -f "$_f"
}

# read_report DEV SECONDS: one read() of up to 64 bytes from DEV (a report is one read on /dev/hidgN).
read_report() {
    read_bytes "$1" 64 1 "$2"
}

drain_reports() {
    while _r=$(read_report "$1" 0); do note "drained from $1: $_r"; done
}
