#!/bin/sh
# End to end: the till survives what terminals and SSH do to it. A resize mid-sale keeps the
# cart and the half-typed input; below 80x24 it asks for a bigger window; TERM=vt100 works;
# SIGHUP (SSH dropped) and kill -9 mid-sale each leave the cart stored, and the next log-in
# resumes it and completes it exactly once.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup

# Too small from the start, then enlarged.
ui_start 70 20
wait_for "Enlarge the window"
tmux -S "$SOCK" resize-window -t till -x 80 -y 24
login 1111 100000

# Resize mid-sale, with half a code typed.
keys "$B1" Enter
wait_for "Nonvoyxona non"
keys 4784
tmux -S "$SOCK" resize-window -t till -x 60 -y 20
wait_for "Enlarge the window"
tmux -S "$SOCK" resize-window -t till -x 120 -y 40
wait_for "Nonvoyxona non"
screen | grep -q "> 4784" || fail "the typed input was lost in the resize"
keys BSpace BSpace BSpace BSpace "2*$B2" Enter
wait_for "Patir non"

# SSH drops: SIGHUP. The till exits cleanly with the cart stored.
pid=$(till_pid)
kill -HUP "$pid"
wait_exit "$pid"
ui_stop
[ "$(kassa sales --json | json_get 'len(d)')" = 0 ] || fail "a sale completed by itself"

# The next log-in resumes the same cart; pay it.
ui_start 80 24 vt100
login 1111
wait_for "Nonvoyxona non"
wait_for "Patir non"
wait_for "TOTAL: 16 000"
screen | grep -q -- "-----" || fail "vt100: no ASCII rule"
# A vt100 has no F10: Alt-0 (Esc 0) is its chord.
keys M-0
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
keys Space
[ "$(kassa sales --json | json_get 'len(d)')" = 1 ] || fail "expected exactly 1 sale"
[ "$(kassa sales --json | json_get 'd[0]["total"]')" = 1600000 ] || fail "resumed total"

# kill -9 mid-sale: nothing to clean up, and the cart is still there.
wait_for "TOTAL: 0"
keys "$B2" Enter
wait_for "TOTAL: 6 000"
pid=$(till_pid)
kill -9 "$pid"
wait_exit "$pid"
ui_stop
ui_start 80 24
login 1111
wait_for "TOTAL: 6 000"
keys F10
wait_for "PAYMENT"
keys 10000 Enter
wait_for "4 000 so'm"
n=$(kassa sales --json | json_get 'len(d)')
[ "$n" = 2 ] || fail "expected 2 sales after the kill, got $n"
kassa journal verify > /dev/null || fail "journal verify"

# LANG=C on the Linux console: the till draws UTF-8 itself, so a Cyrillic name is shown whole.
ui_stop
tmux -S "$SOCK" -f /dev/null new-session -d -s till -x 80 -y 24 \
    "LANG=C LC_ALL=C TERM=linux exec '$KASSA_BIN' -d '$DB' -c '$T/kassa.conf'" || fail "tmux"
login 1111
wait_for "TOTAL: 0"
line=$(grep -m1 'Хлеб белый' "$KASSA_TOP/contrib/demo-catalog.csv")
keys "${line%%,*}" Enter
wait_for "Хлеб белый нарезной 400 г"
echo "ok"
