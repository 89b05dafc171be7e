# shellcheck shell=sh
# Helpers for guest test scripts (busybox sh). run-group.sh sources this file, then the group script, in a fresh
# shell for every test case. A failed assertion prints "ASSERT: <message>" and ends the test case (exit 1);
# run-group.sh reports the first ASSERT line as the reason and prints the whole output of a failed test.
# An assertion inside $(...) ends only that subshell: write "x=$(f) || fail "$x"" when f may fail.
# This file is not a group: names starting with "lib" in guest/ are never run as groups.

# --- outcome ----------------------------------------------------------------------------------------------

fail() {
    echo "ASSERT: $*"
    exit 1
}

skip() {
    echo "SKIP: $*"
    exit 77
}

# A line in the test's log (shown only when the test fails).
note() {
    echo "# $*"
}

is_function() {
    case "$(type "$1" 2>/dev/null)" in
        *function*) return 0 ;;
        *) return 1 ;;
    esac
}

# Keeps NAME=VALUE for the test cases that follow (use it in group_setup; each test runs in a fresh shell).
keep_state() {
    printf "%s='%s'\n" "$1" "$(printf '%s' "$2" | sed "s/'/'\\\\''/g")" >> "$SYSTEST_STATE"
    eval "$1=\$2"
}

# --- running commands -------------------------------------------------------------------------------------

# run CMD [ARG...]: runs a command and keeps its stdout in $OUT, its stderr in $ERR and its exit status in
# $RC; all three go to the test's log. Never fails by itself.
run() {
    _run_out="$SYSTEST_WORK/run.out.$$"
    _run_err="$SYSTEST_WORK/run.err.$$"
    echo "\$ $*"
    "$@" > "$_run_out" 2> "$_run_err"
    RC=$?
    OUT=$(cat "$_run_out")
    ERR=$(cat "$_run_err")
    rm -f "$_run_out" "$_run_err"
    [ -n "$OUT" ] && printf '%s\n' "$OUT" | sed 's/^/  stdout: /'
    [ -n "$ERR" ] && printf '%s\n' "$ERR" | sed 's/^/  stderr: /'
    echo "  exit status $RC"
    return 0
}

# assert_status N CMD [ARG...]: runs the command (as run does) and fails unless it exits with status N.
assert_status() {
    _want=$1
    shift
    run "$@"
    [ "$RC" = "$_want" ] ||
        fail "'$*' exited with status $RC, expected $_want$(first_line_of "$ERR" "$OUT")"
}

# assert_ok CMD [ARG...]: the command must exit 0.
assert_ok() {
    assert_status 0 "$@"
}

first_line_of() {
    for _text in "$@"; do
        if [ -n "$_text" ]; then
            printf ': %s' "$(printf '%s\n' "$_text" | head -n 1)"
            return
        fi
    done
}

# --- assertions -------------------------------------------------------------------------------------------

# assert_eq EXPECTED ACTUAL [WHAT]
assert_eq() {
    [ "$1" = "$2" ] || fail "${3:-value}: expected '$1', got '$2'"
}

# assert_contains TEXT NEEDLE [WHAT]: NEEDLE is a fixed string.
assert_contains() {
    printf '%s\n' "$1" | grep -qF -- "$2" || fail "${3:-output} does not contain '$2'"
}

assert_not_contains() {
    if printf '%s\n' "$1" | grep -qF -- "$2"; then fail "${3:-output} contains '$2'"; fi
}

# assert_match TEXT REGEX [WHAT]: an extended regular expression that some line of TEXT must match.
assert_match() {
    printf '%s\n' "$1" | grep -qE -- "$2" || fail "${3:-output} has no line matching /$2/"
}

# count_lines TEXT REGEX: how many lines of TEXT match the extended regular expression.
count_lines() {
    printf '%s\n' "$1" | grep -cE -- "$2"
}

assert_exists() {
    [ -e "$1" ] || fail "$1 does not exist"
}

# wait_for SECONDS CMD [ARG...]: polls every 0.1 s until the command succeeds; fails after SECONDS.
wait_for() {
    _limit=$(($1 * 10))
    shift
    _i=0
    while ! "$@" > /dev/null 2>&1; do
        _i=$((_i + 1))
        [ $_i -ge $_limit ] && fail "waited $((_limit / 10)) s for: $*"
        usleep 100000
    done
}

# --- time -------------------------------------------------------------------------------------------------

# Milliseconds since boot (10 ms resolution).
now_ms() {
    read -r _up _ < /proc/uptime
    echo $(( $(echo "${_up%.*}${_up#*.}" | sed 's/^0*//; s/^$/0/') * 10 ))
}

# --- bytes ------------------------------------------------------------------------------------------------

# hex_bytes "06 00 ff": writes those bytes to stdout.
hex_bytes() {
    _fmt=
    for _b in $1; do
        _fmt="$_fmt$(printf '\\%03o' "0x$_b")"
    done
    # shellcheck disable=SC2059 # the format is the point: it holds the octal escapes
    printf "$_fmt"
}

# Formats stdin as lower-case hex bytes separated by single spaces, all on one line.
to_hex() {
    od -An -v -tx1 | tr -s ' \n' '  ' | sed 's/^ *//; s/ *$//'
}
