#!/bin/sh
# The till forks its own sync process: a sale completed on the screen reaches the hub by itself
# (woken by the commit, no `kassa sync` run by anyone), and the status bar says so. With the hub
# gone, selling goes on and the bar shows the events waiting.
. "$KASSA_TOP/tests/lib/sync.sh"
SOCK=$T/tmux.sock
export LANG=C.UTF-8 LC_ALL=C.UTF-8 LANGUAGE=en
trap 'tmux -S "$SOCK" kill-server 2>/dev/null; hub_stop; rm -rf "$T"' EXIT INT TERM
screen() { tmux -S "$SOCK" capture-pane -t till -p; }
keys() { tmux -S "$SOCK" send-keys -t till "$@"; }
wait_for() {
	i=0
	while [ $i -lt $((${2:-10} * 20)) ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "--- screen:"; screen
	fail "'$1' did not appear"
}

till_new t1
hub_start
tmux -S "$SOCK" -f /dev/null new-session -d -s till -x 100 -y 30 \
    "exec '$KASSA_BIN' -d '$T/t1.db' -c '$T/t1.conf'"
wait_for "PIN"
keys 1111 Enter
wait_for "TOTAL"
keys "$B1" Enter
wait_for "Nonvoyxona non"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
# Delivered by the till's own sync process.
i=0
while [ "$(hub_q "SELECT count(*) FROM hub_events WHERE type = 'sale.completed'")" != 1 ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "the sale did not reach the hub"
	sleep 0.05
done
wait_for "sync: online"
check_agree t1

# The hub goes away: the next sale is made all the same and waits.
hub_stop
keys Space
wait_for "TOTAL: 0"
keys "$B2" Enter
wait_for "Patir non"
keys F10
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
wait_for "waiting" 15
[ "$("$KASSA_BIN" -d "$T/t1.db" sales --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 2 ] ||
	fail "the second sale was not made"
echo ok
