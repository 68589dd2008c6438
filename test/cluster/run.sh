#!/usr/bin/env bash
# test/cluster/run.sh: sqlite-relationship on a 3-node dqlite cluster.
#
#   make test-cluster          (builds what it needs, then runs this)
#
# Starts three dqlite-demo nodes on 127.0.0.1 with the extension registered
# in each (LD_PRELOAD of build/cluster/librelationship_preload.so, see
# preload.c), runs scenario.sql through the leader with the dqlite shell,
# and compares every table with a single-node run of the same script
# (sqlite3 with .load). Then kills the leader (SIGKILL), waits for a new
# one, compares again, runs after.sql there (writes through the
# relationship tables) and compares once more. Last, it brings nodes back
# without the extension until one of them leads, and checks that the base
# tables read there, that the triggers keep the rules, and that the
# relationship tables are refused. Every step prints PASS or FAIL; the exit
# status is non-zero when anything failed. Each dqlite shell is bounded by
# timeout(1), every node by a watchdog (NODE_SECONDS), and the nodes are
# killed on exit.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/test/cluster
ext=$top/build/relationship
preload=$top/build/cluster/librelationship_preload.so
NODE_SECONDS=${NODE_SECONDS:-150}   # a node stops by itself after this
SHELL_SECONDS=30                    # one dqlite shell run

nfail=0
npass=0
pass() { echo "PASS: $*"; npass=$((npass+1)); }
fail() { echo "FAIL: $*"; nfail=$((nfail+1)); }
die()  { fail "$*"; finish; }

for f in "$ext.so" "$preload"; do
  [ -f "$f" ] || { echo "FAIL: $f is missing (run: make test-cluster)"; exit 1; }
done
for c in dqlite dqlite-demo sqlite3 timeout; do
  command -v "$c" >/dev/null 2>&1 \
    || { echo "FAIL: $c not found (tools/deps.sh cluster installs it)"; exit 1; }
done

mkdir -p "$top/build/cluster"
work=$(mktemp -d "$top/build/cluster/run.XXXXXX")
declare -A pid=()      # dqlite address -> node pid
declare -A plain=()    # dqlite address -> 1 when started without the extension
nodes=()               # dqlite addresses, in start order
watchdog=()            # pids of the sleeps that kill a node at NODE_SECONDS

stop_nodes() {
  local a
  for a in "${!pid[@]}"; do
    kill -9 "${pid[$a]}" 2>/dev/null
  done
  for a in "${!pid[@]}"; do
    wait "${pid[$a]}" 2>/dev/null
  done
  pid=()
  for a in "${watchdog[@]}"; do
    kill "$a" 2>/dev/null
    wait "$a" 2>/dev/null
  done
  watchdog=()
}
finish() {
  stop_nodes
  [ "$nfail" = 0 ] && rm -rf "$work" \
    || echo "cluster: the nodes' logs and the dumps are in ${work#$top/}"
  echo "cluster: $npass passed, $nfail failed"
  exit $(( nfail > 0 ))
}
trap 'stop_nodes' EXIT
trap 'echo "FAIL: interrupted"; nfail=$((nfail+1)); finish' INT TERM

# A port is free when nothing accepts a connection on it.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Three consecutive free ports from $1 on (dqlite) and the same +1000 (the
# demo's HTTP API, which this script does not use but must bind).
base=""
for try in 0 1 2 3 4 5 6 7 8 9; do
  b=$(( 21000 + (RANDOM % 400) * 10 ))
  ok=1
  for i in 1 2 3; do
    port_free $((b+i)) && port_free $((b+1000+i)) || ok=0
  done
  if [ $ok = 1 ]; then base=$b; break; fi
done
[ -n "$base" ] || die "no free ports on 127.0.0.1"

# The scenario without comments and blank lines: the dqlite shell runs each
# line it reads as one statement.
strip() { grep -v -e '^--' -e '^[[:space:]]*$' "$1"; }

# dq SERVERS: the dqlite shell on database "rel" (not the demo's own "demo",
# which holds its table "model"), statements on stdin; prints the results
# without the prompts.
dq() {
  timeout "$SHELL_SECONDS" dqlite -s "$1" rel 2>&1 \
    | sed -e 's/^\(dqlite> \)*//' | grep -v '^$'
}
# ref FILE...: the same statements on the single-node reference database,
# with foreign keys enforced, as dqlite's connections have them.
ref() {
  cat "$@" | timeout "$SHELL_SECONDS" sqlite3 -batch -bail \
    -cmd ".load $ext" -cmd "PRAGMA foreign_keys=ON" "$work/ref.db" 2>&1
}
servers() { local IFS=,; echo "$*"; }

# start_node N [JOIN]: node N with the extension (the preload library);
# plain_node N: node N again, on its data, without it.
start_node() {
  launch_ready "$1" "$preload" "${2:-}" || die "node $1 did not start"
  nodes+=("127.0.0.1:$((base+$1))")
}
plain_node() {
  echo "--- restarted without the extension" >>"$work/n$1.log"
  launch_ready "$1" "" "" || die "node $1 did not start again"
  plain[127.0.0.1:$((base+$1))]=1
}
# launch_ready N PRELOAD JOIN: launch, and wait until the node serves its
# HTTP API, which dqlite-demo opens once it has joined and opened its
# database. A node that exits first (a restarted node sometimes fails
# its first call to the leader: "receive: header: EOF") is started again,
# up to five times.
launch_ready() {
  local try addr=127.0.0.1:$((base+$1)) api=$((base+1000+$1))
  for try in 1 2 3 4 5; do
    launch "$@"
    up_or_gone() { ! port_free "$api" || ! kill -0 "${pid[$addr]}" 2>/dev/null; }
    wait_for 30 up_or_gone
    if ! port_free "$api" && kill -0 "${pid[$addr]}" 2>/dev/null; then
      return 0
    fi
    kill_node "$addr"
    echo "cluster: node $1 exited before it was up ($(grep "^Error" "$work/n$1.log" | tail -n 1)); starting it again"
    sleep 1
  done
  return 1
}
launch() {   # launch N PRELOAD JOIN
  local n=$1 addr=127.0.0.1:$((base+$1)) api=127.0.0.1:$((base+1000+$1))
  mkdir -p "$work/n$n"
  REL_PRELOAD_TRACE=1 LD_PRELOAD="$2" \
    dqlite-demo --api "$api" --db "$addr" --dir "$work/n$n" \
      ${3:+--join "$3"} </dev/null >>"$work/n$n.log" 2>&1 &
  pid[$addr]=$!
  # The node's own bound, should this script itself be killed.
  ( trap 'kill $s; wait $s; exit' TERM; sleep "$NODE_SECONDS" & s=$!; wait $s
    kill -9 "${pid[$addr]}" ) </dev/null >/dev/null 2>&1 &
  watchdog+=($!)
}
kill_node() {   # kill_node ADDR: SIGKILL, no goodbye
  kill -9 "${pid[$1]}" 2>/dev/null
  wait "${pid[$1]}" 2>/dev/null
  unset "pid[$1]"
}
node_number() { echo $(( ${1##*:} - base )); }

# wait_for SECONDS COMMAND...: retry COMMAND every half second.
wait_for() {
  local end=$(( SECONDS + $1 )); shift
  until "$@"; do
    [ $SECONDS -ge $end ] && return 1
    sleep 0.5
  done
}
has_voters() {   # has_voters N: the cluster lists N voters
  [ "$(echo .cluster | dq "$(servers "${nodes[@]}")" | grep -c '|voter$')" = "$1" ]
}
leader() { echo .leader | dq "$(servers "$@")" | grep -E '^127\.0\.0\.1:[0-9]+$'; }

#---------------------------------------------------------------------------
# The single-node reference, and the dump statements made from it.
echo "cluster: work dir ${work#$top/}, dqlite ports $((base+1))-$((base+3))"
declared='["book_author","author_books"]'   # what scenario.sql prints
out=$(strip "$here/scenario.sql" | ref -)
[ "$out" = "$declared" ] || die "reference run of scenario.sql: $out"
"$here/dump.sh" "$work/ref.db" >"$work/dump.sql" || die "dump.sh"
ref "$work/dump.sql" >"$work/ref.dump"
[ "$(wc -l <"$work/ref.dump")" -gt 50 ] || die "reference dump is too short"

#---------------------------------------------------------------------------
# The cluster.
start_node 1
start_node 2 "${nodes[0]}"
start_node 3 "${nodes[0]}"
if wait_for 40 has_voters 3; then
  pass "3-node cluster up ($(servers "${nodes[@]}"))"
else
  die "the cluster did not reach 3 voters: $(echo .cluster | dq "${nodes[0]}")"
fi
all=$(servers "${nodes[@]}")
n=$(grep -l 'relationship preload: registered' "$work"/n[123].log | wc -l)
if [ "$n" = 3 ]; then
  pass "extension registered on every node"
else
  fail "extension registered on $n of 3 nodes"
fi
out=$(echo 'SELECT rel_version();' | dq "$all")
if [ "$out" = 0.1.0 ]; then
  pass "rel_version() on the leader: $out"
else
  fail "rel_version() on the leader: $out"
fi

old=$(leader "${nodes[@]}")
out=$(strip "$here/scenario.sql" | dq "$all")
if [ "$out" = "$declared" ]; then
  pass "scenario.sql through the leader $old"
else
  fail "scenario.sql through the leader: $out"
fi
dq "$all" <"$work/dump.sql" >"$work/cluster.dump"
if cmp -s "$work/ref.dump" "$work/cluster.dump"; then
  pass "every table identical to the single-node run ($(wc -l <"$work/ref.dump") rows)"
else
  fail "tables differ from the single-node run:"
  diff "$work/ref.dump" "$work/cluster.dump" | head -20
fi

#---------------------------------------------------------------------------
# Failover.
kill_node "$old"
rest=()
for a in "${nodes[@]}"; do [ "$a" = "$old" ] || rest+=("$a"); done
new_leader() {
  local l; l=$(leader "${rest[@]}") && [ -n "$l" ] && [ "$l" != "$old" ]
}
if wait_for 40 new_leader; then
  new=$(leader "${rest[@]}")
  pass "leader $old killed; new leader $new"
else
  die "no new leader after killing $old"
fi
live=$(servers "${rest[@]}")
dq "$live" <"$work/dump.sql" >"$work/failover.dump"
if cmp -s "$work/ref.dump" "$work/failover.dump"; then
  pass "every table identical on the new leader (rel_declare's tables too)"
else
  fail "tables on the new leader differ from the single-node run:"
  diff "$work/ref.dump" "$work/failover.dump" | head -20
fi

out=$(echo 'SELECT owner, id, name FROM parent_children ORDER BY owner, id;' | dq "$live")
if [ "$out" = "30|4|stray" ]; then
  pass "a relationship table reads on the new leader"
else
  fail "parent_children on the new leader: $out"
fi
out=$(strip "$here/after.sql" | dq "$live")
rout=$(strip "$here/after.sql" | ref -)
if [ -z "$out" ] && [ -z "$rout" ]; then
  pass "after.sql (writes through the relationship tables) on the new leader"
else
  fail "after.sql on the new leader: $out $rout"
fi
ref "$work/dump.sql" >"$work/ref2.dump"
dq "$live" <"$work/dump.sql" >"$work/after.dump"
if cmp -s "$work/ref2.dump" "$work/after.dump" \
   && ! cmp -s "$work/ref.dump" "$work/ref2.dump"; then
  pass "every table identical to the single-node run after those writes"
else
  fail "tables differ after after.sql:"
  diff "$work/ref2.dump" "$work/after.dump" | head -20
fi
out=$(echo 'SELECT owner, id, name FROM parent_children ORDER BY owner, id;' | dq "$live")
if [ "$out" = "$(printf '30|1|son\n30|5|cousin')" ]; then
  pass "parent_children after the writes: son and cousin under 30"
else
  fail "parent_children after the writes: $out"
fi
# The triggers still keep the rules: a second passport for the same person
# is refused (uselist=0), by the leader's copy of the trigger.
out=$(echo "INSERT INTO passport(number, person_id) VALUES ('P-3', 1);" | dq "$live")
case "$out" in
  *"a person row can have only one passport (uselist=0)"*)
    pass "a write the triggers refuse is refused on the new leader" ;;
  *) fail "uselist=0 on the new leader: $out" ;;
esac

#---------------------------------------------------------------------------
# A leader without the extension. The dead node comes back without the
# preload library; then, while the leader has the extension, it is killed
# and comes back without it too, until the leader is one without (at most
# two rounds: each turns one node).
plain_node "$(node_number "$old")"
for round in 1 2 3; do
  l=$(leader "${nodes[@]}")
  [ -n "$l" ] && [ -n "${plain[$l]:-}" ] && break
  [ -n "$l" ] || { sleep 1; continue; }
  kill_node "$l"
  others=()
  for a in "${nodes[@]}"; do [ "$a" = "$l" ] || others+=("$a"); done
  moved() { local x; x=$(leader "${others[@]}") && [ -n "$x" ] && [ "$x" != "$l" ]; }
  wait_for 40 moved || die "no new leader after killing $l"
  plain_node "$(node_number "$l")"
done
l=$(leader "${nodes[@]}")
if [ -n "$l" ] && [ -n "${plain[$l]:-}" ]; then
  pass "leader $l runs without the extension"
else
  die "could not get a leader without the extension (leader: $l)"
fi
all=$(servers "${nodes[@]}")
dq "$all" <"$work/dump.sql" >"$work/plain.dump"
if cmp -s "$work/ref2.dump" "$work/plain.dump"; then
  pass "every table identical on a leader without the extension"
else
  fail "tables on a leader without the extension differ:"
  diff "$work/ref2.dump" "$work/plain.dump" | head -20
fi
out=$(echo 'SELECT * FROM parent_children;' | dq "$all")
case "$out" in
  *"no such module: relationship"*)
    pass "without the extension a relationship table is refused: ${out#Error:  }" ;;
  *) fail "parent_children without the extension: $out" ;;
esac
# The rules hold all the same: deleting album 1 takes its track along
# (cascade='all, delete-orphan'), deleting right 1 its association rows,
# and a second passport is refused.
counts="SELECT (SELECT count(*) FROM track WHERE album_id = 1) || ' ' || (SELECT count(*) FROM association WHERE right_id = 1);"
out=$(printf '%s\n' "$counts" \
  'DELETE FROM album WHERE id = 1;' \
  'DELETE FROM "right" WHERE id = 1;' \
  "$counts" \
  "INSERT INTO passport(number, person_id) VALUES ('P-3', 1);" | dq "$all")
case "$out" in
  "1 1"$'\n'"0 0"$'\n'*"a person row can have only one passport (uselist=0)")
    pass "without the extension the triggers keep the rules" ;;
  *) fail "rules without the extension: $out" ;;
esac

finish
