#!/bin/sh
# cli-user: `kassa user add NAME --role R` takes the PIN from the first line of stdin, never
# echoes it, refuses a bad PIN (exit 1) and a bad or missing role (exit 2), refuses a PIN another
# user has; `kassa user list [--json]` shows them; each can then log in with the PIN (checked
# through the core with kassa-drive). The lifecycle: `user disable` stops a log-in and an
# approval, `user enable` brings it back, `user pin` sets a new PIN from stdin, each an event
# without the PIN; user changes from a hub (disable, rename) apply last-write-wins.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG
db=$t/till.db
drive=$KASSA_BUILD/tests/tools/kassa-drive
[ -x "$drive" ] || { echo "FAIL: $drive is not built (make test-build)"; exit 1; }
: > "$t/kassa.conf"
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
# expect RC STDIN CMD...
expect() {
	want=$1 input=$2; shift 2
	printf '%s' "$input" | "$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
# The PIN must never show in what kassa prints.
no_pin() { ! grep -q -- "$1" "$t/out" "$t/err" || fail "the PIN $1 was echoed"; }

expect 1 '2580
' k user add Nobody --role cashier
grep -q "kassa init" "$t/err" || fail "no database: no hint"
k init > /dev/null || fail "init"

expect 0 '258036
' k user add Dilnoza --role cashier
grep -q "added cashier Dilnoza" "$t/out" || fail "no confirmation"
no_pin 258036
# Windows line ending and no final newline are fine too.
expect 0 "$(printf '97531\r\n')" k user add Rustam --role manager
no_pin 97531
expect 0 '864200' k user add "Admin User" --role admin
no_pin 864200

# Bad PINs: exit 1, nothing added, never echoed.
for pin in 123 1234567890123 12a4 '' ' 1234' '12 34' '-1234'; do
	expect 1 "$pin
" k user add Bad --role cashier
	grep -q "PIN" "$t/err" || fail "bad PIN '$pin': message does not say PIN"
	[ -n "$pin" ] && [ ${#pin} -ge 4 ] && no_pin "$pin"
done
expect 1 '' k user add Empty --role cashier
grep -q "first line of standard input" "$t/err" || fail "no PIN: no hint"
# A PIN another user has: refused (the PIN alone says who sells).
expect 1 '258036
' k user add Twin --role cashier
no_pin 258036
# The same name again: refused.
expect 1 '111222
' k user add Dilnoza --role cashier

# Role errors are usage errors.
expect 2 '4444
' k user add Kamola --role boss
grep -q "unknown role 'boss'" "$t/err" || fail "bad role not named"
grep -q "usage: kassa user add" "$t/err" || fail "no usage for a bad role"
expect 2 '4444
' k user add Kamola
grep -q -- "--role" "$t/err" || fail "missing role: no hint"
expect 2 '4444
' k user add --role cashier
expect 2 '4444
' k user remove Kamola --role cashier
expect 2 '' k user

# user list: every user with the role, no PIN or hash anywhere.
k user list > "$t/out" 2> "$t/err" || fail "user list"
[ "$(grep -c . "$t/out")" -eq 4 ] || fail "user list: not a header and 3 users"
grep -Eq "^Admin User +admin +active$" "$t/out" || fail "user list: admin"
grep -Eq "^Dilnoza +cashier +active$" "$t/out" || fail "user list: Dilnoza"
grep -Eq "^Rustam +manager +active$" "$t/out" || fail "user list: Rustam"
grep -q '\$y\$\|258036' "$t/out" && fail "user list shows a PIN or a hash"
expect 2 '' k user list extra

# The users log in with their PINs; refused users do not exist.
printf 'login 258036\n' | "$drive" "$db" > "$t/drive" 2>&1 || { cat "$t/drive"; fail "Dilnoza cannot log in"; }
grep -q "user=Dilnoza role=cashier" "$t/drive" || fail "login: $(cat "$t/drive")"
printf 'login 97531\n' | "$drive" "$db" > "$t/drive" 2>&1 || { cat "$t/drive"; fail "Rustam cannot log in"; }
grep -q "user=Rustam role=manager" "$t/drive" || fail "login: $(cat "$t/drive")"
printf 'login 864200\n' | "$drive" "$db" > "$t/drive" 2>&1 || { cat "$t/drive"; fail "admin cannot log in"; }
grep -q "role=admin" "$t/drive" || fail "login: $(cat "$t/drive")"
printf 'login 4444\n' | "$drive" "$db" > "$t/drive" 2>&1 && fail "a refused user can log in"

# user list --json: one document, every user, no hash.
expect 0 '' k user list --json
python3 -c "import json,sys
d = json.load(open(sys.argv[1]))
assert [u['name'] for u in d] == ['Admin User', 'Dilnoza', 'Rustam'], d
assert all(u['active'] is True for u in d), d
assert {u['role'] for u in d} == {'admin', 'cashier', 'manager'}, d
assert all(set(u) == {'id', 'name', 'role', 'active', 'updated_at'} for u in d), d
" "$t/out" || fail "user list --json: $(cat "$t/out")"

# The lifecycle. A disabled manager can neither log in nor approve; each change is an event.
events() { sqlite3 "$db" "SELECT count(*) FROM events e JOIN outbox o USING (seq) WHERE e.type = '$1'"; }
expect 0 '' k user disable Rustam
grep -q "disabled Rustam" "$t/out" || fail "disable: no confirmation"
[ "$(events user.disabled)" = 1 ] || fail "no user.disabled event with its outbox row"
expect 1 '' k user disable Rustam
grep -q "already disabled" "$t/err" || fail "disable twice: not said"
expect 1 '' k user disable Nobody
grep -q "no user called Nobody" "$t/err" || fail "disable of nobody: not said"
expect 2 '' k user disable
k user list > "$t/out" 2> "$t/err" || fail "user list"
grep -Eq "^Rustam +manager +disabled$" "$t/out" || fail "user list: Rustam not disabled"
printf 'login 97531\n' | "$drive" "$db" > "$t/drive" 2>&1 && fail "a disabled user logged in"
grep -q "disabled" "$t/drive" || fail "a disabled log-in does not say so: $(cat "$t/drive")"
printf 'login 258036\nmanager 97531\n' | "$drive" "$db" > "$t/drive" 2>&1 &&
	fail "a disabled manager approved"
grep -q "approver=" "$t/drive" && fail "a disabled manager approved: $(cat "$t/drive")"
expect 0 '' k user enable Rustam
printf 'login 97531\n' | "$drive" "$db" > "$t/drive" 2>&1 || fail "enabled again: no log-in"

# A new PIN from stdin: the old one stops working; bad and taken PINs are refused unchanged.
expect 0 '135790
' k user pin Dilnoza
no_pin 135790
grep -q "changed the PIN of Dilnoza" "$t/out" || fail "pin: no confirmation"
[ "$(events user.pin_changed)" = 1 ] || fail "no user.pin_changed event"
sqlite3 "$db" "SELECT payload FROM events WHERE type LIKE 'user.%'" | grep -q '\$y\$\|135790\|pin_hash' &&
	fail "a user event carries the PIN or its hash"
printf 'login 258036\n' | "$drive" "$db" > "$t/drive" 2>&1 && fail "the old PIN still logs in"
printf 'login 135790\n' | "$drive" "$db" > "$t/drive" 2>&1 || fail "the new PIN does not log in"
grep -q "user=Dilnoza" "$t/drive" || fail "the new PIN: $(cat "$t/drive")"
for pin in 12 abcd 1234567890123 ''; do
	expect 1 "$pin
" k user pin Dilnoza
	grep -q "PIN" "$t/err" || fail "pin '$pin': message does not say PIN"
done
expect 1 '97531
' k user pin Dilnoza
grep -q "another user already has this PIN" "$t/err" || fail "a taken PIN: not said"
no_pin 97531
expect 1 '4321
' k user pin Nobody
[ "$(events user.pin_changed)" = 1 ] || fail "a refused PIN change wrote an event"
expect 0 '' k journal verify

# Changes from the hub apply (kassa(1) says they do): a hub that disables Rustam and renames
# Dilnoza, last-write-wins; a user the till does not have is not made.
cat > "$t/hub.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
CHANGES = {"changes": [
    {"entity": "user", "key": "Rustam", "updated_at": "2099-01-01T00:00:00Z", "deleted": False,
     "data": {"name": "Rustam", "role": "manager", "disabled": True}},
    {"entity": "user", "key": "Dilnoza", "updated_at": "2099-01-01T00:00:00Z", "deleted": False,
     "data": {"name": "Dilnoza K", "role": "cashier", "disabled": False}},
    {"entity": "user", "key": "Admin User", "updated_at": "2000-01-01T00:00:00Z",
     "deleted": True, "data": {}},
    {"entity": "user", "key": "Ghost", "updated_at": "2099-01-01T00:00:00Z", "deleted": False,
     "data": {"name": "Ghost", "role": "admin", "disabled": False}}],
    "cursor": "c1", "more": False}
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def reply(self, doc):
        b = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.reply({"accepted": [e["id"] for e in body["events"]], "duplicates": [],
                    "rejected": []})
    def do_GET(self):
        self.reply(CHANGES if "since=&" in self.path else
                   {"changes": [], "cursor": "c1", "more": False})
# Port 0: the kernel picks a free one (a port of our choosing may be another test's).
s = HTTPServer(("127.0.0.1", 0), H)
print("listening", s.server_address[1], flush=True)
s.serve_forever()
PY
python3 "$t/hub.py" > "$t/hub.log" 2>&1 &
hub=$!
trap 'kill $hub 2> /dev/null; rm -rf "$t"' EXIT INT TERM
i=0
until grep -q listening "$t/hub.log" 2> /dev/null; do
	i=$((i + 1)); [ $i -lt 400 ] || fail "the fake hub did not start: $(cat "$t/hub.log")"
	sleep 0.05
done
port=$(sed -n 's/^listening //p' "$t/hub.log")
printf '[sync]\nurl = http://127.0.0.1:%s\ntoken = t\n' "$port" > "$t/sync.conf"
chmod 600 "$t/sync.conf"
"$KASSA_BIN" -d "$db" -c "$t/sync.conf" sync --once > "$t/out" 2> "$t/err" || fail "sync --once"
kill $hub; wait $hub 2> /dev/null
k user list > "$t/out" 2> "$t/err" || fail "user list"
grep -Eq "^Rustam +manager +disabled$" "$t/out" || fail "the hub's disable did not apply"
grep -Eq "^Dilnoza K +cashier +active$" "$t/out" || fail "the hub's rename did not apply"
grep -Eq "^Admin User +admin +active$" "$t/out" || fail "an older change from the hub won"
grep -q "Ghost" "$t/out" && fail "the hub made a user"
printf 'login 97531\n' | "$drive" "$db" > "$t/drive" 2>&1 && fail "disabled by the hub, still logs in"
echo ok
