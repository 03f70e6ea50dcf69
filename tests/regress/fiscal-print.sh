#!/bin/sh
# Fiscal data on paper (CONTRACT.md section 8), on a fake network printer (tests/lib/escpos.py
# records the bytes; they are decoded here, the QR code's data from its GS ( k commands): a
# receipt printed while the gateway is down says the fiscal receipt is pending and has no QR
# code; once the reply is stored, `kassa print copy N` carries the terminal, the fiscal receipt
# number, the sign and the QR code of qr_url; with the gateway up, the first receipt already
# carries them ([fiscal] wait: the printer waits for the reply, the sale does not).
. "$KASSA_TOP/tests/lib/fiscal.sh"
esc="python3 $KASSA_TOP/tests/lib/escpos.py"
FP="" WK=""
trap 'exec 7>&- 2>/dev/null; [ -n "$WK" ] && kill "$WK" 2>/dev/null; [ -n "$FP" ] && kill "$FP" 2>/dev/null; [ -n "${SP:-}" ] && kill "$SP" 2>/dev/null; sim_stop; hub_stop; wait 2>/dev/null; rm -rf "$T"' EXIT INT TERM

hub_start
fiscal_till t1
echo ok > "$T/pstate"
$esc printer --port-file "$T/port" --out "$T/paper" --state "$T/pstate" 2> "$T/fp.err" &
FP=$!
wait_until 10 "the fake printer did not start" test -s "$T/port"
printf 'wait = 3\n[printer]\ndevice = tcp:127.0.0.1:%s\nwidth = 42\n' "$(cat "$T/port")" >> "$T/t1.conf"
sed -i 's/^backoff_cap = 2$/backoff_cap = 2\ninterval = 1/' "$T/t1.conf"
k() { "$KASSA_BIN" -d "$T/t1.db" -c "$T/t1.conf" "$@"; }
paper() { $esc decode "$T/paper"; }
mkfifo "$T/wake"
k print worker 3< "$T/wake" 4> "$T/status" &
WK=$!
exec 7> "$T/wake"
printed() { paper | grep -qF -- "$1"; }

# 1. The gateway is down: the receipt waits [fiscal] wait, then prints "pending", no QR.
sell t1 "$B1"
echo x >&7
wait_until 20 "the receipt did not print" printed "[BARCODE 1]"
printed "Fiscal receipt pending" || fail "the receipt does not say the fiscal receipt is pending: $(paper)"
printed "[QR " && fail "a QR code without a fiscal reply: $(paper)"

# 2. The reply comes; a copy carries the fiscal data and the QR code of qr_url.
sim_start
sync_once t1 || fail "sync: $(cat "$T/sync.err")"
url=$(till_q t1 "SELECT qr_url FROM fiscal_documents d JOIN sales s ON s.id = d.ref_id WHERE d.kind = 'sale' AND s.number = 1")
sign=$(till_q t1 "SELECT fiscal_sign FROM fiscal_documents d JOIN sales s ON s.id = d.ref_id WHERE d.kind = 'sale' AND s.number = 1")
term=$(till_q t1 "SELECT terminal_id FROM fiscal_documents WHERE kind = 'sale'")
[ -n "$url" ] || fail "no reply stored"
: > "$T/paper"
k print copy 1 > /dev/null || fail "print copy"
echo x >&7
wait_until 20 "the copy did not print" printed "[BARCODE 1]"
printed "COPY" || fail "the copy is not marked COPY"
printed "[QR $url]" || fail "the copy's QR code is not qr_url ($url): $(paper)"
printed "Terminal" && printed "$term" || fail "the copy lacks the terminal: $(paper)"
printed "$(printf %.32s "$sign")" || fail "the copy lacks the fiscal sign: $(paper)"
printed "Fiscal receipt pending" && fail "the copy still says pending"
case "$url" in "https://ofd.soliq.uz/check?t=$term&r=2&c="*"&s=$sign") ;;
	*) fail "qr_url is not in the tax service's format: $url" ;; esac

# 3. The gateway up and the sync process running: the first receipt carries it already.
k sync > "$T/fg.log" 2>&1 &
SP=$!
: > "$T/paper"
sell t1 "$B2"
echo x >&7
wait_until 20 "the second receipt did not print" printed "[BARCODE 2]"
url=$(till_q t1 "SELECT qr_url FROM fiscal_documents d JOIN sales s ON s.id = d.ref_id WHERE d.kind = 'sale' AND s.number = 2")
[ -n "$url" ] || fail "the second sale was not signed"
printed "[QR $url]" || fail "the first receipt does not carry the reply that came within [fiscal] wait: $(paper)"
printed "Fiscal receipt pending" && fail "the first receipt says pending though the reply came"
echo ok
