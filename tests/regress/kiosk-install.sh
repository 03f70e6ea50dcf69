#!/bin/sh
# contrib/kiosk/install --root DIR sets up what it promises, inside DIR only, and a second run
# changes nothing: the till's system user with no login shell; /var/lib/kassa and /etc/kassa
# 0700, kassa.conf and the database 0600, all owned by that user (when run as root); the
# locked tmux configuration and kassa-support owned by root and not writable by the till; the
# unit filled in, enabled, getty@tty1 masked; the unit passes systemd-analyze verify.
set -u
: "${KASSA_BIN:?set KASSA_BIN}" "${KASSA_TOP:?set KASSA_TOP}"
T=$(mktemp -d /tmp/kassa-kiosk-XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
R=$T/root
INSTALL=$KASSA_TOP/contrib/kiosk/install

fail() {
	echo "FAIL: $*"
	exit 1
}

# MODE OWNER PATH: OWNER is uid:gid, checked only when we ran as root (chown needs it).
check() {
	got=$(stat -c '%a' "$3") || fail "$3 is missing"
	[ "$got" = "$1" ] || fail "$3: mode $got, expected $1"
	if [ "$(id -u)" -eq 0 ]; then
		got=$(stat -c '%u:%g' "$3")
		[ "$got" = "$2" ] || fail "$3: owner $got, expected $2"
	fi
}

# A minimal system to install into (useradd --prefix needs these files).
mkdir -p "$R/etc" "$R/usr/local/bin" "$R/var/lib/kassa"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$R/etc/passwd"
printf 'root:x:0:\nlp:x:7:\ndialout:x:20:\n' > "$R/etc/group"
printf 'root:*:19000:0:99999:7:::\n' > "$R/etc/shadow"
printf 'root:*::\nlp:*::\ndialout:*::\n' > "$R/etc/gshadow"
chmod 0600 "$R/etc/shadow" "$R/etc/gshadow"
cp "$KASSA_BIN" "$R/usr/local/bin/kassa"
# A database from before, left world-readable by an earlier set-up.
"$KASSA_BIN" -d "$R/var/lib/kassa/kassa.db" -c /dev/null init --store Test > /dev/null || fail "init"
chmod 0644 "$R/var/lib/kassa/kassa.db"
chmod 0755 "$R/var/lib/kassa"
hostpw=$(cksum < /etc/passwd)

# --dry-run changes nothing.
before=$(find "$R" -printf '%p %m %U\n' | sort | cksum)
sh "$INSTALL" --root "$R" --dry-run > "$T/dry.out" 2>&1 || fail "dry run: $(cat "$T/dry.out")"
grep -q '^+ install -m 0644 .*kassa-till.service' "$T/dry.out" || fail "the dry run does not say what it would do"
[ "$(find "$R" -printf '%p %m %U\n' | sort | cksum)" = "$before" ] || fail "--dry-run changed $R"

sh "$INSTALL" --root "$R" > "$T/run1.out" 2>&1 || fail "install: $(cat "$T/run1.out")"
[ "$(cksum < /etc/passwd)" = "$hostpw" ] || fail "the host's /etc/passwd changed"

if [ "$(id -u)" -eq 0 ]; then
	line=$(grep '^kassa:' "$R/etc/passwd") || fail "no user kassa in $R/etc/passwd"
	uid=$(echo "$line" | cut -d: -f3)
	gid=$(echo "$line" | cut -d: -f4)
	[ "$uid" -lt 1000 ] || fail "kassa is not a system user: $line"
	[ "$(echo "$line" | cut -d: -f6)" = /var/lib/kassa ] || fail "home: $line"
	[ "$(echo "$line" | cut -d: -f7)" = /usr/sbin/nologin ] || fail "kassa can log in: $line"
	grep -q '^dialout:.*kassa' "$R/etc/group" || fail "kassa is not in dialout"
	grep -q '^lp:.*kassa' "$R/etc/group" || fail "kassa is not in lp"
else
	echo "not root: ownership and the user are not checked"
	uid=x gid=x
fi
K=$uid:$gid
check 700 "$K" "$R/var/lib/kassa"
check 600 "$K" "$R/var/lib/kassa/kassa.db"
check 700 "$K" "$R/etc/kassa"
check 600 "$K" "$R/etc/kassa/kassa.conf"
check 755 0:0 "$R/usr/local/bin/kassa-support"
check 644 0:0 "$R/usr/local/share/kassa/tmux.conf"
check 644 0:0 "$R/etc/systemd/system/kassa-till.service"
cmp -s "$R/usr/local/share/kassa/tmux.conf" "$KASSA_TOP/contrib/kiosk/tmux.conf" || fail "tmux.conf differs"
# The config it wrote is one the till accepts.
"$KASSA_BIN" -d "$R/var/lib/kassa/kassa.db" -c "$R/etc/kassa/kassa.conf" status > /dev/null ||
    fail "the till refuses the installed config"

unit=$R/etc/systemd/system/kassa-till.service
grep -q '@' "$unit" && grep -n '@[A-Z]*@' "$unit" && fail "unfilled placeholders"
grep -qx 'User=kassa' "$unit" || fail "the unit does not run as kassa"
grep -qx 'ExecStart=/usr/local/bin/kassa-support run -d /var/lib/kassa/kassa.db -c /etc/kassa/kassa.conf' "$unit" ||
    fail "ExecStart: $(grep ExecStart "$unit")"
grep -qx 'TTYPath=/dev/tty1' "$unit" || fail "not on tty1"
grep -qx 'Restart=always' "$unit" || fail "not restarted"
[ "$(readlink "$R/etc/systemd/system/multi-user.target.wants/kassa-till.service")" = ../kassa-till.service ] ||
    fail "the unit is not enabled"
[ "$(readlink "$R/etc/systemd/system/getty@tty1.service")" = /dev/null ] || fail "getty@tty1 is not masked"

# Idempotent: a second run leaves every file, mode and owner as it was, and adds no user.
after=$(find "$R" ! -name '*-' ! -name passwd ! -name group ! -name shadow ! -name gshadow \
    -printf '%p %m %U %G %l\n' | sort)
sh "$INSTALL" --root "$R" > "$T/run2.out" 2>&1 || fail "second install: $(cat "$T/run2.out")"
again=$(find "$R" ! -name '*-' ! -name passwd ! -name group ! -name shadow ! -name gshadow \
    -printf '%p %m %U %G %l\n' | sort)
[ "$after" = "$again" ] || fail "a second run changed: $(printf '%s\n' "$after" > "$T/a"; printf '%s\n' "$again" | diff "$T/a" -)"
if [ "$(id -u)" -eq 0 ]; then
	[ "$(grep -c '^kassa:' "$R/etc/passwd")" = 1 ] || fail "a second user kassa"
fi
grep -q 'useradd' "$T/run2.out" && fail "the second run added the user again"
# A config loosened since is tightened again.
chmod 0644 "$R/etc/kassa/kassa.conf"
sh "$INSTALL" --root "$R" > /dev/null 2>&1 || fail "third install"
check 600 "$K" "$R/etc/kassa/kassa.conf"

# Bad options are usage errors, and nothing is touched without --root unless root.
sh "$INSTALL" --root "$R" --tty 'tty1; rm -rf /' > /dev/null 2>&1 && fail "a bad --tty was accepted"
sh "$INSTALL" --bogus > /dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown option is not a usage error"

# systemd's own check of the unit, with the paths pointed into the test root.
if command -v systemd-analyze > /dev/null 2>&1; then
	mkdir "$T/verify"
	sed "s|/usr/local/|$R/usr/local/|g" "$unit" > "$T/verify/kassa-till.service"
	out=$(systemd-analyze verify --man=no "$T/verify/kassa-till.service" 2>&1) || fail "systemd-analyze: $out"
	[ -z "$out" ] || fail "systemd-analyze: $out"
else
	echo "systemd-analyze is not installed: the unit is not verified"
fi
echo "ok"
