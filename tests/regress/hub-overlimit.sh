#!/bin/sh
# hub-overlimit: a connection over the hub's limits is refused at once (closed as soon as it is
# accepted), never left waiting in the listen queue; the refusals are logged as a count per
# period, not a line each; an idle connection is closed after the idle timeout; and once the
# crowd is gone a till's sync is answered. Asserted: that each is answered or closed, within
# generous deadlines, not how fast.
. "$KASSA_TOP/tests/lib/sync.sh"

till_new t1
sell t1 "$B1"
hub_start --max-connections 8 --max-per-address 4

python3 - "$PORT" > "$T/crowd.out" 2>&1 <<'PY' || { cat "$T/crowd.out"; fail "the limits"; }
import socket, sys, time
port = int(sys.argv[1])

def conn(addr):
    s = socket.socket()
    s.bind((addr, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", port))
    return s

def closed_at_once(s):
    """True when the hub closes s within 3 s (EOF or reset); False when it stays open."""
    s.settimeout(3)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False

# Per address: the fifth connection of 127.0.0.2 is closed at once, the four before it kept.
mine = [conn("127.0.0.2") for _ in range(4)]
time.sleep(0.3)
fifth = conn("127.0.0.2")
assert closed_at_once(fifth), "a fifth connection from one address was not refused"
# In all: 127.0.0.3 takes four more (8 in all); the ninth, from yet another address, is
# refused at once instead of waiting in the listen queue.
mine += [conn("127.0.0.3") for _ in range(4)]
time.sleep(0.3)
for s in mine:
    s.setblocking(False)
    try:
        assert s.recv(1) != b"", "a connection within the limits was closed"
    except BlockingIOError:
        pass
    s.settimeout(5)
ninth = conn("127.0.0.4")
assert closed_at_once(ninth), "a connection over the total limit waited instead of being refused"
# A crowd over the limit: every one refused, the hub writes no line per connection.
t0 = time.time()
for i in range(300):
    s = conn("127.0.0.%d" % (5 + i % 50))
    assert closed_at_once(s), "connection %d over the limit was not refused" % i
    s.close()
print("refused 300 in %.2f s" % (time.time() - t0))
# The held connections send nothing: the hub closes them after its idle timeout (10 s).
for s in mine:
    s.settimeout(20)
    try:
        assert s.recv(1) == b"", "an idle connection got data"
    except ConnectionResetError:
        pass
    except socket.timeout:
        raise AssertionError("an idle connection was not closed within 20 s")
print("idle closed")
PY
# The till is answered once the crowd is gone.
sync_once t1 || fail "the till's sync after the crowd: $(cat "$T/sync.err")"
check_agree t1
# The log: a count per period (written within 12 s), not a line per refused connection.
wait_until 15 "the hub did not log its refusals as a count" grep -q "refused [0-9]* connections in the last 10 s" "$T/hub.log"
lines=$(wc -l < "$T/hub.log")
[ "$lines" -le 10 ] || fail "the hub wrote $lines log lines for 302 refused connections"
echo ok
