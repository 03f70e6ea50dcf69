#!/bin/sh
# End to end: every screen's bottom bar at 80x24 in uz, ru and en. Each bar is made of whole
# items only ("F10 pay", translated), separated from the printer's state, which stays whole at
# the right end; where Esc goes back or cancels it is on the bar (on the sale screen it only
# clears the input line: help lists it, the bar has no room); the bar belongs to what has the keys (the
# opening-cash question shows its own keys, not the PIN's). Then whole sales under TERM=vt100
# (no F10 or F12 key: the bar and help say Alt-0 and Alt--, and those chords work) and
# TERM=linux (real F-keys, shown as such). The return screen (F6) is checked in each language:
# its bar, its questions', and (en, ru) the refund's.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup

# The words the bars are made of (msgids); a translated item must be "LABEL word".
WORDS="pay find void disc park menu help void_sale quit OK cancel add back cash/card method customer next_sale choose return refund abandon unmark"
LEADS="Type your PIN|Type a name|1-0: a row"

# tr LANG MSGID: the translation, from po/LANG.po (en: the msgid).
tr() {
	python3 - "$KASSA_TOP/po" "$1" "$2" <<'EOF'
import re, sys
po, lang, mid = sys.argv[1:4]
if lang == "en":
    print(mid); sys.exit()
s = open(f"{po}/{lang}.po", encoding="utf-8").read()
for m in re.finditer(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', s, re.M):
    k = "".join(re.findall(r'"(.*)"', m.group(1)))
    if k == mid:
        print("".join(re.findall(r'"(.*)"', m.group(2))).replace('\\"', '"')); sys.exit()
print(mid)
EOF
}

# check_bar LANG MUST ESC [MUST2]: the bottom line is whole items then the printer's state;
# MUST (an item, "F10 pay" in English) and MUST2 are among them; ESC=1: an Esc item is there.
check_bar() {
	python3 - "$KASSA_TOP/po" "$1" "$2" "$3" "$WORDS" "$LEADS" "$(screen | tail -n 1)" \
	    "${4:-}" <<'EOF'
import re, sys
po, lang, must, esc, words, leads, line, must2 = sys.argv[1:9]
tr = {}
if lang != "en":
    s = open(f"{po}/{lang}.po", encoding="utf-8").read()
    for m in re.finditer(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', s, re.M):
        tr["".join(re.findall(r'"(.*)"', m.group(1)))] = "".join(re.findall(r'"(.*)"', m.group(2)))
t = lambda w: tr.get(w, w) or w
labels = [f"F{n}" for n in range(1, 13)] + [f"Alt-{c}" for c in "1234567890-"] + \
    ["Enter", "Esc", "Tab"]
allowed = {f"{l} {t(w.replace('_', ' '))}" for l in labels for w in words.split()}
allowed |= {t(x) for x in leads.split("|")}
status = f"{t('printer')}: {t('none')}"
def bad(why):
    print(f"bar [{lang}] {why}: '{line}'"); sys.exit(1)
if len(line) > 80:
    bad("wider than 80 columns")
if not line.endswith(status):
    bad(f"does not end with the whole status '{status}'")
hint = line[: len(line) - len(status)]
if hint.strip() and not hint.endswith("  "):
    bad("runs into the status")
items = [i for i in re.split(r"\s{2,}", hint.strip()) if i]
for i in items:
    if i not in allowed:
        bad(f"item '{i}' is not a whole key and word")
for x in (must, must2):
    if x:
        m = x.split(" ", 1)
        if f"{m[0]} {t(m[1])}" not in items:
            bad(f"'{m[0]} {t(m[1])}' is missing")
has_esc = any(i.startswith("Esc ") for i in items)
if esc == "1" and not has_esc:
    bad("no Esc where Esc works")
EOF
}

bar_ok() {
	n=0
	until check_bar "$@" > "$T/bar.out"; do
		n=$((n + 1))
		[ $n -lt 100 ] || fail "$(cat "$T/bar.out")"
		sleep 0.1
	done
	echo "[$1] $(screen | tail -n 1)"
}

for lang in en ru uz; do
	rm -f "$DB" "$DB-wal" "$DB-shm"
	ui_setup
	printf '[till]\nlanguage = %s\n' "$lang" > "$T/kassa.conf"
	ui_start 80 24
	bar_ok $lang "F12 quit" 0
	screen | tail -n 1 | grep -qF "$(tr $lang 'Type your PIN')" || fail "[$lang] no PIN lead"
	keys 1111 Enter
	wait_for "$(tr $lang 'No shift is open. Opening cash (float), then Enter')"
	bar_ok $lang "Enter OK" 1
	screen | tail -n 1 | grep -qF "PIN" && fail "[$lang] the PIN's hint on the opening cash"
	keys 100000 Enter
	bar_ok $lang "F10 pay" 0 "F1 help"
	keys F2
	bar_ok $lang "Enter add" 1
	keys Escape
	bar_ok $lang "F10 pay" 0 "F1 help"
	keys "$B1" Enter
	wait_for "Nonvoyxona non"
	keys F10
	bar_ok $lang "Enter pay" 1
	keys Enter
	bar_ok $lang "Enter next sale" 0
	# The return screen (F6), its receipt question and its abandon question; outside the
	# Uzbek run (whose database the vt100 run counts sales in) a refund and its screen.
	keys Space F6
	wait_for "$(tr $lang "Return: the receipt's number (or scan its barcode)")"
	bar_ok $lang "Esc cancel" 1
	keys 1 Enter
	wait_for "$(tr $lang 'Return>')"
	bar_ok $lang "F10 refund" 1 "F8 unmark"
	keys "$B1" Enter
	wait_for "4 000"
	if [ $lang != uz ]; then
		keys F10
		wait_for "$(tr $lang 'Manager approval needed: manager PIN')"
		keys 9999 Enter
		wait_for "$(tr $lang 'Press any key for the next sale')"
		bar_ok $lang "Enter next sale" 0
		keys Enter
	else
		keys Escape
		wait_for "$(tr $lang 'Abandon the return? Enter abandons it, Esc keeps it')"
		bar_ok $lang "Esc cancel" 1
		keys Enter
	fi
	bar_ok $lang "F10 pay" 0 "F1 help"
	keys F12
	bar_ok $lang "Enter choose" 1
	keys 3
	wait_for "$(tr $lang 'X report (the shift so far)')"
	bar_ok $lang "Esc back" 1
	keys Escape
	bar_ok $lang "F10 pay" 0 "F1 help"
	keys F1
	wait_for "$(tr $lang 'Keys')"
	bar_ok $lang "Esc back" 1
	keys Escape
	bar_ok $lang "F10 pay" 0 "F1 help"
	keys "$B1" Enter
	wait_for "Nonvoyxona non"
	keys F5
	wait_for "$(tr $lang 'Sale parked: F5 on an empty cart recalls it')"
	keys F5
	wait_for "$(tr $lang 'PARKED SALES')"
	bar_ok $lang "Enter choose" 1
	keys Enter
	wait_for "Nonvoyxona non"
	keys F4
	bar_ok $lang "Esc cancel" 1
	keys Escape
	bar_ok $lang "F10 pay" 0 "F1 help"
	keys F9
	wait_for "$(tr $lang 'Void the whole sale? Enter voids it, Esc keeps it')"
	bar_ok $lang "Esc cancel" 1
	keys Escape
	bar_ok $lang "F10 pay" 0 "F1 help"
	keys F12
	bar_ok $lang "Enter choose" 1
	keys 1
	wait_for "$(tr $lang 'Cash in: amount')"
	bar_ok $lang "Esc cancel" 1
	keys 10 Enter x Enter
	wait_for "$(tr $lang 'Manager approval needed: manager PIN')"
	bar_ok $lang "Esc cancel" 1
	keys Escape
	bar_ok $lang "F10 pay" 0 "F1 help"
	ui_stop
done

# ---- TERM=vt100: no F10, F11, F12 keys. The bar, the help and the keys use the chords.
printf '' > "$T/kassa.conf"
ui_start 80 24 vt100
bar_ok en "Alt-- quit" 0
keys 1111 Enter
bar_ok en "Alt-0 pay" 0
screen | tail -n 1 | grep -qF "F10" && fail "vt100: the bar names F10"
keys "$B1" Enter "$B2" Enter
wait_for "Patir non"
keys M-1
wait_for "Keys"
screen | grep -q "Alt-0 *pay" || fail "vt100: the help does not say Alt-0 for pay"
screen | grep -q "Alt-- *menu" || fail "vt100: the help does not say Alt-- for the menu"
keys Escape
bar_ok en "Alt-0 pay" 0
keys M-0
wait_for "PAYMENT"
keys Enter
wait_for "CHANGE"
keys Space M--
wait_for "MENU"
keys Escape
bar_ok en "Alt-0 pay" 0
ui_stop
[ "$(kassa sales --json | json_get 'len(d)')" = 2 ] || fail "vt100: the sale did not complete"
# The Uzbek run left 4 000 in the cart: resumed, plus 10 000.
kassa sales --json | json_get '[s["total"] for s in d]' | grep -q 1400000 ||
	fail "vt100: no sale of 14 000: $(kassa sales --json | json_get '[s["total"] for s in d]')"

# ---- TERM=linux: real F-keys, named as such.
ui_start 80 24 linux
bar_ok en "F12 quit" 0
keys 1111 Enter
bar_ok en "F10 pay" 0
keys "$B2" Enter
wait_for "Patir non"
keys F10
wait_for "PAYMENT"
keys 10000 Enter
wait_for "CHANGE"
wait_for "4 000 so'm"
keys Space F12
wait_for "MENU"
ui_stop
[ "$(kassa sales --json | json_get 'len(d)')" = 3 ] || fail "linux: the sale did not complete"
kassa journal verify > /dev/null || fail "journal verify"
echo ok
