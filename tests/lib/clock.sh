# at_time TIME CMD...: runs CMD with the wall clock stopped at TIME (RFC 3339 UTC,
# 2030-01-01T12:00:00.000Z) through libfaketime (package faketime). The binaries have no clock
# hook of their own: what a release till does, the tests do too. The monotonic clock keeps
# running (deadlines and back-off still pass), and an ASan build accepts the preload.
# Source it from a regress script; a script that needs it skips (exit 77) without libfaketime.
FAKETIME_LIB=
for f in /usr/lib/*/faketime/libfaketime.so.1 /usr/lib/faketime/libfaketime.so.1; do
	[ -f "$f" ] && { FAKETIME_LIB=$f; break; }
done
at_time() {
	[ -n "$FAKETIME_LIB" ] || { echo "libfaketime is not installed (package faketime)"; exit 77; }
	at_t=$(printf '%s' "$1" | sed 's/T/ /; s/\.[0-9]*Z$//; s/Z$//')
	shift
	TZ=UTC FAKETIME="$at_t" FAKETIME_DONT_FAKE_MONOTONIC=1 \
	    LD_PRELOAD="$FAKETIME_LIB${LD_PRELOAD:+:$LD_PRELOAD}" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"
}
