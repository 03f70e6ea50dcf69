# Shared helpers for the sync tests: a real kassa-hub on a free loopback port and tills that
# sync to it with the real `kassa sync`. Source it from tests/regress/sync-*.sh.
#   hub_start [--fault KIND:N]...   starts the hub (HUB_PID, PORT); hub_stop stops it
#   till_new NAME                   a till DB NAME.db with the demo catalogue, cashier 1111,
#                                   a token from the hub and NAME.conf pointing at the hub
#   sell NAME CODE...               one completed cash sale per code (kassa-drive)
#   hub_q SQL / till_q NAME SQL     sqlite3 on the hub's / a till's database
#   wait_until SECS WHY COND...     runs COND every 50 ms until it succeeds; fails with WHY
#                                   after SECS (a deadline, not a measurement)
set -u
: "${KASSA_BIN:?}" "${KASSA_HUB_BIN:?}" "${KASSA_BUILD:?}" "${KASSA_TOP:?}"
T=$(mktemp -d /tmp/kassa-sync-XXXXXX)
HUB_DB=$T/hub.db
HUB_PID=""
trap 'hub_stop; rm -rf "$T"' EXIT INT TERM
DRIVE=$KASSA_BUILD/tests/tools/kassa-drive
B1=$(sed -n 2p "$KASSA_TOP/contrib/demo-catalog.csv" | cut -d, -f1)
B2=$(sed -n 3p "$KASSA_TOP/contrib/demo-catalog.csv" | cut -d, -f1)
# A random port in 20000-59999 (one from the pid and the clock met another test's often when
# several suites ran at once); hub_start tries others if it is taken.
PORT=$(( 20000 + ( $(od -An -N4 -tu4 /dev/urandom) + $$ ) % 40000 ))

fail() {
	echo "FAIL: $*"
	[ -f "$T/hub.log" ] && { echo "--- hub log:"; tail -n 20 "$T/hub.log"; }
	exit 1
}

wait_until() {
	wu_left=$(($1 * 20)) wu_why=$2
	shift 2
	until "$@"; do
		wu_left=$((wu_left - 1))
		[ $wu_left -gt 0 ] || fail "$wu_why"
		sleep 0.05
	done
}

hub_started() {
	grep -qs "listening" "$T/hub.log" || ! kill -0 "$HUB_PID" 2>/dev/null
}

hub_start() {
	for try in 1 2 3 4 5; do
		# A log of an earlier hub must not read as this one listening: the shell truncates
		# the log in the child, which may run after our first grep.
		rm -f "$T/hub.log"
		"$KASSA_HUB_BIN" --db "$HUB_DB" --listen "127.0.0.1:$PORT" "$@" serve \
		    > "$T/hub.log" 2>&1 &
		HUB_PID=$!
		# A generous deadline: under ASan on a loaded machine the start (a PostgreSQL
		# connection, the tables) takes seconds. Only a port in use moves to another port.
		wait_until 60 "the hub neither started nor stopped" hub_started
		grep -qs "listening" "$T/hub.log" && return 0
		wait "$HUB_PID" 2>/dev/null
		HUB_PID=""
		grep -qs "in use" "$T/hub.log" || fail "the hub did not start"
		PORT=$((PORT + 101))
		# the tills point at the new port
		for c in "$T"/*.conf; do
			[ -f "$c" ] && sed -i "s#^url = .*#url = http://127.0.0.1:$PORT#" "$c"
		done
	done
	fail "the hub did not start: no free port"
}

hub_stop() {
	if [ -n "$HUB_PID" ]; then
		kill "$HUB_PID" 2>/dev/null
		wait "$HUB_PID" 2>/dev/null
		HUB_PID=""
	fi
}

till_new() {
	db=$T/$1.db
	"$KASSA_BIN" -d "$db" init --device-id "$1" --store "Shop $1" > /dev/null || fail "init $1"
	"$KASSA_BIN" -d "$db" import products "$KASSA_TOP/contrib/demo-catalog.csv" > /dev/null ||
		fail "import $1"
	echo 1111 | "$KASSA_BIN" -d "$db" user add "Cashier $1" --role cashier > /dev/null ||
		fail "user $1"
	token=$("$KASSA_HUB_BIN" --db "$HUB_DB" token add "$1") || fail "token $1"
	printf '[sync]\nurl = http://127.0.0.1:%s\ntoken = %s\nbackoff_base = 1\nbackoff_cap = 2\n' \
	    "$PORT" "$token" > "$T/$1.conf"
	chmod 600 "$T/$1.conf"
	printf 'login 1111\nopen 100000\n' | "$DRIVE" "$db" > /dev/null || fail "open shift $1"
}

sell() {
	name=$1; shift
	for code in "$@"; do
		printf 'login 1111\nscan %s\npay cash 0\n' "$code"
	done | "$DRIVE" "$T/$name.db" > /dev/null || fail "sale on $name"
}

sync_once() {
	"$KASSA_BIN" -d "$T/$1.db" -c "$T/$1.conf" sync --once 2> "$T/sync.err"
}

hub_q() {
	sqlite3 "$HUB_DB" "$1"
}

till_q() {
	sqlite3 "$T/$1.db" "$2"
}

# After any exchange: every event the hub holds for a till is in the till's journal once, with
# no seq gap, and everything the till no longer has pending is at the hub.
check_agree() {
	name=$1
	n_till=$(till_q "$name" "SELECT count(*) FROM events")
	pending=$(till_q "$name" "SELECT count(*) FROM outbox")
	n_hub=$(hub_q "SELECT count(*) FROM hub_events WHERE device_id = '$name'")
	max_hub=$(hub_q "SELECT coalesce(max(seq), 0) FROM hub_events WHERE device_id = '$name'")
	[ "$n_hub" = "$max_hub" ] || fail "$name: hub has $n_hub events but seq up to $max_hub"
	[ $((n_hub + pending)) -ge "$n_till" ] || fail "$name: $n_till events, $n_hub at the hub, $pending pending"
	[ "$n_hub" -le "$n_till" ] || fail "$name: hub has more events than the till"
	dups=$(hub_q "SELECT count(*) - count(DISTINCT id) FROM hub_events")
	[ "$dups" = 0 ] || fail "an id is stored twice at the hub"
}
