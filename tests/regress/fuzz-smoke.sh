#!/bin/sh
# fuzz-smoke: replays the seed corpora (tests/fuzz/corpus-*) through the libFuzzer targets, so
# an input that once crashed the CSV importer, the barcode parser or the search keeps being
# tried. Uses the libFuzzer builds of `make fuzz` (clang) when there are some, else the gcc
# replay builds that every `make check` makes (tests/fuzz/replay). No fuzzing here: it only
# runs the corpus.
set -u
# Prefer the libFuzzer builds (make fuzz); else the replay builds every make check makes.
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
# One corpus per target: tests/fuzz/corpus-NAME goes with tests/fuzz/fuzz_NAME.c.
for n in $(cd "$KASSA_TOP/tests/fuzz" && ls -d corpus-* | sed 's/^corpus-//'); do
	if [ -x "$KASSA_TOP/build-fuzz/fuzz_$n" ] && [ "${KASSA_FUZZ_REPLAY:-}" != 1 ]; then
		run="$KASSA_TOP/build-fuzz/fuzz_$n -runs=0"
	elif [ -x "$KASSA_BUILD/tests/replay-$n" ]; then
		run="$KASSA_BUILD/tests/replay-$n"
	else
		echo "FAIL: neither build-fuzz/fuzz_$n nor $KASSA_BUILD/tests/replay-$n is built"
		exit 1
	fi
	TMPDIR=$t $run "$KASSA_TOP/tests/fuzz/corpus-$n" > "$t/log" 2>&1 || {
		echo "FAIL: $run on tests/fuzz/corpus-$n"; tail -n 30 "$t/log"; exit 1; }
	grep -E "^Done|INITED|^replayed" "$t/log" | tail -n 1
done
echo ok
