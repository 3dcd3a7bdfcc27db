#!/usr/bin/env bash
# A Reef node and an Erlang node on 127.0.0.1: compiles echo.erl (with
# erlc, or with erl -eval when erlc is missing), starts erl@ running echo,
# then reef@ running interop.reef, checks what both printed, and stops
# both.
#   examples/dist/erlang_interop/run.sh        (REEF=path/to/reef to choose the binary)
set -euo pipefail
cd "$(dirname "$0")/../../.."
. examples/dist/lib.sh
DIR=examples/dist/erlang_interop

command -v erl >/dev/null || fail "erl is not installed (apt-get install erlang-base)"
need_reef
EBIN=$LOGS/ebin
mkdir -p "$EBIN"
if command -v erlc >/dev/null; then
    erlc -o "$EBIN" $DIR/echo.erl || fail "erlc failed"
else
    erl -noshell -noinput -eval \
        "case compile:file(\"$DIR/echo.erl\", [{outdir, \"$EBIN\"}, report]) of {ok, _} -> halt(0); _ -> halt(1) end." ||
        fail "compiling echo.erl failed"
fi
start_epmd
start_erl erl -pa "$EBIN" -s echo start
erl_pid=$LAST_PID
wait_line erl "echo is up"
start_node reef $DIR/interop.reef drive "erl@$HOST"
reef=$LAST_PID
wait_exit "$reef" reef 15
wait_exit "$erl_pid" erl 5
check_output reef $DIR/expected/reef.out
check_output erl $DIR/expected/erl.out
echo "erlang_interop: ok"
