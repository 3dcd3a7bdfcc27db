#!/usr/bin/env bash
# The work queue on four Reef nodes on 127.0.0.1: w1@, w2@ and w3@ host the
# workers, coord@ hands out 200 jobs (at most 4 unacknowledged per
# worker). When a quarter of the results are in, this script kills w2's
# node (kill -9); the coordinator must still count every job's result
# exactly once. Checks every node's output and stops them all.
#   examples/dist/work_queue/run.sh        (REEF=path/to/reef to choose the binary)
set -euo pipefail
cd "$(dirname "$0")/../../.."
. examples/dist/lib.sh
DIR=examples/dist/work_queue
PROG=$DIR/work_queue.reef

need_reef
start_epmd
declare -A HOSTS
for w in w1 w2 w3; do
    start_node $w $PROG host "coord@$HOST"
    HOSTS[$w]=$LAST_PID
done
for w in w1 w2 w3; do wait_line $w "is up"; done
start_node coord $PROG coordinator 200 4 "w1@$HOST" "w2@$HOST" "w3@$HOST"
coord=$LAST_PID
wait_line coord "now stop the node w2@$HOST" 10
kill_node "${HOSTS[w2]}"
wait_exit "$coord" coord 15
wait_exit "${HOSTS[w1]}" w1 5
wait_exit "${HOSTS[w3]}" w3 5
check_output coord $DIR/expected/coord.out
check_output w1 $DIR/expected/w1.out
check_output w3 $DIR/expected/w3.out
echo "work_queue: ok"
