#!/usr/bin/env bash
# Ping-pong between two Reef nodes on 127.0.0.1: starts pong@, then ping@
# (5 round trips), checks what each printed, and stops both.
#   examples/dist/ping_pong/run.sh        (REEF=path/to/reef to choose the binary)
set -euo pipefail
cd "$(dirname "$0")/../../.."
. examples/dist/lib.sh
DIR=examples/dist/ping_pong

need_reef
start_epmd
start_node pong $DIR/ping_pong.reef pong
pong=$LAST_PID
wait_line pong "waiting for pings"
start_node ping $DIR/ping_pong.reef ping "pong@$HOST" 5
ping=$LAST_PID
wait_exit "$ping" ping 15
wait_exit "$pong" pong 10
check_output ping $DIR/expected/ping.out
check_output pong $DIR/expected/pong.out
echo "ping_pong: ok"
