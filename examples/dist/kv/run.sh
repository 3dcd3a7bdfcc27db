#!/usr/bin/env bash
# The replicated key-value store on three Reef nodes on 127.0.0.1: b@ and
# c@ serve, a@ drives. When a says so, this script kills c's node (kill -9)
# and later starts it again; c must catch up from a and b. Checks every
# node's output and stops them all.
#   examples/dist/kv/run.sh        (REEF=path/to/reef to choose the binary)
set -euo pipefail
cd "$(dirname "$0")/../../.."
. examples/dist/lib.sh
DIR=examples/dist/kv
PROG=$DIR/kv.reef

need_reef
start_epmd
start_node b $PROG store "c@$HOST"
b=$LAST_PID
wait_line b "store up"
start_node c $PROG store "b@$HOST"
c=$LAST_PID
wait_line c "store up"
start_node a $PROG drive "b@$HOST" "c@$HOST"
a=$LAST_PID
wait_line a "now stop the node c@$HOST"
kill_node "$c"
wait_line a "now restart the node c@$HOST"
start_node c $PROG store "a@$HOST" "b@$HOST"
c=$LAST_PID
wait_exit "$a" a 15
wait_exit "$b" b 5
wait_exit "$c" c 5
for n in a b c; do check_output $n $DIR/expected/$n.out; done
echo "kv: ok"
