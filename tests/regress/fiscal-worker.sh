#!/bin/sh
# The till's sync process with fiscal receipts (`kassa-sync --worker`, started as the till
# starts it: wake pipe on fd 3, status lines on fd 4): a commit's wake-up reaches the fiscal
# sender, so a sale's document is signed within a second with the sync interval at 30 s; the
# status lines carry fiscal_pending for the status bar; with fiscal mode and no [sync] url the
# process runs for the documents alone; when the till goes (its wake pipe closed), the sync
# process and its fiscal sender both end.
. "$KASSA_TOP/tests/lib/fiscal.sh"
WK=""
trap 'exec 7>&- 2>/dev/null; [ -n "$WK" ] && kill "$WK" 2>/dev/null; sim_stop; hub_stop; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM
SYNC=$(dirname "$KASSA_BIN")/kassa-sync
[ -x "$SYNC" ] || fail "$SYNC is not built"

fiscal_till t1
# Fiscal documents only: no [sync] url.
sed -i '/^\[sync\]/,/^\[fiscal\]/ { /^url = /d; /^token = /d; }' "$T/t1.conf"
sim_start
mkfifo "$T/wake"
"$SYNC" -d "$T/t1.db" -c "$T/t1.conf" --worker 3< "$T/wake" 4> "$T/status" &
WK=$!
exec 7> "$T/wake"
wait_until 10 "the shift's document was not signed" sh -c "[ \$(sqlite3 '$T/t1.db' \"SELECT count(*) FROM fiscal_documents WHERE state = 'sent'\") = 1 ]"
grep -q "fiscal_pending=0" "$T/status" || fail "no fiscal_pending in the status lines: $(cat "$T/status")"
for i in 1 2 3; do
	start=$(date +%s%3N)
	sell t1 "$B1"
	echo x >&7
	wait_until 5 "sale $i's document was not signed after the wake-up" sh -c "[ \$(sqlite3 '$T/t1.db' \"SELECT count(*) FROM fiscal_documents WHERE state = 'sent'\") = $((i + 1)) ]"
	echo "sale $i signed $(( $(date +%s%3N) - start )) ms after its commit"
done
child=$(pgrep -P "$WK")
[ -n "$child" ] || fail "no fiscal sender under the sync process"
exec 7>&-
wait_until 10 "the sync process outlived the till" sh -c "! kill -0 $WK 2>/dev/null"
wait_until 10 "the fiscal sender outlived the till" sh -c "! kill -0 $child 2>/dev/null"
WK=""
echo ok
