# shellcheck shell=sh
# USB HID gadgets for guest tests: a configfs gadget with one HID function (f_hid), bound to a dummy_hcd UDC,
# enumerates through the guest's own usbcore/usbhid like a device on a real port. What the host side writes to
# the device's hidraw node arrives on the gadget's /dev/hidgN. Source it after lib.sh.
#
#   load_module dummy_hcd num=2                   two UDCs: dummy_udc.0 and dummy_udc.1, one USB bus each
#   gadget_hid_create NAME VID PID SERIAL PRODUCT REPORT_LENGTH "DESCRIPTOR HEX" [UDC]   (no UDC: not bound)
#   gadget_hid_bind NAME UDC / gadget_hid_unbind NAME
#   gadget_hidg NAME            -> /dev/hidgN of the gadget's function
#   usb_port_of_serial SERIAL   -> the host-side USB device (port path, e.g. 1-1) with that serial string
#   hidraw_of_port PORT         -> /dev/hidrawN of that USB device (first one)
#   read_report DEV SECONDS     -> the next report read from DEV as hex ("a0 01 01 a2"); status 1 if none came
#   drain_reports DEV           -> throws away reports already queued on DEV

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

# read_report DEV SECONDS: one read() of up to 64 bytes from DEV (a report is one read on /dev/hidgN); waits at
# most SECONDS (0 means 0.2 s).
read_report() {
    _f="$SYSTEST_WORK/report.$$"
    rm -f "$_f"
    dd if="$1" of="$_f" bs=64 count=1 2>/dev/null &
    _p=$!
    _i=0
    _max=$(($2 * 20))
    [ $_max -lt 4 ] && _max=4
    while kill -0 "$_p" 2>/dev/null; do
        _i=$((_i + 1))
        if [ $_i -gt $_max ]; then
            kill "$_p" 2>/dev/null
            wait "$_p" 2>/dev/null
            return 1
        fi
        usleep 50000
    done
    wait "$_p"
    [ -s "$_f" ] || return 1
    to_hex < "$_f"
    rm -f "$_f"
}

drain_reports() {
    while _r=$(read_report "$1" 0); do note "drained from $1: $_r"; done
}
