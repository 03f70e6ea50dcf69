#!/bin/sh
# cli-config: the config's secrets and transport, driven as a careless installer would.
# A config that holds the token and that its group or others may read is refused by every
# command, whoever owns it (a root-owned 0644 file like /etc/kassa/kassa.conf too), naming the
# file and saying `chmod 600`; `[sync] url = http://` to anything but this machine is refused
# saying https:// is needed; no message ever shows the token.
set -u
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG
db=$t/till.db
tok=Tok3nNeverShown
fail() { echo "FAIL: $*"; for f in "$t"/out "$t"/err; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done; exit 1; }
expect() {
	want=$1; shift
	"$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
	! grep -q "$tok" "$t/out" "$t/err" || fail "$*: the token was printed"
}
conf() { printf '[sync]\nurl = %s\ntoken = %s\n' "$1" "$tok" > "$t/kassa.conf"; chmod "$2" "$t/kassa.conf"; }
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }

"$KASSA_BIN" -d "$db" -c /dev/null init > /dev/null || fail init

# Private and https: fine.
conf https://hub.example.uz 600
expect 0 k status

# Readable by group or others: refused, by every command.
for mode in 644 640 604 660; do
	conf https://hub.example.uz $mode
	expect 1 k status
	grep -q "$t/kassa.conf" "$t/err" || fail "mode $mode: the file is not named"
	grep -q "chmod 600" "$t/err" || fail "mode $mode: no chmod 600"
	expect 1 k sales
done
# Whoever owns it: a file of another user (as root's /etc/kassa/kassa.conf is to the till's).
if [ "$(id -u)" = 0 ]; then
	conf https://hub.example.uz 644
	chown 1:1 "$t/kassa.conf" || fail chown
	expect 1 k status
	grep -q "chmod 600" "$t/err" || fail "a file of another owner: no chmod 600"
fi

# Plain HTTP across the network: refused when the config is read, saying why.
for url in http://hub.example.uz http://192.168.1.10:8080 http://127.0.0.1.nip.io:8080; do
	conf "$url" 600
	expect 1 k status
	grep -q "$t/kassa.conf:2: \[sync\] url" "$t/err" || fail "$url: not named by file and line"
	grep -q "https://" "$t/err" || fail "$url: does not say https://"
	expect 1 k sync --once
done
# ...but to this machine it is fine (a hub or a TLS proxy on the till itself).
for url in http://127.0.0.1:8080 http://localhost:8080 'http://[::1]:8080'; do
	conf "$url" 600
	expect 0 k status
done
# A sync that fails (nothing listens there) says why, and never with the token.
conf http://127.0.0.1:1 600
expect 1 k sync --once
[ -s "$t/err" ] || fail "a failed sync said nothing"
# A password in the URL is refused and not shown either.
printf '[sync]\nurl = https://till:%s@hub.example.uz\n' "$tok" > "$t/kassa.conf"
chmod 600 "$t/kassa.conf"
expect 1 k status
grep -q "user or password" "$t/err" || fail "a password in the url: no reason"
echo ok
