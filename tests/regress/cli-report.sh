#!/bin/sh
# cli-report: the reports the owner reads, each recomputed independently from `kassa sales
# --json` and the events. A local day in Tashkent (UTC+5) with sales on both sides of its
# midnights, cash with change, card, a split tender, a cashier's big discount approved by the
# manager, a voided line, a return with its receipt and one without, cash in and a no-sale:
# `kassa report day --json` agrees with the sales to the tiyin (totals, tenders, VAT rates,
# categories, cashiers, local hours, top products, returns, approvals, cash, and the margin
# from deliveries received with costs before and during the day); `--csv` is read
# back by python's csv module (BOM, header, CR LF, amounts in major units with '.'); the text is
# in local time; `report audit --json` lists the approval, the voided line, the no-sale, the
# cash move, the return without a receipt, log-ins, a wrong PIN and a price change; `report z
# --number N`, `--from N --to M --csv`; and the Z on paper: printed by the printer process
# when the shift closes (a till with a printer), and again with `report z --number 1 --print`,
# decoded from the ESC/POS bytes of the simulated printer (sim:PATH).
set -u
t=$(mktemp -d) || exit 1
wk=""
cleanup() {
	exec 7>&- 2>/dev/null
	[ -n "$wk" ] && kill "$wk" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$t"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
export XDG_DATA_HOME="$t/xdg-data" XDG_CONFIG_HOME="$t/xdg-config"
unset KASSA_DB KASSA_CONFIG KASSA_LOG KASSA_NOW
export TZ=Asia/Tashkent
db=$t/till.db
drive=$KASSA_BUILD/tests/tools/kassa-drive
esc="python3 $KASSA_TOP/tests/lib/escpos.py"
[ -x "$drive" ] || { echo "FAIL: $drive is not built (make test-build)"; exit 1; }
fail() {
	echo "FAIL: $*"
	for f in "$t"/out "$t"/err "$t"/drive; do [ -f "$f" ] && sed "s|^|  $(basename "$f"): |" "$f"; done
	sqlite3 "$db" "SELECT id, kind, state, error, CAST(body AS TEXT) FROM print_jobs WHERE kind <> 'drawer'" 2>/dev/null | sed "s/^/  print_jobs: /"
	[ -f "$t/paper" ] && $esc decode "$t/paper" | tail -20 | sed "s/^/  paper: /"
	exit 1
}
expect() {
	want=$1; shift
	"$@" > "$t/out" 2> "$t/err"
	rc=$?
	[ "$rc" -eq "$want" ] || fail "$* exited $rc, wanted $want"
}
k() { "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" "$@"; }
. "$KASSA_TOP/tests/lib/clock.sh"
at_drive() { at_time "$1" "$drive" "$db" >> "$t/drive" 2>&1 || fail "kassa-drive failed at $1"; }
until_ok() {
	n=0
	while ! eval "$1" > /dev/null 2>&1; do
		n=$((n + 1)); [ $n -gt 300 ] && fail "gave up waiting for: $1"; sleep 0.1
	done
}
paper() { $esc decode "$t/paper"; }

cat > "$t/kassa.conf" <<EOF
[till]
store = Chorsu
language = en
[printer]
device = sim:$t/paper
EOF
k init > /dev/null || fail init
cat > "$t/p.csv" <<'CSV'
barcode,name,price,vat,unit,category
4780001234562,Non,4000,0,pcs,Bakery
4780001234579,"Qatiq 0,5 l",8500,12,pcs,Dairy
4780001234586,"Молоко 3,2% 1 л",14500,12,pcs,Dairy
4780001234593,Choy,22000,12,pcs,
CSV
k import products "$t/p.csv" > /dev/null || fail import
printf '1111\n' | k user add Dilnoza --role cashier > /dev/null || fail "user add"
printf '9999\n' | k user add Rustam --role manager > /dev/null || fail "user add"
printf '7777\n' | k user add Aziz --role admin > /dev/null || fail "user add"

# Cost prices, for the margin: Non and Qatiq received with a cost the day before; Non again
# mid-morning at a higher cost, and Qatiq without one (which keeps the earlier cost). Молоко
# and Choy never have a cost: their revenue is the part the margin does not cover.
printf 'barcode,qty,cost\n4780001234562,50,2500\n4780001234579,20,6000.50\n' > "$t/d1.csv"
printf 'barcode,qty,cost\n4780001234562,10,2700\n' > "$t/d2.csv"
printf 'barcode,qty\n4780001234579,5\n' > "$t/d3.csv"
at_time 2026-11-24T10:00:00.000Z "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" stock receive \
	"$t/d1.csv" > /dev/null || fail "stock receive d1"
for d in d2 d3; do
	at_time 2026-11-25T05:00:00.000Z "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" stock receive \
		"$t/$d.csv" > /dev/null || fail "stock receive $d"
done

# The printer process, as the till starts it (wake pipe on fd 3, status on fd 4): it writes
# the printer's state, so the core knows this till has a printer.
: > "$t/paper"
mkfifo "$t/wake"
"$KASSA_BIN" -d "$db" -c "$t/kassa.conf" print worker 3< "$t/wake" 4> "$t/status" &
wk=$!
exec 7> "$t/wake"
until_ok "test -s '$t/status'"

# The day is 2026-11-25 in Tashkent: 2026-11-24T19:00Z to 2026-11-25T19:00Z.
at_drive 2026-11-24T18:00:00.000Z <<'EOF'
login 1111
open 100000
scan 4780001234593
pay cash 22000
EOF
at_drive 2026-11-24T19:30:00.000Z <<'EOF'
login 1111
scan 3*4780001234562
scan 4780001234579
pay cash 50000
EOF
at_drive 2026-11-25T04:10:00.000Z <<'EOF'
login 1111
scan 4780001234586
scan 4780001234562
scan 4780001234593
void-line 3
manager 9999
discount-line 1 percent 20
pay card 0
EOF
at_drive 2026-11-25T06:20:00.000Z <<'EOF'
login 1111
scan 2*4780001234586
scan 4780001234593
pay cash 10000
pay card 0
EOF
at_drive 2026-11-25T07:00:00.000Z <<'EOF'
login 9999
return 2
return-mark 4780001234562
return-complete
return-no-receipt 4780001234579 1 100000
cash-in 5000 change
no-sale
EOF
printf 'login 0000\n' | at_time 2026-11-25T08:00:00.000Z "$drive" "$db" > /dev/null 2>&1 &&
	fail "a wrong PIN logged in"
printf 'barcode,name,price\n4780001234593,Choy,23000\n' > "$t/p2.csv"
at_time 2026-11-25T09:00:00.000Z "$KASSA_BIN" -d "$db" -c "$t/kassa.conf" import products \
	"$t/p2.csv" > /dev/null || fail "price change import"
at_drive 2026-11-25T18:59:00.000Z <<'EOF'
login 1111
scan 4780001234562
pay cash 0
EOF
# Credit (nasiya) in the day: a customer of the manager's takes Qatiq, part cash, the rest on
# credit; the day's tenders must show credit beside cash and card.
at_drive 2026-11-25T18:59:30.000Z <<'EOF'
login 9999
customer-add Aziz 901234567 100000
customer 901234567
scan 4780001234579
pay cash 500
pay credit 0
EOF
at_drive 2026-11-25T19:01:00.000Z <<'EOF'
login 1111
scan 4780001234579
pay cash 0
EOF
grep -q "^error" "$t/drive" && fail "a drive step failed"

# The independent recomputation: from `kassa sales --json`, the events and the product file.
k sales --json > "$t/sales.json" || fail "sales --json"
cat > "$t/check.py" <<'PY'
import csv, io, json, sqlite3, sys
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

tz = ZoneInfo("Asia/Tashkent")
sales = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
db = sys.argv[3]
day = "2026-11-25"
cat = {"4780001234562": "Bakery", "4780001234579": "Dairy", "4780001234586": "Dairy",
       "4780001234593": ""}

def local(ts):
    return datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone(tz)

inday = [s for s in sales if local(s["completed_at"]).date().isoformat() == day]
sl = [s for s in inday if s["kind"] == "sale"]
rt = [s for s in inday if s["kind"] == "return"]
assert [s["number"] for s in sl] == [2, 3, 4, 5, 6], [s["number"] for s in sl]
assert any(p["method"] == "credit" for s in sl for p in s["payments"]), "no credit sale"
assert len(rt) == 2, rt
S = rep["sales"]
assert S["count"] == len(sl), S
assert S["total"] == sum(s["total"] for s in sl), S
assert S["vat"] == sum(s["vat"] for s in sl), S
assert S["discount"] == sum(s["discount"] for s in sl) and S["discount"] > 0, S
R = rep["returns"]
assert R["count"] == 2 and R["total"] == sum(r["total"] for r in rt), R
assert R["without_receipt"] == 1 and R["with_receipt"] == 1, R
assert R["without_receipt_total"] == sum(r["total"] for r in rt if r["no_receipt"]), R
assert rep["net"] == S["total"] - R["total"], rep["net"]

ten = defaultdict(lambda: [0, 0])
for s in sl:
    for p in s["payments"]:
        ten[p["method"]][0] += p["amount"]
    ten["cash"][0] -= s["change"]
for r in rt:
    for p in r["payments"]:
        ten[p["method"]][1] += p["amount"]
got = {t["method"]: [t["sales"], t["refunds"]] for t in rep["tenders"]}
assert got == {m: v for m, v in ten.items()}, (got, dict(ten))
assert [t["method"] for t in rep["tenders"]][:2] == ["cash", "card"], rep["tenders"]
assert sum(t["net"] for t in rep["tenders"]) == rep["net"], rep["tenders"]

vat = defaultdict(lambda: [0, 0, 0, 0])
for s in sl:
    for l in s["lines"]:
        vat[l["vat_bp"]][0] += l["total"]; vat[l["vat_bp"]][1] += l["vat"]
for r in rt:
    for l in r["lines"]:
        vat[l["vat_bp"]][2] += l["total"]; vat[l["vat_bp"]][3] += l["vat"]
got = {v["vat_bp"]: [v["gross"], v["vat"], v["refunds_gross"], v["refunds_vat"]]
       for v in rep["vat_rates"]}
assert got == dict(vat), (got, dict(vat))
assert sum(v["gross"] for v in rep["vat_rates"]) == S["total"]

cats = defaultdict(lambda: [0, 0])
for s in sl:
    for l in s["lines"]:
        cats[cat[l["code"]]][0] += l["total"]
for r in rt:
    for l in r["lines"]:
        cats[cat[l["code"]]][1] += l["total"]
got = {c["category"]: [c["total"], c["refunds"]] for c in rep["categories"]}
assert got == dict(cats), (got, dict(cats))

cash = defaultdict(lambda: [0, 0, 0, 0])
for s in sl:
    cash[s["cashier"]][0] += 1; cash[s["cashier"]][1] += s["total"]
for r in rt:
    cash[r["cashier"]][2] += 1; cash[r["cashier"]][3] += r["total"]
got = {c["cashier"]: [c["sales"], c["total"], c["returns"], c["refunds"]] for c in rep["cashiers"]}
assert got == dict(cash), (got, dict(cash))

hours = defaultdict(lambda: [0, 0])
for s in sl:
    h = local(s["completed_at"]).hour
    hours[h][0] += 1; hours[h][1] += s["total"]
got = {h["hour"]: [h["sales"], h["total"]] for h in rep["hours"]}
assert got == dict(hours), (got, dict(hours))
assert sorted(got) == [0, 9, 11, 23], got

prod = defaultdict(lambda: [0, 0])
for s in sl:
    for l in s["lines"]:
        prod[l["code"]][0] += l["qty"]; prod[l["code"]][1] += l["total"]
by_amount = sorted(prod.items(), key=lambda kv: -kv[1][1])
assert [(p["code"], p["qty"], p["total"]) for p in rep["top_by_amount"]] == \
    [(c, q, a) for c, (q, a) in by_amount], rep["top_by_amount"]
assert rep["top_by_qty"][0]["code"] == max(prod, key=lambda c: prod[c][0]), rep["top_by_qty"]

# From the events: approvals, cash moves, the no-sale, in the local day's bounds.
c = sqlite3.connect(db)
lo = datetime.fromisoformat(day + "T00:00:00").replace(tzinfo=tz).astimezone(timezone.utc)
hi = datetime.fromisoformat("2026-11-26T00:00:00").replace(tzinfo=tz).astimezone(timezone.utc)
ev = [(ty, json.loads(p)) for ty, at, p in c.execute("SELECT type, at, payload FROM events")
      if lo <= datetime.fromisoformat(at.replace("Z", "+00:00")) < hi]
appr = [p for ty, p in ev if ty == "approval.granted"]
assert len(appr) == 1 and len(rep["approvals"]) == 1, (appr, rep["approvals"])
a = rep["approvals"][0]
assert (a["user"], a["approver"], a["right"], a["sale"]) == \
    (appr[0]["user"], appr[0]["approver"], appr[0]["right"], 3), a
assert (a["user"], a["approver"]) == ("Dilnoza", "Rustam"), a
cin = sum(p["amount"] for ty, p in ev if ty == "cash.moved" and p["amount"] > 0)
assert rep["cash"] == {"in": cin, "out": 0, "no_sale":
    sum(1 for ty, p in ev if ty == "drawer.opened")}, rep["cash"]
assert rep["cash"]["in"] == 500000 and rep["cash"]["no_sale"] == 1, rep["cash"]
vo = [v for ty, p in ev if ty in ("sale.completed", "sale.voided") for v in p.get("voids", [])]
assert rep["voids"]["lines"] == len(vo) == 1, (rep["voids"], vo)
assert rep["voids"]["lines_total"] == sum(v["amount"] for v in vo) == 2200000, rep["voids"]
# Margin: each line's unit cost is that of the latest delivery at or before its sale that gave
# one (from the stock.received events); a returned line counts negative, costed at its sale's
# time (without a receipt: the return's). cost = unit cost x qty / 1000, half away from zero.
dl = sorted((at, seq, i, l["barcode"], l["cost"]) for seq, at, p in c.execute(
    "SELECT seq, at, payload FROM events WHERE type = 'stock.received'")
    for i, l in enumerate(json.loads(p)["lines"]) if l["cost"] > 0)
def unit_cost(code, at):
    got = [x[4] for x in dl if x[3] == code and x[0] <= at]
    return got[-1] if got else None
def times(uc, q):
    return (uc * q + 500) // 1000
bynum = {s["number"]: s for s in sales if s["kind"] == "sale"}
m = {"revenue": 0, "cost": 0, "unknown_revenue": 0, "lines": 0, "lines_unknown": 0}
def add(sg, code, at, qty, total):
    uc = unit_cost(code, at)
    if uc is None:
        m["unknown_revenue"] += sg * total; m["lines_unknown"] += 1
    else:
        m["revenue"] += sg * total; m["cost"] += sg * times(uc, qty); m["lines"] += 1
for s in sl:
    for l in s["lines"]:
        add(1, l["code"], s["completed_at"], l["qty"], l["total"])
for r in rt:
    at = r["completed_at"] if r["no_receipt"] else bynum[r["original"]]["completed_at"]
    for l in r["lines"]:
        add(-1, l["code"], at, l["qty"], l["total"])
m["margin"] = m["revenue"] - m["cost"]
assert rep["margin"] == m, (rep["margin"], m)
assert m["revenue"] + m["unknown_revenue"] == rep["net"], (m, rep["net"])
# Non at 2500 so'm then 2700 (sale 6), Qatiq at 6000.50 throughout (d3 gave no cost).
assert m["cost"] == 3 * 250000 + 600050 + 250000 + 270000 - 250000 - 600050 + 600050, m
assert m["lines"] == 7 and m["lines_unknown"] == 3 and m["unknown_revenue"] > 0, m
print("ok")
PY
expect 0 k report day --date 2026-11-25 --json
cp "$t/out" "$t/day.json"
python3 "$t/check.py" "$t/sales.json" "$t/day.json" "$db" > "$t/check.out" 2>&1 ||
	{ cat "$t/check.out"; fail "report day --json disagrees with the sales"; }

# CSV: RFC 4180 with a BOM, read back by python's csv module; amounts in major units.
expect 0 k report day --date 2026-11-25 --csv
head -c 3 "$t/out" | od -An -tx1 | grep -q "ef bb bf" || fail "csv: no UTF-8 byte-order mark"
python3 - "$t/out" "$t/day.json" <<'PY' || fail "report day --csv disagrees with --json"
import csv, json, sys
from decimal import Decimal
raw = open(sys.argv[1], "rb").read()
assert raw.count(b"\r\n") == raw.count(b"\n"), "not CR LF"
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
d = json.load(open(sys.argv[2]))
assert list(rows[0].keys()) == ["section", "key", "count", "qty", "amount", "vat", "refunds"]
def major(v): return str(Decimal(v) / 100) if v % 100 else "%d.00" % (v // 100)
def row(section, key): return [r for r in rows if r["section"] == section and r["key"] == key][0]
assert row("sales", "total")["amount"] == "%s" % (Decimal(d["sales"]["total"]) / 100).quantize(Decimal("0.01"))
for t in d["tenders"]:
    r = row("tender", t["method"])
    assert Decimal(r["amount"]) * 100 == t["sales"] and Decimal(r["refunds"]) * 100 == t["refunds"], (r, t)
for p in d["top_by_amount"]:
    r = [x for x in rows if x["section"] == "top by amount" and x["key"] == p["name"]][0]
    assert Decimal(r["qty"]) * 1000 == p["qty"] and Decimal(r["amount"]) * 100 == p["total"], (r, p)
# The name with a comma and Cyrillic came through quoted and whole.
assert any(r["key"] == "Молоко 3,2% 1 л" for r in rows), rows
assert row("returns", "without receipt")["count"] == "1"
assert all("." in r["amount"] for r in rows if r["amount"]), rows
for key, f in (("revenue with cost", "revenue"), ("cost", "cost"), ("margin", "margin"),
               ("revenue without cost", "unknown_revenue")):
    assert Decimal(row("margin", key)["amount"]) * 100 == d["margin"][f], (key, d["margin"])
assert row("margin", "revenue with cost")["count"] == str(d["margin"]["lines"])
PY

# Text: local times, the sections.
expect 0 k report day --date 2026-11-25
grep -q "^Day report 2026-11-25 (2026-11-25 00:00:00 to 2026-11-26 00:00:00, local time)$" "$t/out" ||
	fail "report day: the heading"
grep -Eq "^  23:00 +2 " "$t/out" || fail "report day: the hour 23 (local)"
grep -Eq "^  card " "$t/out" || fail "report day: card"
grep -Eq "^  margin " "$t/out" || fail "report day: the margin"
expect 0 k report day
expect 2 k report day --date 2026-02-30
grep -q "bad date" "$t/err" || fail "a day that does not exist"
expect 2 k report day --json --csv

# The audit trail.
expect 0 k report audit --date 2026-11-25 --json
python3 - "$t/out" <<'PY' || fail "report audit --json"
import json, sys
d = json.load(open(sys.argv[1]))
kinds = [e["kind"] for e in d["entries"]]
for k in ("approval", "line_voided", "no_sale", "cash_move", "return_no_receipt", "login",
          "login_failed", "price_change"):
    assert k in kinds, (k, kinds)
ats = [e["at"] for e in d["entries"]]
assert ats == sorted(ats), ats
pc = [e for e in d["entries"] if e["kind"] == "price_change"][0]
assert (pc["old_price"], pc["price"], pc["name"]) == (2200000, 2300000, "Choy"), pc
nr = [e for e in d["entries"] if e["kind"] == "return_no_receipt"][0]
assert nr["user"] == "Rustam" and nr["total"] == 850000, nr
assert [e for e in d["entries"] if e["kind"] == "approval"][0]["approver"] == "Rustam"
assert all(e["at"] >= "2026-11-24T19:00" and e["at"] < "2026-11-25T19:00" for e in d["entries"])
PY
expect 0 k report audit --date 2026-11-25
grep -Eq "^2026-11-25 13:00:00  login_failed +wrong PIN$" "$t/out" || fail "audit text: wrong PIN in local time"

# Z by number, the range as CSV, and the Z that printed itself at the close.
expect 1 k report z --number 1
grep -q "still open" "$t/err" || fail "z of the open shift"
# On the real clock: the printer process leaves jobs older than [printer] max_wait unprinted.
"$drive" "$db" >> "$t/drive" 2>&1 <<'EOF' || fail "closing the shifts"
login 9999
close 150000
open 0
scan 4780001234562
pay cash 0
close 4000
EOF
grep -q "^ok closed number=1 " "$t/drive" || fail "shift 1 did not close"
echo x >&7
until_ok "paper | grep -qF 'Z REPORT 1'"
until_ok "paper | grep -qF 'Z REPORT 2'"
expect 0 k report z --number 1 --json
cp "$t/out" "$t/z1.json"
python3 - "$t/z1.json" "$t/sales.json" <<'PY' || fail "z --number 1 disagrees with the sales"
import json, sys
z = json.load(open(sys.argv[1])); sales = json.load(open(sys.argv[2]))
sl = [s for s in sales if s["kind"] == "sale" and s["shift"] == 1]
rt = [s for s in sales if s["kind"] == "return" and s["shift"] == 1]
assert z["number"] == 1 and z["closed"], z
assert z["sales_count"] == len(sl) and z["sales_total"] == sum(s["total"] for s in sl), z
assert z["refunds_total"] == sum(r["total"] for r in rt), z
cash = sum(p["amount"] for s in sl for p in s["payments"] if p["method"] == "cash") - sum(s["change"] for s in sl)
assert z["cash_sales"] == cash, (z, cash)
assert z["counted_cash"] == 15000000, z
PY
# The paper: decoded from the ESC/POS bytes.
paper > "$t/paper.txt"
python3 - "$t/paper.txt" "$t/z1.json" <<'PY' || { sed 's/^/  paper: /' "$t/paper.txt"; fail "the Z on paper"; }
import json, re, sys
text = open(sys.argv[1]).read(); z = json.load(open(sys.argv[2]))
part = text[text.index("Z REPORT 1"):text.index("Z REPORT 2")]
def fmt(v):
    s = "{:,}".format(abs(v) // 100).replace(",", " ")
    if v % 100: s += ".%02d" % (abs(v) % 100)
    return ("-" if v < 0 else "") + s
for label, key in (("Sales total", "sales_total"), ("Counted cash", "counted_cash"),
                   ("Variance", "variance"), ("Expected cash", "expected_cash"),
                   ("Refunded", "refunds_total")):
    m = re.search(re.escape(label) + r"\s+(-?[\d ]+(?:\.\d\d)?)\s*$", part, re.M)
    assert m and m.group(1).strip() == fmt(z[key]), (label, m and m.group(1), fmt(z[key]))
assert "[CUT]" in part or "[CUT]" in text[text.index("Z REPORT 2"):], "no cut"
PY
# Reprint by number: queued for the printer process, which prints it.
n1=$(paper | grep -c 'Z REPORT 1')
expect 0 k report z --number 1 --print
grep -q "queued" "$t/out" || fail "report z --print did not say it is queued"
echo x >&7
until_ok "[ \$(paper | grep -c 'Z REPORT 1') -gt $n1 ]"
expect 0 k report z --from 1 --to 5 --csv
python3 - "$t/out" "$t/z1.json" <<'PY' || fail "z --from --to --csv"
import csv, sys
from decimal import Decimal
import json
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline="")))
z = json.load(open(sys.argv[2]))
assert [r["shift"] for r in rows] == ["1", "2"], rows
r = rows[0]
for col, key in (("sales_total", "sales_total"), ("variance", "variance"), ("cash_sales", "cash_sales"),
                 ("refunds_total", "refunds_total"), ("expected_cash", "expected_cash")):
    assert Decimal(r[col]) * 100 == z[key], (col, r[col], z[key])
from datetime import datetime
assert r["closed_at"] == datetime.fromisoformat(z["closed_at"].replace("Z", "+00:00")).astimezone().strftime("%Y-%m-%d %H:%M:%S"), (r["closed_at"], z["closed_at"])
PY
expect 1 k report z --number 9
expect 2 k report z --from 3 --to 1
expect 2 k report x --number 1
echo ok
