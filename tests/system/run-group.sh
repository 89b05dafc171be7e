#!/bin/sh
# Runs one test group inside the guest and reports each test case on stdout (the serial console):
#
#   SYSTEST BEGIN <group> <number of tests>
#   SYSTEST PASS <group>/<test> <seconds>s
#   SYSTEST FAIL <group>/<test> <seconds>s: <first ASSERT message, or the exit status>
#     | <the test's output, then the end of dmesg>        (only after a FAIL)
#   SYSTEST SKIP <group>/<test> <seconds>s: <reason>
#   SYSTEST END <group>
#
# A test case is a shell function whose name starts with test_ and whose definition starts a line of the group
# script (test_name() {); they run in file order. Each runs in a fresh shell that has sourced lib.sh, the group
# script and the state file that group_setup left ($SYSTEST_STATE), under a time limit. Optional functions:
# group_setup (once, before the first test; if it fails every test fails), setup and teardown (around each
# test, teardown in its own shell so it also runs after a failed assertion), group_teardown (once, at the end).

group=$1
lib=/systest/guest/lib.sh
file=/systest/guest/$group.sh

export SYSTEST_GROUP="$group"
export SYSTEST_FILE="$file"
export SYSTEST_WORK="/tmp/systest/$group"
export SYSTEST_STATE="$SYSTEST_WORK/state.sh"
mkdir -p "$SYSTEST_WORK"
: > "$SYSTEST_STATE"

uptime_cs() {
    # /proc/uptime in hundredths of a second.
    read -r up _ < /proc/uptime
    echo "${up%.*}${up#*.}" | sed 's/^0*//; s/^$/0/'
}

seconds_since() {
    now=$(uptime_cs)
    awk -v a="$1" -v b="$now" 'BEGIN { printf "%.2f", (b - a) / 100 }'
}

# Runs one function of the group script in a fresh shell, under a time limit; output goes to $2.
# Its variables have names of their own: the caller's $log must survive the teardown's run.
run_function() {
    _rf_fn=$1 _rf_log=$2 _rf_limit=$3
    # shellcheck disable=SC2016 # expanded by the inner shell
    timeout -s KILL "$_rf_limit" sh -c '
        . "$1" || exit 90
        . "$SYSTEST_FILE" || exit 91
        . "$SYSTEST_STATE" || exit 92
        if [ "$2" = "test" ]; then
            if is_function setup; then setup || fail "setup failed"; fi
        fi
        "$3"
    ' systest-case "$lib" "$4" "$_rf_fn" > "$_rf_log" 2>&1
}

print_log() {
    tail -n 80 "$1" | sed 's/^/  | /'
    dmesg | tail -n 12 | sed 's/^/  | dmesg: /'
}

if [ ! -f "$file" ]; then
    echo "SYSTEST BEGIN $group 1"
    echo "SYSTEST FAIL $group/group 0.00s: no file guest/$group.sh in the guest"
    echo "SYSTEST END $group"
    exit 1
fi

test_limit=$(sed -n 's/^# systest-test-timeout: *\([0-9][0-9]*\).*/\1/p' "$file" | head -n 1)
test_limit=${test_limit:-60}
tests=$(sed -n 's/^\(test_[A-Za-z0-9_]*\) *() *{*.*/\1/p' "$file")
count=$(printf '%s\n' "$tests" | grep -c .)

echo "SYSTEST BEGIN $group $count"

setup_failed=
if grep -q '^group_setup *()' "$file"; then
    start=$(uptime_cs)
    run_function group_setup "$SYSTEST_WORK/group_setup.log" 300 group
    rc=$?
    if [ $rc -ne 0 ]; then
        reason=$(sed -n 's/^ASSERT: //p' "$SYSTEST_WORK/group_setup.log" | head -n 1)
        setup_failed="group_setup failed: ${reason:-exit status $rc}"
        echo "SYSTEST INFO $group: $setup_failed ($(seconds_since "$start")s)"
        print_log "$SYSTEST_WORK/group_setup.log"
    fi
fi

for t in $tests; do
    name=${t#test_}
    if [ -n "$setup_failed" ]; then
        echo "SYSTEST FAIL $group/$name 0.00s: $setup_failed"
        continue
    fi
    log="$SYSTEST_WORK/$name.log"
    start=$(uptime_cs)
    run_function "$t" "$log" "$test_limit" test
    rc=$?
    took=$(seconds_since "$start")
    if grep -q '^teardown *()' "$file"; then
        run_function teardown "$log.teardown" 60 teardown || {
            echo "teardown failed (exit status $?):" >> "$log"
            cat "$log.teardown" >> "$log"
            [ $rc -eq 0 ] && rc=93
        }
    fi
    case $rc in
        0)
            echo "SYSTEST PASS $group/$name ${took}s"
            [ "${SYSTEST_VERBOSE:-0}" = 1 ] && sed 's/^/  | /' "$log"
            ;;
        77)
            reason=$(sed -n 's/^SKIP: //p' "$log" | head -n 1)
            echo "SYSTEST SKIP $group/$name ${took}s: ${reason:-skipped}"
            ;;
        *)
            reason=$(sed -n 's/^ASSERT: //p' "$log" | head -n 1)
            case $rc in
                90|91|92) reason="could not source lib.sh, the group or its state (exit status $rc)" ;;
                93) reason="teardown failed" ;;
                137) [ -z "$reason" ] && reason="timed out after ${test_limit}s (systest-test-timeout)" ;;
            esac
            echo "SYSTEST FAIL $group/$name ${took}s: ${reason:-exit status $rc}"
            print_log "$log"
            ;;
    esac
done

if grep -q '^group_teardown *()' "$file"; then
    run_function group_teardown "$SYSTEST_WORK/group_teardown.log" 120 group ||
        echo "SYSTEST INFO $group: group_teardown failed"
fi
echo "SYSTEST END $group"
