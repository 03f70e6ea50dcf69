# kassa: an offline-first point-of-sale till for the terminal.
#
#   make            ./kassa and ./kassa-hub
#   make check      every test (unit, integration, end-to-end)
#   make asan       the same tests under AddressSanitizer + UBSan (in build-asan/)
#   make bench      the benchmark program (not part of the tests)
#   make demo       the till on a fresh demo database
#   make install    PREFIX=/usr/local DESTDIR=
#
# Sources are picked up by folder: src/<layer>/*.c. Layers only call downwards
# (the table in tests/check-layers, README's Layout); `make check-layers` proves it.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKG_CONFIG ?= pkg-config

PKGS := ncursesw sqlite3 libserialport libcrypto libcrypt uuid
SYNC_PKGS := libcurl jansson
HUB_PKGS := sqlite3 jansson libmicrohttpd libpq libcrypto uuid libcrypt

CFLAGS ?= -O2 -g
SAN ?=
KASSA_CFLAGS := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Iinclude -I$(BUILD) -MMD -MP \
	-DLOCALEDIR='"$(PREFIX)/share/locale"' \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) $(SYNC_PKGS)) $(SAN)
LDLIBS_KASSA := $(shell $(PKG_CONFIG) --libs $(PKGS)) -lcsv -lm
LDLIBS_HUB := $(shell $(PKG_CONFIG) --libs $(HUB_PKGS)) -lm
LDLIBS_SYNC := $(shell $(PKG_CONFIG) --libs $(SYNC_PKGS))
LDLIBS_TEST := $(shell $(PKG_CONFIG) --libs cmocka)
ALL_CFLAGS = $(KASSA_CFLAGS) $(CFLAGS)
LDFLAGS += $(SAN)

# The core library: everything below the UI, shared by kassa, the hub and the tests.
CORE_SRC := $(wildcard src/util/*.c src/store/*.c src/core/*.c)
# The till links the client side of sync only (and sync-queue.c, SQL on its queues); the sync
# process (kassa-sync) is the one program that links libcurl and jansson.
APP_SRC := $(wildcard src/cli/*.c src/ui/*.c src/print/*.c src/dev/*.c) src/sync/sync-client.c \
	src/sync/sync-queue.c
SYNC_SRC := $(filter-out src/sync/sync-client.c src/sync/sync-main.c,$(wildcard src/sync/*.c))
HUB_SRC := $(wildcard contrib/hub/*.c)
UNIT_SRC := $(wildcard tests/unit/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/*.c)
PRELOAD_SRC := $(wildcard tests/preload/*.c)
TOOL_SRC := $(wildcard tests/tools/*.c)
# The fuzz targets also build with gcc against a replay main, so make check replays the corpora.
REPLAY_BIN := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=$(BUILD)/tests/replay-%)

CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o) $(BUILD)/schema.o
APP_OBJ := $(APP_SRC:%.c=$(BUILD)/%.o)
HUB_OBJ := $(HUB_SRC:%.c=$(BUILD)/%.o)
SYNC_OBJ := $(SYNC_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/%.o)
PRELOAD_SO := $(PRELOAD_SRC:tests/preload/%.c=$(BUILD)/tests/%.so)
# Test drivers (not tests themselves): e.g. a program that runs sales until it is killed.
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tests/tools/%)
# Everything the app links except main(), so the bench can call the sync and dev code too.
APP_LIB_OBJ := $(filter-out $(BUILD)/src/cli/main.o,$(APP_OBJ))

PO := $(wildcard po/*.po)
MO := $(PO:po/%.po=$(BUILD)/locale/%/LC_MESSAGES/kassa.mo)

.PHONY: all check unit regress asan bench demo install clean check-layers fuzz deps test-build po

# `make BUILD=build-NAME` builds apart (a developer's or a helper's own tree); only the default
# build copies the binaries to the top level.
# The hub is built once its sources exist (contrib/hub/*.c).
HUB_TOP := $(if $(HUB_SRC),kassa-hub)
HUB_BUILT := $(if $(HUB_SRC),$(BUILD)/kassa-hub)

ifeq ($(BUILD),build)
all: kassa kassa-sync $(HUB_TOP) $(MO)
kassa-sync: $(BUILD)/kassa-sync
	cp $< $@
kassa: $(BUILD)/kassa
	cp $< $@
kassa-hub: $(BUILD)/kassa-hub
	cp $< $@
else
all: $(BUILD)/kassa $(BUILD)/kassa-sync $(HUB_BUILT) $(MO)
endif

$(BUILD)/kassa: $(APP_OBJ) $(BUILD)/libkassa.a
	$(CC) $(LDFLAGS) -o $@ $(APP_OBJ) $(BUILD)/libkassa.a $(LDLIBS_KASSA)

$(BUILD)/kassa-sync: $(SYNC_OBJ) $(BUILD)/src/sync/sync-main.o $(BUILD)/libkassa.a
	$(CC) $(LDFLAGS) -o $@ $(SYNC_OBJ) $(BUILD)/src/sync/sync-main.o $(BUILD)/libkassa.a \
		$(LDLIBS_KASSA) $(LDLIBS_SYNC)

$(BUILD)/kassa-hub: $(HUB_OBJ) $(BUILD)/libkassa.a
	$(CC) $(LDFLAGS) -o $@ $(HUB_OBJ) $(BUILD)/libkassa.a $(LDLIBS_HUB) $(LDLIBS_KASSA) \
		$(LDLIBS_SYNC)

$(BUILD)/libkassa.a: $(CORE_OBJ)
	rm -f $@
	ar rcs $@ $^

# schema.sql is embedded as a C string.
$(BUILD)/schema.c: schema.sql
	@mkdir -p $(@D)
	{ echo '/* generated from schema.sql by the Makefile; do not edit */'; \
	  echo 'const char kassa_schema_sql[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	  echo ';'; } > $@

$(BUILD)/schema.o: $(BUILD)/schema.c
	$(CC) $(ALL_CFLAGS) -Wno-missing-variable-declarations -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/contrib/hub/%.o: contrib/hub/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags $(HUB_PKGS)) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libkassa.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libkassa.a $(LDLIBS_TEST) $(LDLIBS_KASSA) \
		$(LDLIBS_SYNC)

# The printer's document (src/print, src/dev) is in the app's objects, not the core library.
$(BUILD)/tests/test_print_doc: tests/unit/test_print_doc.c $(BUILD)/libkassa-app.a \
    $(BUILD)/libkassa.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libkassa-app.a $(BUILD)/libkassa.a \
		$(LDLIBS_TEST) $(LDLIBS_KASSA)

# The app's objects as an archive, so a tool or the bench pulls in only what it calls (the
# cmd-*.o files need main.c's cli_* helpers, which are not in it).
$(BUILD)/libkassa-app.a: $(APP_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libkassa-app.a $(BUILD)/libkassa.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libkassa-app.a $(BUILD)/libkassa.a $(LDLIBS_KASSA)

$(BUILD)/tests/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay/replay.c $(BUILD)/libkassa-app.a \
    $(BUILD)/libkassa.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< tests/fuzz/replay/replay.c \
		$(BUILD)/libkassa-app.a $(BUILD)/libkassa.a $(LDLIBS_KASSA)

# The bench's floor for the sync process's memory: libcurl and nothing else.
$(BUILD)/tests/curl-floor: tests/bench/floor/curl-floor.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(shell $(PKG_CONFIG) --libs libcurl)

# The chain's fleet of tills against one hub (issue 16): libcurl's multi interface, the core's
# journal hashing.
$(BUILD)/tests/kassa-fleet: tests/bench/fleet/kassa-fleet.c $(BUILD)/libkassa.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags libpq) $(LDFLAGS) -o $@ $< \
		$(BUILD)/libkassa.a $(LDLIBS_KASSA) $(LDLIBS_HUB) $(LDLIBS_SYNC)

$(BUILD)/tests/%.so: tests/preload/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -fPIC -shared -o $@ $< -ldl

$(BUILD)/locale/%/LC_MESSAGES/kassa.mo: po/%.po
	@mkdir -p $(@D)
	msgfmt --check -o $@ $<

$(BUILD)/kassa-bench: $(BENCH_OBJ) $(SYNC_OBJ) $(BUILD)/libkassa-app.a $(BUILD)/libkassa.a
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(SYNC_OBJ) $(BUILD)/libkassa-app.a $(BUILD)/libkassa.a \
		$(LDLIBS_KASSA) $(LDLIBS_HUB) $(LDLIBS_SYNC)

# ---- tests ----------------------------------------------------------------------------------

# check and demo first install missing Debian packages (as root), then build in a fresh make so
# the pkg-config flags are read after the install.
deps:
	@contrib/install-deps

# ASAN=0 skips the sanitizer pass (quicker while developing).
ASAN ?= 1
check: deps
	@$(MAKE) --no-print-directory test-build
	@tests/run-tests $(BUILD)
	@if [ "$(ASAN)" = 1 ]; then $(MAKE) --no-print-directory asan; fi

test-build: all $(UNIT_BIN) $(PRELOAD_SO) $(TOOL_BIN) $(REPLAY_BIN) check-layers

unit: $(UNIT_BIN)
	@tests/run-tests $(BUILD) unit

regress: all $(PRELOAD_SO) $(TOOL_BIN)
	@tests/run-tests $(BUILD) regress

# The same tests with AddressSanitizer and UBSan, built apart in build-asan/.
asan:
	$(MAKE) BUILD=build-asan SAN='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		CFLAGS='-O1 -g' build-asan/kassa build-asan/kassa-sync $(if $(HUB_SRC),build-asan/kassa-hub) asan-tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		KASSA_BIN=build-asan/kassa KASSA_HUB_BIN=build-asan/kassa-hub tests/run-tests build-asan

.PHONY: asan-tests
asan-tests: $(UNIT_BIN) $(PRELOAD_SO) $(TOOL_BIN) $(REPLAY_BIN) $(MO)

check-layers:
	@tests/check-layers && tests/check-layers --self-test

# libFuzzer targets (clang): make fuzz, then e.g.
#   build-fuzz/fuzz_csv -max_total_time=60 tests/fuzz/corpus-csv
#   build-fuzz/fuzz_csvparse -max_total_time=60 tests/fuzz/corpus-csvparse   (the reader alone)
#   build-fuzz/fuzz_barcode -max_total_time=60 tests/fuzz/corpus-barcode
#   build-fuzz/fuzz_escpos -max_total_time=60 tests/fuzz/corpus-escpos
# clang's -Wformat=2 also warns about the logger's vfprintf (gcc does not), hence the -Wno.
FUZZ_CFLAGS := -O1 -g -Wno-format-nonliteral
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang SAN='-fsanitize=fuzzer-no-link,address,undefined' \
		CFLAGS='$(FUZZ_CFLAGS)' build-fuzz/libkassa.a build-fuzz/libkassa-app.a
	@rc=0; for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
		echo "clang $$f -> build-fuzz/$$n"; \
		clang $(filter-out -I$(BUILD) -MMD -MP,$(KASSA_CFLAGS)) -Ibuild-fuzz $(FUZZ_CFLAGS) \
			-fsanitize=fuzzer,address,undefined -o build-fuzz/$$n $$f \
			build-fuzz/libkassa-app.a build-fuzz/libkassa.a $(LDLIBS_KASSA) || rc=1; \
		done; exit $$rc

bench: all $(BUILD)/kassa-bench $(BUILD)/tests/curl-floor $(PRELOAD_SO) $(BUILD)/tests/kassa-fleet
	$(BUILD)/kassa-bench
	$(BUILD)/tests/kassa-fleet --hub $(BUILD)/kassa-hub --db sqlite
	$(BUILD)/tests/kassa-fleet --hub $(BUILD)/kassa-hub --db pg || [ $$? = 77 ]

demo: deps
	@$(MAKE) --no-print-directory all
	@contrib/demo

# Refresh po/kassa.pot from the UI's strings and the core's messages (kerr_set formats are
# C formats) and merge it into each catalogue (then translate the new entries in po/*.po by
# hand).
po:
	xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --keyword=P_:1,2 \
		--flag=kerr_set:3:c-format -c/ --package-name=kassa -o po/kassa.pot \
		src/ui/*.c src/core/*.c src/store/*.c src/util/kerr.c src/util/money.c
	for p in $(PO); do msgmerge -q --update --backup=none $$p po/kassa.pot; done

# ---- install --------------------------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 kassa kassa-sync $(HUB_TOP) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 man/kassa.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 man/kassa.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	if [ -f man/kassa-hub.8 ]; then install -m 0644 man/kassa-hub.8 $(DESTDIR)$(PREFIX)/share/man/man8/; fi
	for mo in $(MO); do l=$$(echo $$mo | cut -d/ -f3); \
		install -d $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES; \
		install -m 0644 $$mo $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES/; done

clean:
	rm -rf build build-asan build-fuzz kassa kassa-sync kassa-hub

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
