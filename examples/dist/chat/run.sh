#!/usr/bin/env bash
# The chat room on room@127.0.0.1 and its users on alice@, bob@ and
# carol@. When the room says so, this script kills carol's node (kill -9);
# the room must drop her with :noconnection. Checks the output of the room
# and of the users left, and stops every node.
#   examples/dist/chat/run.sh        (REEF=path/to/reef to choose the binary)
set -euo pipefail
cd "$(dirname "$0")/../../.."
. examples/dist/lib.sh
DIR=examples/dist/chat
PROG=$DIR/chat.reef

need_reef
start_epmd
start_node room $PROG room "alice@$HOST" "bob@$HOST" "carol@$HOST"
room=$LAST_PID
wait_line room "room up"
# One after the other, so they join in the same order every run.
declare -A USERS
for u in alice bob carol; do
    start_node $u $PROG user $u "room@$HOST"
    USERS[$u]=$LAST_PID
    wait_line $u "$u joined"
done
wait_line room "now stop the node carol@$HOST"
kill_node "${USERS[carol]}"
wait_exit "$room" room 15
wait_exit "${USERS[alice]}" alice 5
wait_exit "${USERS[bob]}" bob 5
for n in room alice bob; do check_output $n $DIR/expected/$n.out; done
echo "chat: ok"
