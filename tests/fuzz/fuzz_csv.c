/*
 * fuzz_csv: libFuzzer target for the product CSV importer (catalog_import_csv, CONTRACT.md
 * section 3): the input is the file. Beyond not crashing it checks the all-or-nothing promise:
 * when the import fails, the catalogue has not changed.
 *
 *   make fuzz && build-fuzz/fuzz_csv -max_total_time=60 tests/fuzz/corpus-csv
 *
 * The database is a scratch file in $TMPDIR made once per process with synchronous=OFF (the
 * fuzzer is after parsing bugs, not durability) and started afresh every few hundred inputs so
 * it does not grow without bound.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "catalog.h"
#include "kerr.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRESH_EVERY 500

static store *st;
static char dir[64];
static char path[128];
static int runs;

static void
drop_store(void)
{
	char side[160];

	if (st != NULL)
		store_close(st);
	st = NULL;
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
}

static void
cleanup(void)
{
	drop_store();
	rmdir(dir);
}

static void
fresh_store(void)
{
	struct kerr err;

	drop_store();
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		fprintf(stderr, "fuzz_csv: %s\n", err.msg);
		abort();
	}
	sqlite3_exec(store_db(st), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
}

static void
report(void *ctx, const char *file, long line, const char *reason)
{
	/* Every bad row is named with a line number inside the file and a reason. */
	if (file == NULL || reason == NULL || reason[0] == '\0' || line < 1)
		abort();
	++*(long *)ctx;
}

/* A fingerprint of the catalogue: row counts and a sum over the columns an import writes. */
static int64_t
fingerprint(void)
{
	sqlite3_stmt *q;
	int64_t v = -1;

	if (sqlite3_prepare_v2(store_db(st),
	    "SELECT (SELECT count(*) * 1000003 + coalesce(sum(price + vat_bp + stock + length(name)), 0)"
	    " FROM products) + (SELECT count(*) FROM barcodes) * 7919 + (SELECT count(*) FROM events)",
	    -1, &q, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(q) == SQLITE_ROW)
		v = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return v;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kerr err;
	long imported = 0, bad = 0;
	int64_t before;
	FILE *in;
	int rc;

	if (st == NULL) {
		const char *tmp = getenv("TMPDIR");

		snprintf(dir, sizeof dir, "%s/fuzz-csv-XXXXXX", tmp != NULL ? tmp : "/tmp");
		if (mkdtemp(dir) == NULL)
			abort();
		snprintf(path, sizeof path, "%s/till.db", dir);
		atexit(cleanup);
	}
	if (st == NULL || ++runs % FRESH_EVERY == 0)
		fresh_store();
	if (size == 0)
		return 0;
	if ((in = fmemopen((void *)data, size, "r")) == NULL)
		return 0;
	before = fingerprint();
	rc = catalog_import_csv(st, in, "fuzz.csv", report, &bad, &imported, &err);
	fclose(in);
	if (rc == -1 && fingerprint() != before)
		abort();   /* a failed import changed the catalogue */
	if (rc == 0 && bad != 0)
		abort();   /* bad rows reported, yet the import went through */
	if (store_in_tx(st))
		abort();   /* the importer left its transaction open */
	return 0;
}
