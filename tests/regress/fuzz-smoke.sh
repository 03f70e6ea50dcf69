#!/bin/sh
# fuzz-smoke: replays the seed corpora (tests/fuzz/corpus-*) through the libFuzzer targets, so
# an input that once crashed the CSV importer or the barcode parser keeps being tried. Needs
# the fuzzers built by `make fuzz` (clang); skips when they are not there. No fuzzing here:
# -runs=0 only executes the corpus, which takes a second.
set -u
fz=$KASSA_TOP/build-fuzz
for n in csv barcode; do
	[ -x "$fz/fuzz_$n" ] || { echo "SKIP: $fz/fuzz_$n is not built (make fuzz, needs clang)"; exit 77; }
done
t=$(mktemp -d) || exit 1
trap 'rm -rf "$t"' EXIT INT TERM
for n in csv barcode; do
	TMPDIR=$t "$fz/fuzz_$n" -runs=0 "$KASSA_TOP/tests/fuzz/corpus-$n" > "$t/log" 2>&1 || {
		echo "FAIL: fuzz_$n on tests/fuzz/corpus-$n"; tail -n 30 "$t/log"; exit 1; }
	grep -E "^Done|INITED" "$t/log" | tail -n 1
done
echo ok
