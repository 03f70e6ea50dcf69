#!/bin/sh
# A slow gateway never holds back the upstream events, nor a slow hub the fiscal documents
# (CONTRACT.md section 8): with `kassa sync` running, a fiscal gateway that accepts connections
# and never answers (a python3 server) leaves the events reaching the hub at once, each sale
# within seconds; then a hub that never answers leaves the documents signed at once. Prints how
# long each took.
. "$KASSA_TOP/tests/lib/fiscal.sh"
SP="" HP=""
trap '[ -n "$SP" ] && kill "$SP" 2>/dev/null; [ -n "$HP" ] && kill "$HP" 2>/dev/null; sim_stop; hub_stop; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM

# A server that accepts every connection and reads, but never answers.
hang_start() {
	python3 -c '
import socket, sys, threading, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(64)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
held = []
while True:
    c, _ = s.accept(); held.append(c)
' "$T/hang.port" &
	HP=$!
	wait_until 10 "the hanging server did not start" test -s "$T/hang.port"
}
now_ms() { date +%s%3N; }

hub_start
fiscal_till t1
sed -i 's/^backoff_cap = 2$/backoff_cap = 2\ninterval = 1/' "$T/t1.conf"
hang_start
sed -i "/^\[fiscal\]/,\$ s#^url = .*#url = http://127.0.0.1:$(cat "$T/hang.port")#" "$T/t1.conf"

# 1. The gateway hangs: events still reach the hub within seconds of each sale.
"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync > "$T/fg.log" 2>&1 &
SP=$!
sleep 1
for i in 1 2 3; do
	start=$(now_ms)
	sell t1 "$B1"
	wait_until 10 "sale $i did not reach the hub while the gateway hangs" sh -c \
	    "[ \$(sqlite3 '$HUB_DB' \"SELECT count(*) FROM hub_events WHERE type = 'sale.completed'\") = $i ]"
	echo "sale $i reached the hub in $(( $(now_ms) - start )) ms with the gateway hanging"
done
[ "$(fdocs t1 sent)" = 0 ] || fail "a document was signed by a gateway that never answers"
[ "$(fdocs t1 pending)" = 4 ] || fail "documents lost: $(fdocs t1 pending) pending"
kill "$SP"; wait "$SP" 2>/dev/null; SP=""

# 2. The hub hangs: the documents are signed at once.
sim_start
sed -i "/^\[fiscal\]/,\$ s#^url = .*#url = http://127.0.0.1:$FPORT#" "$T/t1.conf"
sed -i "/^\[sync\]/,/^\[/ s#^url = .*#url = http://127.0.0.1:$(cat "$T/hang.port")#" "$T/t1.conf"
"$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" sync > "$T/fg.log" 2>&1 &
SP=$!
start=$(now_ms)
wait_until 10 "the documents were not signed while the hub hangs" sh -c "[ \$(sqlite3 '$T/t1.db' \"SELECT count(*) FROM fiscal_documents WHERE state = 'sent'\") = 4 ]"
echo "4 documents signed in $(( $(now_ms) - start )) ms with the hub hanging"
start=$(now_ms)
sell t1 "$B2"
wait_until 10 "a new sale's document was not signed while the hub hangs" sh -c "[ \$(sqlite3 '$T/t1.db' \"SELECT count(*) FROM fiscal_documents WHERE state = 'sent'\") = 5 ]"
echo "a new sale signed in $(( $(now_ms) - start )) ms with the hub hanging"
echo ok
