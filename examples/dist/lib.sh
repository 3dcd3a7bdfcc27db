# shellcheck shell=bash
# Helpers shared by the run.sh scripts of examples/dist/: start nodes on
# 127.0.0.1, wait for a line in a node's output, compare output, and stop
# every process the script started (by pid, on exit, whatever happens).
#
# A script sources this file from the repository root:
#   cd "$(dirname "$0")/../../.." && . examples/dist/lib.sh

REEF=${REEF:-target/release/reef}
COOKIE=${COOKIE:-reef_examples}
HOST=127.0.0.1
# Every node's stdout and stderr go to $LOGS/NAME.out and NAME.err.
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/reef-dist.XXXXXX")
PIDS=()
LAST_PID=
FAILED=0

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    sleep 0.2
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
    if [ "$FAILED" != 0 ] || [ -n "${KEEP_LOGS:-}" ]; then
        echo "node logs kept in $LOGS" >&2
    else
        rm -rf "$LOGS"
    fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
    FAILED=1
    echo "FAIL: $*" >&2
    local f
    for f in "$LOGS"/*; do
        [ -s "$f" ] || continue
        echo "---- ${f##*/}" >&2
        tail -n 30 "$f" >&2
    done
    exit 1
}

# The reef binary must exist and know --name (distribution built in).
need_reef() {
    [ -x "$REEF" ] || fail "no reef binary at $REEF (cargo build --release -p reef)"
    "$REEF" --help 2>&1 | grep -q -- '--name' ||
        fail "$REEF has no --name option: this build has no distribution"
}

# Nodes find each other through EPMD on port 4369 (or ERL_EPMD_PORT, which
# reef and erl read too: the tests give each run its own). If none is running,
# start one in the foreground (Erlang's epmd, else `reef epmd`) so that it
# is ours to stop: a node that finds none starts a detached one, which
# would outlive the script.
EPMD_PORT=${ERL_EPMD_PORT:-4369}
start_epmd() {
    if command -v epmd >/dev/null; then
        epmd -names >/dev/null 2>&1 && return 0
        epmd -port "$EPMD_PORT" >/dev/null 2>&1 &
    else
        # No Erlang here: if something answers on the port, it is an EPMD.
        (exec 3<>/dev/tcp/127.0.0.1/$EPMD_PORT) 2>/dev/null && return 0
        "$REEF" epmd --port "$EPMD_PORT" >/dev/null 2>&1 &
    fi
    PIDS+=($!)
    local i
    for i in $(seq 50); do
        (exec 3<>/dev/tcp/127.0.0.1/$EPMD_PORT) 2>/dev/null && return 0
        sleep 0.05
    done
    fail "epmd did not start"
}

# name_free NAME: waits (3 s at most) until no node called NAME is
# registered with EPMD: a node killed a moment ago is unregistered when
# EPMD sees its connection close; a node of that name still there is
# another run's, and would make this one fail in a confusing way.
name_free() {
    command -v epmd >/dev/null || return 0
    local i
    for i in $(seq 60); do
        epmd -names 2>/dev/null | grep -q "^name $1 at port" || return 0
        sleep 0.05
    done
    fail "a node named $1 is already registered with EPMD (another run on this machine?)"
}

# start_node NAME FILE ARGS...: `reef --name NAME@127.0.0.1 run FILE ARGS`
# in the background; its pid in LAST_PID. Output appends to the logs, so a
# node restarted under the same name keeps one log.
start_node() {
    local name=$1
    shift
    name_free "$name"
    "$REEF" --name "$name@$HOST" --cookie "$COOKIE" run "$@" \
        >>"$LOGS/$name.out" 2>>"$LOGS/$name.err" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

# start_erl NAME ARGS...: an Erlang node `erl -name NAME@127.0.0.1 ...`.
start_erl() {
    local name=$1
    shift
    name_free "$name"
    erl -name "$name@$HOST" -setcookie "$COOKIE" -noshell -noinput "$@" \
        >>"$LOGS/$name.out" 2>>"$LOGS/$name.err" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
}

# wait_line NAME TEXT [SECONDS]: until NAME's stdout holds a line with TEXT.
wait_line() {
    local name=$1 text=$2 secs=${3:-10}
    local deadline=$((SECONDS + secs))
    while [ $SECONDS -lt $deadline ]; do
        grep -qF -- "$text" "$LOGS/$name.out" 2>/dev/null && return 0
        sleep 0.05
    done
    fail "$name did not print \"$text\" within $secs s"
}

# wait_exit PID NAME [SECONDS]: until the process ends; fails if it takes
# longer or ends with a non-zero status.
wait_exit() {
    local pid=$1 name=$2 secs=${3:-10}
    local deadline=$((SECONDS + secs))
    while kill -0 "$pid" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || fail "$name still running after $secs s"
        sleep 0.05
    done
    local status=0
    wait "$pid" || status=$?
    [ "$status" = 0 ] || fail "$name exited with status $status"
}

# kill_node PID: kill -9, as a crash or a pulled cable would.
kill_node() {
    kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# check_output NAME EXPECTED_FILE: NAME's stdout must be exactly the file.
check_output() {
    local name=$1 want=$2
    if ! diff -u "$want" "$LOGS/$name.out" >"$LOGS/diff" 2>&1; then
        cat "$LOGS/diff" >&2
        fail "$name's output differs from $want"
    fi
    rm -f "$LOGS/diff"
}
