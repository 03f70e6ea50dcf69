#!/bin/sh
# End to end: who may close the till, and what a till left alone does.
# - Quitting, from the PIN screen (F12) and from the menu (0), asks for a manager's PIN: a
#   cashier's is refused by the core (RIGHT_QUIT) and the till stays; the manager's closes it.
# - [till] lock_after (here 2s) returns an idle till to the PIN prompt with the cart kept: the
#   same cashier resumes it; another one is told whose open sale it was.
# - F9 voids the whole open sale (an event); once a payment was tendered it needs a manager.
# - A crash signal leaves the terminal restored (off the alternate screen), unlike kill -9.
# - The X report shows the shift's opening time in local time (TZ), not UTC.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup

# ---- quit from the PIN screen
ui_start
wait_for "Type your PIN"
keys F12
wait_for "Quit the till: manager PIN"
keys 1111 Enter
wait_for "may not approve this"
pid=$(till_pid)
kill -0 "$pid" 2>/dev/null || fail "a cashier's PIN closed the till"
wait_for "PIN, then Enter"
keys F12
wait_for "Quit the till: manager PIN"
keys 9999 Enter
wait_exit "$pid"
ui_stop

# ---- quit from the menu
ui_start
login 1111 100000
keys F12
wait_for "MENU"
keys 0
wait_for "Quit the till: manager PIN"
keys 1111 Enter
wait_for "may not approve this"
wait_for "TOTAL"
pid=$(till_pid)
kill -0 "$pid" 2>/dev/null || fail "a cashier's PIN closed the till from the menu"
keys F12
wait_for "MENU"
keys 0
wait_for "Quit the till: manager PIN"
keys 9999 Enter
wait_exit "$pid"
ui_stop

# ---- F9: the whole open sale voided, before any payment: no manager needed
ui_start
login 1111
keys "$B1" Enter "$B2" Enter
wait_for "Patir non"
keys F9
wait_for "Void the whole sale?"
keys Enter
wait_for "Sale voided"
wait_for "TOTAL: 0"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE type = 'sale.voided'")" = 1 ] ||
	fail "no sale.voided event"
# After a card tender: a cashier's PIN is refused, the manager's voids it.
keys "$B1" Enter
wait_for "Nonvoyxona non"
keys F10
wait_for "PAYMENT"
keys Tab 1000 Enter
wait_for "card"
keys Escape
wait_for "TOTAL"
keys F9
wait_for "Void the whole sale?"
keys Enter
wait_for "Manager approval needed"
keys 1111 Enter
wait_for "may not approve this"
screen | grep -q "Nonvoyxona non" || fail "voided on a cashier's PIN"
keys F9
wait_for "Void the whole sale?"
keys Enter
wait_for "Manager approval needed"
keys 9999 Enter
wait_for "Sale voided"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM events WHERE type = 'sale.voided'")" = 2 ] ||
	fail "no second sale.voided event"
[ "$(sqlite3 "$DB" "SELECT json_extract(payload, '$.right') FROM events WHERE type = 'approval.granted'")" = void_paid ] ||
	fail "the approval does not name void_paid"
keys F1
wait_for "void the whole open sale"
keys Escape
wait_for "TOTAL"

# ---- local time on the X report
opened=$(kassa report x --json | json_get 'd["opened_at"]')
want=$(TZ=Asia/Tashkent python3 -c "import datetime,sys
t = datetime.datetime.strptime(sys.argv[1], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc)
print(t.astimezone(datetime.timezone(datetime.timedelta(hours=5))).strftime('%Y-%m-%d %H:%M'))" "$opened")
ui_stop
TZ=Asia/Tashkent
export TZ
ui_start
login 1111
keys F12
wait_for "MENU"
keys 3
wait_for "Expected cash"
screen | grep "opened" | grep -qF "$want" ||
	fail "the X report does not show the opening time $opened as $want (Tashkent)"
screen | grep -qF "$opened" && fail "the X report shows UTC"
keys Escape
wait_for "TOTAL"

# ---- a crash signal: the terminal is restored (kill -9, which nothing can catch, is not)
pid=$(till_pid)
kill -SEGV "$pid"
wait_exit "$pid"
[ "$(tmux -S "$SOCK" display-message -p -t till '#{alternate_on}')" = 0 ] ||
	fail "SIGSEGV left the terminal on the alternate screen"
ui_stop
ui_start
login 1111
pid=$(till_pid)
kill -9 "$pid"
wait_exit "$pid"
[ "$(tmux -S "$SOCK" display-message -p -t till '#{alternate_on}')" = 1 ] ||
	fail "the control case: kill -9 should leave the alternate screen on"
ui_stop
unset TZ

# ---- lock_after: an idle till locks with the cart kept
printf '[till]\nlock_after = 2s\n' > "$T/kassa.conf"
ui_start
login 1111
keys "$B1" Enter
wait_for "Nonvoyxona non"
wait_for "Locked: nobody pressed a key" 8
wait_for "PIN, then Enter"
screen | grep -q "Nonvoyxona non" && fail "the cart is on screen while locked"
keys 1111 Enter
wait_for "Nonvoyxona non"
screen | grep -q "open sale is now yours" && fail "the same cashier was warned"
wait_for "Locked: nobody pressed a key" 8
# Another cashier logs in: the cart is there, and who left it is said.
keys 9999 Enter
wait_for "Nonvoyxona non"
wait_for "Dilnoza's open sale is now yours"
ui_stop

# The key takes minutes, or seconds with s; anything else is refused naming the key.
printf '[till]\nlock_after = 5m\n' > "$T/kassa.conf"
kassa status > "$T/out" 2>&1 && fail "lock_after = 5m was accepted"
grep -q "lock_after" "$T/out" || fail "the error does not name lock_after: $(cat "$T/out")"
printf '[till]\nlock_after = 0\n' > "$T/kassa.conf"
kassa status > /dev/null 2>&1 || fail "lock_after = 0 (never) was refused"
kassa journal verify > /dev/null || fail "journal verify"
echo ok
