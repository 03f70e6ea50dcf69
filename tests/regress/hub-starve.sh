#!/bin/sh
# hub-starve: one client holding 256 idle connections (and half-sent requests) from one address
# does not stop another till's sync: the hub keeps at most --max-per-address of them, serves
# requests on a pool of workers, and the till's push and pull are answered (the catalogue change
# published meanwhile too, past the hub's cache of /v1/changes pages). What is asserted is
# that the till is answered, not how fast (the bench, kassa-fleet, measures that).
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
sell t1 "$B1"
hub_start
# A first sync leaves the hub's page of changes in its cache; the import below must drop it.
sync_once t1 || fail "the first sync: $(cat "$T/sync.err")"
sell t1 "$B2"
printf 'barcode,name,price\n%s,Ochlik non,4321\n' "$B1" > "$T/change.csv"
"$KASSA_HUB_BIN" --db "$HUB_DB" import products "$T/change.csv" > /dev/null || fail "import"

# The greedy client: 256 connections from 127.0.0.2, half of them with a request's first line
# and nothing more; held open while the till syncs.
python3 - "$PORT" "$T/greedy.ready" "$T/greedy.stop" > "$T/greedy.out" 2>&1 <<'PY' &
import os, socket, sys, time
port, ready, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
held = []
for i in range(256):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        if i % 2:
            s.sendall(b"POST /v1/events HTTP/1.1\r\nHost: x\r\n")
        held.append(s)
    except OSError:
        s.close()
time.sleep(0.5)
alive = 0
for s in held:
    s.setblocking(False)
    try:
        alive += s.recv(1) != b""
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
print("held", alive)
open(ready, "w").close()
deadline = time.time() + 30
while not os.path.exists(stop) and time.time() < deadline:
    time.sleep(0.05)
PY
GREEDY=$!
wait_until 20 "the greedy client did not get going" test -f "$T/greedy.ready"
held=$(sed -n 's/^held //p' "$T/greedy.out")
[ -n "$held" ] && [ "$held" -le 64 ] || fail "the hub holds $held connections of one address (at most 64)"
sync_once t1 || fail "the till's sync while another client holds 256 connections: $(cat "$T/sync.err")"
check_agree t1
[ "$(till_q t1 "SELECT p.price FROM products p JOIN barcodes b ON b.product_id = p.id WHERE b.code = '$B1'")" = 432100 ] ||
	fail "the catalogue change did not reach the till while the greedy client held its connections"
touch "$T/greedy.stop"
wait "$GREEDY"
echo ok
