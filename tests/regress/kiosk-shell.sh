#!/bin/sh
# The kiosk set-up (contrib/kiosk/tmux.conf, started by contrib/kassa-support run exactly as
# kassa-till.service does): a cashier at the console cannot reach a shell.
# The console is an outer tmux pane (the lib's session "till") whose program is the kiosk's
# tmux client: keys sent to it arrive as keystrokes at that client, so tmux's key tables are
# really consulted (send-keys on the kiosk server itself would bypass them). The kiosk's own
# server runs on a private socket, $KIOSK.
#   - tmux's keys (C-b c, C-b %, C-b ", C-b :new-window, C-b d, C-a c, ...) open no window,
#     no pane, no shell and do not detach the console;
#   - the till is the kiosk server's only child, and no shell runs under it;
#   - support watches read-only (its keys do nothing) and takes over only after the cashier
#     presses y on the till's screen (n refuses);
#   - when the till exits the session, the server and the console's client end: no shell
#     and no "dead pane" is left behind;
#   - without the locked configuration kassa-support refuses to start.
# shellcheck source=tests/lib/tmux.sh
. "$KASSA_TOP/tests/lib/tmux.sh"
command -v tmux > /dev/null || { echo "tmux is not installed"; exit 77; }
SUPPORT=$KASSA_TOP/contrib/kassa-support
KIOSK=$T/kiosk.sock
trap 'tmux -S "$KIOSK" kill-server 2>/dev/null; tmux -S "$SOCK" kill-server 2>/dev/null; rm -rf "$T"' EXIT INT TERM

kiosk() {
	tmux -S "$KIOSK" "$@"
}

# The console: an 80x24 terminal whose program is `kassa-support run`, the till's user's
# environment as the unit sets it (KASSA_TMUX_CONF unset: the script finds the shipped file).
console_start() {
	tmux -S "$SOCK" -f /dev/null new-session -d -s till -x 80 -y 24 \
	    "KASSA_TMUX_SOCKET='$KIOSK' KASSA='$KASSA_BIN' exec sh '$SUPPORT' run -d '$DB' -c '$T/kassa.conf'" ||
	    fail "tmux"
	tmux -S "$SOCK" set-option -t till remain-on-exit on > /dev/null
}

# A support terminal NAME running kassa-support ARGS in the outer server; its exit status is
# printed when it ends.
support_start() {
	name=$1
	shift
	tmux -S "$SOCK" new-session -d -s "$name" -x 100 -y 30 \
	    "KASSA_TMUX_SOCKET='$KIOSK' KASSA_CONSENT_WAIT=20 sh '$SUPPORT' $*; echo \"support-exit=\$?\"; sleep 60" ||
	    fail "tmux support"
}

support_screen() {
	tmux -S "$SOCK" capture-pane -t "$1" -p
}

count() {
	kiosk "$@" 2>/dev/null | wc -l | tr -d ' '
}

# Every descendant of PID, as "pid comm" lines.
descendants() {
	ps -e -o pid= -o ppid= -o comm= | awk -v root="$1" '
	    { parent[$1] = $2; name[$1] = $3 }
	    END {
		for (p in parent) {
			q = p
			while (q in parent && q != root && q > 1)
				q = parent[q]
			if (q == root && p != root)
				print p, name[p]
		}
	    }'
}

# The kiosk is as it was started: one session, one window, one pane running the till, the
# console still attached, the till the server's only child and no shell under the server.
assert_locked() {
	what=$1
	[ "$(count list-sessions)" = 1 ] || fail "$what: sessions: $(kiosk list-sessions 2>&1)"
	[ "$(count list-windows -a)" = 1 ] || fail "$what: windows: $(kiosk list-windows -a 2>&1)"
	[ "$(count list-panes -a)" = 1 ] || fail "$what: panes: $(kiosk list-panes -a 2>&1)"
	[ "$(count list-clients)" -ge 1 ] || fail "$what: the console was detached"
	[ "$(kiosk display-message -p -t kassa '#{pane_pid}')" = "$TILL" ] || fail "$what: the till changed"
	kill -0 "$TILL" 2>/dev/null || fail "$what: the till is gone"
	kids=$(ps -o pid= --ppid "$SERVER" | tr -d ' ')
	[ "$kids" = "$TILL" ] || fail "$what: the kiosk server's children are '$kids', not only the till $TILL"
	shells=$(descendants "$SERVER" | awk '$2 ~ /^(sh|bash|dash|zsh|ksh|mksh|busybox|false|login|su|sudo)$/')
	[ -z "$shells" ] || fail "$what: a shell runs under the kiosk server: $shells"
}

ui_setup
console_start
wait_for "PIN"
SERVER=$(kiosk display-message -p '#{pid}')
TILL=$(kiosk display-message -p -t kassa '#{pane_pid}')
if [ -z "$SERVER" ] || [ -z "$TILL" ]; then
	fail "no kiosk server"
fi
[ "$(ps -o comm= -p "$TILL")" = kassa ] || fail "the pane runs $(ps -o comm= -p "$TILL"), not the till"
# The shipped configuration is what the server runs with.
[ "$(kiosk show-options -gv prefix)" = None ] || fail "prefix: $(kiosk show-options -gv prefix)"
[ "$(kiosk show-options -gv prefix2)" = None ] || fail "prefix2: $(kiosk show-options -gv prefix2)"
[ "$(count list-keys)" = 0 ] || fail "key bindings left: $(kiosk list-keys | head -5)"
assert_locked "at start"

# tmux's default keys, one by one, then typed commands at what would be a command prompt.
for k in c % '"' '!' d D s w t '[' ']' '$' ',' '.' '&' x '?' '~' C-z C-o; do
	keys C-b "$k"
done
keys Escape
sleep 0.5
assert_locked "C-b keys"
keys C-b : new-window Enter
keys C-b : split-window Enter
keys C-b : "run-shell 'touch $T/owned'" Enter
keys C-a c C-a '"' C-a : new-window Enter
keys M-c M-n C-Space c
sleep 0.5
assert_locked "typed commands"
[ ! -e "$T/owned" ] || fail "a command ran: $T/owned exists"
# Those keys reached the till, which is still at its PIN prompt and still answers.
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
wait_for "PIN"
assert_locked "after clearing the prompt"

# ---- support watches: read-only, its keys do nothing -------------------------------------
support_start watch watch
i=0
while [ "$(count list-clients)" -lt 2 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "support did not attach: $(support_screen watch)"
	sleep 0.1
done
[ "$(kiosk list-clients -F '#{client_readonly}' | sort | tr -d '\n')" = 01 ] ||
    fail "watch is not read-only: $(kiosk list-clients)"
support_screen watch | grep -qF "PIN" || fail "support does not see the till: $(support_screen watch)"
tmux -S "$SOCK" send-keys -t watch 1111 Enter C-b c C-b d
sleep 1
screen | grep -qF "Opening cash" && fail "a read-only watcher logged in"
assert_locked "support watching"
# Support leaves by closing its terminal.
tmux -S "$SOCK" kill-session -t watch
i=0
while [ "$(count list-clients)" -gt 1 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the watcher is still attached"
	sleep 0.1
done
assert_locked "support gone"

# ---- takeover: the cashier refuses, then agrees ------------------------------------------
support_start ask1 takeover
wait_for "Support asks to use this till's keyboard"
keys n
i=0
until support_screen ask1 | grep -qF "support-exit=1"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "a refused takeover did not end: $(support_screen ask1)"
	sleep 0.1
done
support_screen ask1 | grep -qF "did not agree" || fail "no refusal message: $(support_screen ask1)"
[ "$(count list-clients)" = 1 ] || fail "a refused takeover attached: $(kiosk list-clients)"
tmux -S "$SOCK" kill-session -t ask1

support_start ask2 takeover
wait_for "Support asks to use this till's keyboard"
keys y
wait_for "support has joined"
i=0
while [ "$(kiosk list-clients -F '#{client_readonly}' | sort | tr -d '\n')" != 00 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "support did not take over: $(support_screen ask2)"
	sleep 0.1
done
# Support types the cashier's PIN: the till logs in.
tmux -S "$SOCK" send-keys -t ask2 1111 Enter
wait_for "Opening cash"
assert_locked "support with the keyboard"
tmux -S "$SOCK" kill-session -t ask2
keys Escape

# ---- the till exits: everything ends ------------------------------------------------------
# Waits until the kiosk server is gone and the console's client has exited, leaving nothing.
assert_ended() {
	what=$1
	i=0
	while kiosk has-session 2> /dev/null || kill -0 "$SERVER" 2> /dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "$what: the kiosk server still runs: $(kiosk list-panes -a 2>&1)"
		sleep 0.05
	done
	wait_exit "$TILL"
	i=0
	while [ "$(tmux -S "$SOCK" display-message -p -t till '#{pane_dead}')" != 1 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "$what: the console's client did not exit"
		sleep 0.05
	done
	# The kiosk's tmux (client or server) and the till; the outer server's own command line
	# names them only in quotes.
	# shellcheck disable=SC2009 # pgrep -f would match the outer server's quoted names too
	left=$(ps -e -o pid= -o args= | grep -e "-S $KIOSK" -e "-d $DB" | grep -v grep || :)
	[ -z "$left" ] || fail "$what: left behind: $left"
}

# A signal (SSH dropped, systemd stopping the unit).
kill -TERM "$TILL"
assert_ended "the till killed"
ui_stop

# Quitting at the PIN prompt: F12 (a manager's PIN if the till asks for one).
console_start
wait_for "PIN"
SERVER=$(kiosk display-message -p '#{pid}')
TILL=$(kiosk display-message -p -t kassa '#{pane_pid}')
assert_locked "restarted"
keys F12
i=0
while kill -0 "$TILL" 2> /dev/null && [ $i -lt 30 ]; do
	sleep 0.1
	i=$((i + 1))
done
if kill -0 "$TILL" 2> /dev/null; then
	keys 9999 Enter
fi
assert_ended "the till quit"
ui_stop

# ---- a server started open (not by kassa-support) is locked before the console attaches --
tmux -S "$KIOSK" -f /dev/null new-session -d -s kassa -x 80 -y 24 sleep 60 || fail "open server"
[ "$(count list-keys)" -gt 0 ] || fail "an open server has no keys?"
console_start
i=0
until [ "$(count list-clients)" = 1 ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the console did not attach to the running session: $(screen)"
	sleep 0.1
done
[ "$(count list-keys)" = 0 ] || fail "the running server was not locked: $(kiosk list-keys | head -3)"
[ "$(kiosk show-options -gv prefix)" = None ] || fail "the running server keeps its prefix"
kiosk kill-server
ui_stop

# ---- no locked configuration: no open tmux -------------------------------------------------
out=$(KASSA_TMUX_SOCKET=$KIOSK KASSA_TMUX_CONF=$T/missing.conf KASSA=$KASSA_BIN sh "$SUPPORT" run 2>&1) &&
    fail "kassa-support started without its configuration"
echo "$out" | grep -qF "configuration is missing" || fail "message: $out"
kiosk has-session 2> /dev/null && fail "a tmux server was started"

echo "ok"
