/*
 * fuzz_search: libFuzzer target for what the cashier types into the till: the name search of
 * F2 (catalog_search, which turns the text into an FTS5 query) and the input line's code
 * look-up (catalog_lookup: barcode, SKU or weight label). The input is the text typed.
 *
 *   make fuzz && build-fuzz/fuzz_search -max_total_time=60 tests/fuzz/corpus-search
 *
 * Beyond not crashing: a search never fails on odd text (quotes, stars, FTS5 operators are the
 * user's words, not syntax) and returns at most what was asked for; a look-up fails only with
 * "bad input" or "not found".
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

#define MAX_RESULTS 20

static store *st;
static char dir[64];
static char path[128];

static const char catalog[] =
	"barcode,name,price,vat,unit,sku,plu\n"
	"4780001234562,Nonvoyxona non,4000,0,pcs,NON-1,\n"
	"4780001234579,\"Qatiq 0,5 l\",8500,12,pcs,QAT-1,\n"
	"4780001234586,\"Молоко 3,2% 1 л\",14500,12,pcs,,\n"
	"4780000000106,Olma qizil,15000,12,kg,OLMA,101\n"
	"4607001771234,\"Choy \"\"Ahmad\"\" qora 100 g\",23000.50,12,pcs,CHOY-AHMAD,\n";

static void
cleanup(void)
{
	char side[160];

	store_close(st);
	unlink(path);
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	rmdir(dir);
}

static void
setup(void)
{
	const char *tmp = getenv("TMPDIR");
	struct kerr err;
	long n = 0;
	FILE *in;

	snprintf(dir, sizeof dir, "%s/fuzz-search-XXXXXX", tmp != NULL ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof path, "%s/till.db", dir);
	if ((st = store_open(path, STORE_CREATE, &err)) == NULL) {
		fprintf(stderr, "fuzz_search: %s\n", err.msg);
		abort();
	}
	atexit(cleanup);
	sqlite3_exec(store_db(st), "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	in = fmemopen((void *)catalog, sizeof catalog - 1, "r");
	if (in == NULL || catalog_import_csv(st, in, "fuzz.csv", NULL, NULL, &n, &err) == -1) {
		fprintf(stderr, "fuzz_search: import: %s\n", err.msg);
		abort();
	}
	fclose(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct product res[MAX_RESULTS + 1];
	struct product p;
	struct kerr err;
	qty_t qty;
	char *s;
	int n;

	if (st == NULL)
		setup();
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	/* A sentinel after the asked-for results: the search must not write past max. */
	memset(&res[MAX_RESULTS], 0x5a, sizeof res[MAX_RESULTS]);
	n = catalog_search(st, s, res, MAX_RESULTS, &err);
	if (n < 0 || n > MAX_RESULTS) {
		fprintf(stderr, "fuzz_search: search failed: %s\n", n < 0 ? err.msg : "too many");
		abort();
	}
	if (((unsigned char *)&res[MAX_RESULTS])[0] != 0x5a)
		abort();
	if (catalog_lookup(st, NULL, s, &p, &qty, &err) == 0) {
		if (p.id <= 0 || qty <= 0)
			abort();
	} else if (err.code != KERR_INPUT && err.code != KERR_NOTFOUND) {
		fprintf(stderr, "fuzz_search: look-up of '%s': %s\n", s, err.msg);
		abort();
	}
	free(s);
	return 0;
}
