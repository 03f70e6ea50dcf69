#!/bin/sh
# sync-kill: the sync process killed with SIGKILL at random moments in the middle of its
# batches, and the hub killed twice too, while the till keeps selling: afterwards every event
# of the till is at the hub exactly once, with the till's own hash, no seq is missing, nothing
# stays pending, and both chains verify. (A batch the hub stored but whose answer never
# reached the till is sent again and counted as duplicates: never twice at the hub.)
. "$KASSA_TOP/tests/lib/sync.sh"
crash=$KASSA_BUILD/tests/tools/crash-sales
[ -x "$crash" ] || fail "$crash is not built"

till_new t1
# Small batches, so a kill lands between a batch being sent and its answer being marked.
printf 'batch = 20\n' >> "$T/t1.conf"
cut -d, -f1 "$KASSA_TOP/contrib/demo-catalog.csv" | sed -n '2,60p' > "$T/codes"
"$crash" -n 400 -s 3 "$T/t1.db" "$T/codes" > /dev/null 2> "$T/crash.err" ||
	fail "selling: $(cat "$T/crash.err")"
hub_start

# Each round: more sales while a sync process drains, killed at a random moment.
round=0
while [ $round -lt 14 ]; do
	"$crash" -n 40 -s $((round + 10)) "$T/t1.db" "$T/codes" > /dev/null 2> "$T/crash2.err" &
	seller=$!
	"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync 2>> "$T/sync.err" &
	sp=$!
	sleep "$(awk -v s=$round 'BEGIN { srand(s); printf "%.3f", 0.02 + rand() * 0.25 }')"
	kill -9 "$sp" 2>/dev/null
	wait "$sp" 2>/dev/null
	wait "$seller" || fail "selling during the kills: $(cat "$T/crash2.err")"
	round=$((round + 1))
	# Twice the hub dies too, mid-exchange, and comes back on the same database.
	if [ $round = 5 ] || [ $round = 10 ]; then
		"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync 2>> "$T/sync.err" &
		sp=$!
		sleep 0.1
		kill -9 "$HUB_PID"
		wait "$HUB_PID" 2>/dev/null
		HUB_PID=""
		kill -9 "$sp" 2>/dev/null
		wait "$sp" 2>/dev/null
		hub_start
	fi
	check_agree t1
	echo "round $round: $(hub_q "SELECT count(*) FROM hub_events") at the hub, $(till_q t1 "SELECT count(*) FROM outbox") pending"
done
delivered=$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1'")
[ "$delivered" -gt 0 ] || fail "nothing reached the hub during the kills"

# Then it runs undisturbed until nothing is pending.
n=0
while [ "$(till_q t1 "SELECT count(*) FROM outbox")" != 0 ]; do
	n=$((n + 1))
	[ $n -gt 20 ] && fail "events still pending: $(cat "$T/sync.err" | tail -n 3)"
	sync_once t1 || sleep 1
done
check_agree t1
n_till=$(till_q t1 "SELECT count(*) FROM events")
n_hub=$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = 't1' AND status = 'accepted'")
[ "$n_hub" = "$n_till" ] || fail "$n_till events at the till, $n_hub accepted at the hub"
differ=$(sqlite3 "$HUB_DB" "ATTACH '$T/t1.db' AS t; SELECT count(*) FROM hub_events h
    LEFT JOIN t.events e ON e.seq = h.seq WHERE h.device_id = 't1' AND
    (e.hash IS NULL OR e.hash <> h.hash OR e.id <> h.id)")
[ "$differ" = 0 ] || fail "$differ events at the hub differ from the till's"
[ "$(till_q t1 "SELECT count(*) FROM sales WHERE state = 'completed'")" -ge 960 ] ||
	fail "sales were lost"
"$KASSA_BIN" -d "$T/t1.db" journal verify > /dev/null || fail "the till's chain is broken"
echo "ok: $n_till events, $delivered delivered while being killed"
