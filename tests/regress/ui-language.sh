#!/bin/sh
# End to end: the core's errors reach the cashier in the till's language, not in English. In
# Russian, then in Uzbek: a wrong PIN (a plural form), an unknown code, a bad check digit and an
# amount that is not a number (the value's name translated too); in Russian also a database held
# by another process past the busy timeout (the store's message and what the till was doing).
# A till started with no locale at all is still Russian. The command line sets no locale: its
# core messages stay English.
. "$KASSA_TOP/tests/lib/tmux.sh"
ui_setup
UNKNOWN=4780000000007	# a valid EAN-13 that is not in the demo catalogue
BADCHECK=4780000000000	# the same with a wrong check digit
grep -q "^$UNKNOWN," "$KASSA_TOP/contrib/demo-catalog.csv" && fail "$UNKNOWN is in the catalogue"

# ---- Russian
printf '[till]\nlanguage = ru\n' > "$T/kassa.conf"
ui_start
wait_for "Введите PIN"
keys 0000 Enter
wait_for "неверный PIN (до блокировки осталось 4 попытки)"
keys 1111 Enter
wait_for "Размен"
keys 100000 Enter
wait_for "ИТОГО"
keys "$UNKNOWN" Enter
wait_for "неизвестный код $UNKNOWN"
screen | grep -q "unknown code" && fail "English next to Russian"
keys "$BADCHECK" Enter
wait_for "неверная контрольная цифра в $BADCHECK"
keys "$B1" Enter
wait_for "Nonvoyxona non"
keys F4
wait_for "Скидка на строку"
keys abc Enter
wait_for "сумма: не число: «abc»"
# Another process holds the write lock longer than the till's busy timeout (10 s).
(echo "BEGIN IMMEDIATE;"; sleep 14; echo "ROLLBACK;") | sqlite3 "$DB" &
holder=$!
sleep 1
keys "$B2" Enter
wait_for "начало транзакции: база данных занята" 20
screen | grep -q "Patir non" && fail "added while another process held the database"
wait $holder
keys "$B2" Enter
wait_for "Patir non"

# ---- Uzbek, on the same database (the sale is still open)
ui_stop
printf '[till]\nlanguage = uz\n' > "$T/kassa.conf"
ui_start
wait_for "PIN kiriting"
keys 0000 Enter
wait_for "notoʻgʻri PIN (bloklashgacha 4 ta urinish qoldi)"
keys 1111 Enter
wait_for "JAMI"
wait_for "Patir non"
keys "$UNKNOWN" Enter
wait_for "nomaʼlum kod $UNKNOWN"
screen | grep -q "unknown code" && fail "English next to Uzbek"
keys "$BADCHECK" Enter
wait_for "$BADCHECK: nazorat raqami notoʻgʻri"
keys F4
wait_for "Qatorga chegirma"
keys abc Enter
wait_for "summa son emas: 'abc'"

# ---- a till started with no locale at all (by systemd, or over SSH from a client that passes
# no LANG): still Russian, and the Cyrillic store name drawn whole (the till falls back to
# C.UTF-8 rather than the C locale, where curses draws '?' and gettext ignores the language).
ui_stop
printf '[till]\nlanguage = ru\nstore = Чорсу бозори\n' > "$T/kassa.conf"
keep="ASAN_OPTIONS=${ASAN_OPTIONS:-} LSAN_OPTIONS=${LSAN_OPTIONS:-} UBSAN_OPTIONS=${UBSAN_OPTIONS:-}"
tmux -S "$SOCK" -f /dev/null new-session -d -s till -x 80 -y 24 \
    "exec env -i TERM=xterm-256color $keep '$KASSA_BIN' -d '$DB' -c '$T/kassa.conf'" ||
	fail "tmux"
wait_for "Введите PIN"
wait_for "Чорсу бозори"

# ---- the command line: English whatever LANGUAGE says
if echo 2222 | LC_ALL=C LANGUAGE=ru kassa user add Dilnoza --role cashier > "$T/out" 2>&1; then
	fail "a second user called Dilnoza was added"
fi
grep -q "there is already a user called Dilnoza" "$T/out" ||
	fail "the command line did not say it in English: $(cat "$T/out")"
echo ok
