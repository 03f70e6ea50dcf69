# Shared helpers for the end-to-end tests that drive the real till in tmux. Source it from a
# tests/regress/ui-*.sh script. Each test gets its own temp dir, tmux server socket and
# database; everything is removed on exit.
#   ui_setup                 temp dir, DB with the demo catalogue, cashier 1111, manager 9999
#   ui_start [W H [TERM]]    runs the till in a new tmux session
#   ui_stop                  ends that tmux server and the till in it
#   keys KEY...              tmux send-keys
#   wait_for TEXT [SECS]     waits until TEXT is on the screen (fails the test after SECS)
#   screen                   prints the screen
#   kassa ARGS...            runs the real binary on the test DB
#   sell_exact CODE NAME     rings up CODE and pays exactly in cash
#   wait_exit PID            waits for the till to exit
set -u
: "${KASSA_BIN:?set KASSA_BIN}" "${KASSA_TOP:?set KASSA_TOP}"
T=$(mktemp -d /tmp/kassa-ui-XXXXXX)
DB=$T/kassa.db
SOCK=$T/tmux.sock
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
export LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en

fail() {
	echo "FAIL: $*"
	echo "--- screen:"
	screen 2>/dev/null
	exit 1
}

kassa() {
	"$KASSA_BIN" -d "$DB" -c "$T/kassa.conf" "$@"
}

ui_setup() {
	: > "$T/kassa.conf"
	kassa init --store "Chorsu minimarket" > /dev/null || fail "init"
	kassa import products "$KASSA_TOP/contrib/demo-catalog.csv" > /dev/null || fail "import"
	echo 1111 | kassa user add Dilnoza --role cashier > /dev/null || fail "user"
	echo 9999 | kassa user add Rustam --role manager > /dev/null || fail "user"
	# Barcodes and prices from the demo catalogue.
	B1=$(sed -n 2p "$KASSA_TOP/contrib/demo-catalog.csv" | cut -d, -f1)
	B2=$(sed -n 3p "$KASSA_TOP/contrib/demo-catalog.csv" | cut -d, -f1)
}

ui_start() {
	w=${1:-80} h=${2:-24} term=${3:-xterm-256color}
	tmux -S "$SOCK" -f /dev/null new-session -d -s till -x "$w" -y "$h" \
	    "TERM=$term exec '$KASSA_BIN' -d '$DB' -c '$T/kassa.conf'" || fail "tmux"
	tmux -S "$SOCK" set-option -t till remain-on-exit on > /dev/null
}

# The next start gets a fresh server socket: a killed server exits asynchronously, and a client
# that reaches it in that moment fails with "server exited unexpectedly" (seen under ASan in CI).
UI_SERVERS=0
ui_stop() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	UI_SERVERS=$((UI_SERVERS + 1))
	SOCK=$T/tmux$UI_SERVERS.sock
}

keys() {
	tmux -S "$SOCK" send-keys -t till "$@"
}

screen() {
	tmux -S "$SOCK" capture-pane -t till -p
}

wait_for() {
	text=$1 secs=${2:-10}
	i=0
	while [ $i -lt $((secs * 20)) ]; do
		if screen | grep -qF -- "$text"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	fail "'$text' did not appear within ${secs}s"
}

till_pid() {
	tmux -S "$SOCK" display-message -p -t till '#{pane_pid}'
}

# Rings up CODE, waits for NAME in the cart, and pays the exact amount in cash.
sell_exact() {
	keys "$1" Enter
	wait_for "$2"
	keys F10
	wait_for "PAYMENT"
	keys Enter
	wait_for "CHANGE"
}

# Waits until process PID has exited (or is a zombie waiting for tmux to reap it).
wait_exit() {
	exit_waits=0
	while kill -0 "$1" 2>/dev/null && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null; do
		exit_waits=$((exit_waits + 1))
		[ $exit_waits -lt 400 ] || fail "the till did not exit"
		sleep 0.05
	done
}

# Logs in with PIN and, when asked, opens the shift with FLOAT.
login() {
	wait_for "PIN"
	keys "$1" Enter
	if [ -n "${2:-}" ]; then
		wait_for "Opening cash"
		keys "$2" Enter
	fi
	wait_for "TOTAL"
}

# A value from a JSON document on stdin: json_get 'd[0]["total"]'
json_get() {
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}
