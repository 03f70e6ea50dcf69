# Shared helpers for the fiscal tests (tests/regress/fiscal-*.sh), on top of tests/lib/sync.sh:
# a till in fiscal mode ([fiscal] mode = http) and the gateway SIMULATOR of kassa-hub.
#   fiscal_till NAME        till_new NAME (its shift opened in fiscal mode), and [fiscal] in
#                           NAME.conf pointing at the simulator (FPORT), token tok-NAME
#   sim_start [--fault KIND:N]...   starts `kassa-hub fiscal-sim` (SIM_PID) on FPORT
#   sim_stop                stops it; sim_q SQL: sqlite3 on its database
#   fdocs NAME STATE        how many fiscal documents of NAME are in STATE
. "$KASSA_TOP/tests/lib/sync.sh"

SIM_DB=$T/sim.db
SIM_PID=""
FPORT=$((PORT + 1))
export KASSA_DRIVE_FISCAL=1
trap 'sim_stop; hub_stop; rm -rf "$T"' EXIT INT TERM

fiscal_till() {
	till_new "$1"
	printf '[fiscal]\nmode = http\nurl = http://127.0.0.1:%s\ntoken = tok-%s\n' "$FPORT" "$1" \
	    >> "$T/$1.conf"
}

sim_start() {
	for try in 1 2 3 4 5; do
		"$KASSA_HUB_BIN" --db "$SIM_DB" --listen "127.0.0.1:$FPORT" "$@" fiscal-sim \
		    > "$T/sim.log" 2>&1 &
		SIM_PID=$!
		i=0
		while [ $i -lt 100 ]; do
			grep -q "listening" "$T/sim.log" 2>/dev/null && return 0
			kill -0 "$SIM_PID" 2>/dev/null || break
			sleep 0.05
			i=$((i + 1))
		done
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
		FPORT=$((FPORT + 103))
		for c in "$T"/*.conf; do
			[ -f "$c" ] && sed -i "/^\[fiscal\]/,\$ s#^url = .*#url = http://127.0.0.1:$FPORT#" "$c"
		done
	done
	fail "the fiscal simulator did not start: $(cat "$T/sim.log")"
}

sim_stop() {
	if [ -n "$SIM_PID" ]; then
		kill "$SIM_PID" 2>/dev/null
		wait "$SIM_PID" 2>/dev/null
		SIM_PID=""
	fi
}

sim_q() {
	sqlite3 "$SIM_DB" "$1"
}

fdocs() {
	till_q "$1" "SELECT count(*) FROM fiscal_documents WHERE state = '$2'"
}
