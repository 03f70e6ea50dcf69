/*
 * bench-core: the figures of issue 2. The catalogue (generated here: valid EAN-13s, names in
 * Uzbek Latin and Russian), its import with the real `kassa import products`, barcode look-up
 * and name search through the core, completed sales per second next to a bare SQLite baseline
 * that commits the same rows in the same durable transactions, and the start-up time and peak
 * RSS of `kassa status`.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "barcode.h"
#include "bench.h"
#include "catalog.h"
#include "kerr.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"
#include "xalloc.h"

#define LOOKUPS 100000
#define SEARCHES 2000
#define SEARCH_MAX 50       /* results asked for, as a search list on screen */
#define STATUS_RUNS 20
#define SALE_LINES 5
#define BENCH_PIN "4321"

static const char *const latin[] = {
	"Non", "Sut", "Qatiq", "Choy", "Shakar", "Guruch", "Yog", "Tuxum", "Olma", "Banan",
	"Pishloq", "Kolbasa", "Makaron", "Un", "Tuz", "Sovun", "Shampun", "Sharbat", "Suv",
	"Pechene", "Shokolad", "Konfet", "Qahva", "Kefir", "Smetana", "Saryog", "Gosht", "Tovuq",
	"Baliq", "Kartoshka", "Piyoz", "Sabzi", "Pomidor", "Bodring", "Limon", "Uzum", "Anor",
	"Qovun", "Tarvuz", "Yongoq",
};
static const char *const cyrillic[] = {
	"Молоко", "Хлеб", "Сыр", "Масло", "Чай", "Кофе", "Сахар", "Рис", "Мука", "Соль",
	"Печенье", "Шоколад", "Конфеты", "Сок", "Вода", "Колбаса", "Курица", "Рыба", "Яйца",
	"Кефир", "Сметана", "Творог", "Макароны", "Гречка",
};
static const char *const brands[] = {
	"Nestle", "Lactel", "Musaffo", "Bonduelle", "Coca-Cola", "Pepsi", "Hydrolife", "Oltin",
	"Tashkent", "Samarqand", "Zarafshon", "Ahmad", "Lipton", "Jacobs", "Barilla", "Makfa",
	"Dove", "Palmolive", "Ariel", "Persil", "Nurli", "Bahor", "Orzu", "Baraka",
};
static const char *const flavours[] = {
	"classic", "light", "extra", "premium", "gold", "family", "mini", "bio", "fresh", "choco",
	"vanil", "qulupnay", "limonli", "achchiq", "shirin", "yashil", "qora", "oq", "qizil",
	"asalli", "mevali", "sutli", "kakao", "yongoqli", "tabiiy",
};
static const char *const sizes[] = {
	"0.5 l", "1 l", "1.5 l", "250 g", "500 g", "1 kg", "100 g", "2 kg", "0.33 l", "5 l",
};
#define N(a) (sizeof (a) / sizeof (a)[0])

void
bench_product(long i, char *code, char *name)
{
	long h = i / 2;
	const char *item = i % 2 == 0 ? latin[h % (long)N(latin)] : cyrillic[h % (long)N(cyrillic)];

	/* 478 (Uzbekistan) + nine digits of i + the check digit: unique and valid. */
	snprintf(code, 14, "478%09ld", i);
	code[12] = (char)('0' + barcode_check_digit(code, 12));
	code[13] = '\0';
	snprintf(name, 96, "%s %s %s %s", item, brands[(h / 7) % (long)N(brands)],
	    flavours[(h / 11) % (long)N(flavours)], sizes[(h / 13) % (long)N(sizes)]);
}

/* Writes the catalogue: every column of CONTRACT.md section 3, stock only when with_stock. */
static int
write_catalog(const char *path, long n, bool with_stock)
{
	char code[14], name[96];
	FILE *f = fopen(path, "w");
	long i;

	if (f == NULL) {
		fprintf(stderr, "kassa-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "barcode,name,price,vat,unit,sku,category%s\n", with_stock ? ",stock" : "");
	for (i = 0; i < n; i++) {
		long price = 1000 + (i * 7919) % 250000;

		bench_product(i, code, name);
		fprintf(f, "%s,\"%s\",%ld%s,%d,%s,SKU%07ld,%s", code, name, price,
		    i % 5 == 0 ? ".50" : "", i % 10 == 0 ? 0 : 12, i % 20 == 19 ? "kg" : "pcs", i,
		    latin[(i / 3) % (long)N(latin)]);
		if (with_stock)
			fprintf(f, ",%ld", (i * 31) % 500);
		fputc('\n', f);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "kassa-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* `kassa -d DB -c CONF ARGS...` with stdin from in; the exit status, time and RSS. */
static int
kassa(const struct bench_env *env, const char *db, const char *in, double *secs, long *rss,
    const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { (char *)env->kassa, "-d", (char *)db, "-c", (char *)env->conf,
		(char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };

	return bench_run(argv, in, NULL, secs, rss);
}

/* Inits db and imports csv into it; the import's time and RSS. */
static int
import(const struct bench_env *env, const char *db, const char *csv, double *secs, long *rss)
{
	int rc;

	if ((rc = kassa(env, db, NULL, NULL, NULL, "init", NULL, NULL, NULL)) != 0) {
		fprintf(stderr, "kassa-bench: kassa init %s exited %d\n", db, rc);
		return -1;
	}
	if ((rc = kassa(env, db, NULL, secs, rss, "import", "products", csv, NULL)) != 0) {
		fprintf(stderr, "kassa-bench: kassa import products %s exited %d\n", csv, rc);
		return -1;
	}
	return 0;
}

int
bench_core_setup(struct bench_env *env)
{
	char buf[64], val[48];
	char *db2 = NULL, *csv2 = NULL, *pinfile = NULL;
	double secs, t0;
	long rss;
	int rc = -1;
	FILE *f;

	env->csv = xasprintf("%s/catalog.csv", env->dir);
	env->db = xasprintf("%s/till.db", env->dir);
	env->conf = xasprintf("%s/kassa.conf", env->dir);
	env->pin = BENCH_PIN;
	if ((f = fopen(env->conf, "w")) == NULL || fclose(f) != 0) {
		fprintf(stderr, "kassa-bench: %s: %s\n", env->conf, strerror(errno));
		return -1;
	}

	printf("core (issue 2)\n");
	t0 = bench_now();
	if (write_catalog(env->csv, env->products, true) == -1)
		return -1;
	bench_note("generated %s (%ld products with a stock column) in %.1f s", env->csv,
	    env->products, bench_now() - t0);

	if (import(env, env->db, env->csv, &secs, &rss) == -1)
		return -1;
	snprintf(buf, sizeof buf, "import %ldk products (+stock)", env->products / 1000);
	snprintf(val, sizeof val, "%.2f s", secs);
	bench_row(buf, val, "< 10 s", NULL, NULL, secs < 10);
	bench_note("kassa -d till.db import products catalog.csv: wall time of the process, "
	    "peak RSS %.1f MB; a stock column makes a stock event per product", rss / 1024.0);

	/* The same without stock: products and barcodes only, no events. */
	csv2 = xasprintf("%s/catalog-nostock.csv", env->dir);
	db2 = xasprintf("%s/nostock.db", env->dir);
	if (write_catalog(csv2, env->products, false) == -1 ||
	    import(env, db2, csv2, &secs, &rss) == -1)
		goto out;
	snprintf(buf, sizeof buf, "import %ldk products (no stock)", env->products / 1000);
	snprintf(val, sizeof val, "%.2f s", secs);
	bench_row(buf, val, "< 10 s", NULL, NULL, secs < 10);
	bench_note("as above with the stock column left out, peak RSS %.1f MB", rss / 1024.0);
	unlink(csv2);
	unlink(db2);

	pinfile = xasprintf("%s/pin", env->dir);
	if ((f = fopen(pinfile, "w")) == NULL || fprintf(f, "%s\n", env->pin) < 0 ||
	    fclose(f) != 0) {
		fprintf(stderr, "kassa-bench: %s: %s\n", pinfile, strerror(errno));
		goto out;
	}
	{
		char *argv[] = { (char *)env->kassa, "-d", (char *)env->db, "-c", (char *)env->conf,
			"user", "add", "bench", "--role", "cashier", NULL };

		if ((rc = bench_run(argv, pinfile, NULL, NULL, NULL)) != 0) {
			fprintf(stderr, "kassa-bench: kassa user add bench exited %d\n", rc);
			rc = -1;
			goto out;
		}
	}
	rc = 0;
out:
	free(csv2);
	free(db2);
	free(pinfile);
	return rc;
}

static void
row_us(const char *metric, double secs, const char *target, bool meets)
{
	char val[48];

	snprintf(val, sizeof val, "%.1f us", secs * 1e6);
	bench_row(metric, val, target, NULL, NULL, meets);
}

static void
row_ms(const char *metric, double secs, const char *target, bool meets)
{
	char val[48];

	snprintf(val, sizeof val, "%.2f ms", secs * 1e3);
	bench_row(metric, val, target, NULL, NULL, meets);
}

static int
bench_lookup(const struct bench_env *env, store *st)
{
	struct product p;
	struct kerr err;
	char code[14], name[96];
	double *t = xcalloc(LOOKUPS, sizeof *t), t0, med, p99;
	qty_t qty;
	long i;
	int rc = -1;

	srand(2);
	for (i = 0; i < LOOKUPS; i++) {
		long k = (long)(((unsigned long)rand() << 16 ^ (unsigned long)rand()) %
		    (unsigned long)env->products);

		bench_product(k, code, name);
		t0 = bench_now();
		if (catalog_lookup(st, NULL, code, &p, &qty, &err) == -1) {
			fprintf(stderr, "kassa-bench: catalog_lookup %s: %s\n", code, err.msg);
			goto out;
		}
		t[i] = bench_now() - t0;
		if (strcmp(p.barcode, code) != 0 && strcmp(p.name, name) != 0) {
			fprintf(stderr, "kassa-bench: catalog_lookup %s found %s\n", code, p.name);
			goto out;
		}
	}
	med = bench_quantile(t, LOOKUPS, 0.5);
	p99 = bench_quantile(t, LOOKUPS, 0.99);
	row_us("barcode look-up median", med, NULL, true);
	row_us("barcode look-up p99", p99, "< 100 us", p99 < 100e-6);
	bench_note("catalog_lookup() of %d random barcodes of the catalogue, in process, "
	    "max %.1f us", LOOKUPS, t[LOOKUPS - 1] * 1e6);
	rc = 0;
out:
	free(t);
	return rc;
}

/* The first n (1-3) characters of a UTF-8 word. */
static void
prefix(const char *word, int n, char *out, size_t size)
{
	size_t i = 0;

	while (word[i] != '\0' && i + 4 < size) {
		if (((unsigned char)word[i] & 0xc0) != 0x80 && n-- == 0)
			break;
		out[i] = word[i];
		i++;
	}
	out[i] = '\0';
}

static int
bench_search(store *st)
{
	struct product *res = xcalloc(SEARCH_MAX, sizeof *res);
	struct kerr err;
	double *t = xcalloc(SEARCHES, sizeof *t), t0, med, p99;
	char q[32];
	long found = 0;
	int i, n, rc = -1;

	srand(3);
	for (i = 0; i < SEARCHES; i++) {
		const char *w;
		int r = rand();

		switch (r % 3) {
		case 0:
			w = latin[(r / 3) % (int)N(latin)];
			break;
		case 1:
			w = cyrillic[(r / 3) % (int)N(cyrillic)];
			break;
		default:
			w = brands[(r / 3) % (int)N(brands)];
			break;
		}
		prefix(w, 1 + (r / 7) % 3, q, sizeof q);
		t0 = bench_now();
		if ((n = catalog_search(st, q, res, SEARCH_MAX, &err)) == -1) {
			fprintf(stderr, "kassa-bench: catalog_search '%s': %s\n", q, err.msg);
			goto out;
		}
		t[i] = bench_now() - t0;
		found += n;
	}
	med = bench_quantile(t, SEARCHES, 0.5);
	p99 = bench_quantile(t, SEARCHES, 0.99);
	row_ms("name search median", med, NULL, true);
	row_ms("name search p99", p99, "< 10 ms", p99 < 10e-3);
	bench_note("catalog_search() of %d 1-3 letter prefixes of the catalogue's words (Latin, "
	    "Cyrillic, brands), up to %d results each (%.1f on average), max %.2f ms", SEARCHES,
	    SEARCH_MAX, (double)found / SEARCHES, t[SEARCHES - 1] * 1e3);
	rc = 0;
out:
	free(t);
	free(res);
	return rc;
}

/* Counts commits and the rows each wrote (sqlite3_total_changes between commits). */
struct commits {
	sqlite3 *db;
	int last;
	int *rows;
	size_t n, cap;
};

static int
on_commit(void *arg)
{
	struct commits *c = arg;
	int now = sqlite3_total_changes(c->db);

	if (c->rows != NULL) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->rows = xreallocarray(c->rows, c->cap, sizeof *c->rows);
		}
		c->rows[c->n++] = now - c->last;
	}
	c->last = now;
	return 0;   /* let it commit */
}

/*
 * WAL frames (pages) each commit appends, read from the -wal file itself: what a durable
 * commit costs beyond its fsync (each page is a write to the card). A TRUNCATE checkpoint
 * empties the WAL first, so the file then holds exactly the commits that follow (none of
 * them checkpoints: far under SQLite's 1000 pages, or the till, which never checkpoints in
 * a commit). KASSA_BENCH_WALMAP=1 also names the table or index of every page (dbstat).
 */
#define WAL_MAXPAGES 1024

struct walcount {
	int total;
	char list[256];
	size_t len;
	int npages;
	unsigned pages[WAL_MAXPAGES];   /* page numbers, in order; 0 ends a commit */
};

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
wal_count_start(sqlite3 *db, struct walcount *w)
{
	memset(w, 0, sizeof *w);
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
}

/* Reads the WAL of db's main file: the frames of each commit. */
static void
wal_count_stop(sqlite3 *db, struct walcount *w)
{
	char *path = xasprintf("%s-wal", sqlite3_db_filename(db, "main"));
	unsigned char hdr[32], fh[24];
	uint32_t psize;
	int in_commit = 0;
	FILE *f = fopen(path, "rb");

	free(path);
	if (f == NULL)
		return;
	if (fread(hdr, 1, sizeof hdr, f) != sizeof hdr)
		goto out;
	psize = be32(hdr + 8);
	if (psize == 1)
		psize = 65536;
	while (fread(fh, 1, sizeof fh, f) == sizeof fh) {
		/* A frame of this WAL carries the header's salts; anything after is stale. */
		if (memcmp(fh + 8, hdr + 16, 8) != 0)
			break;
		if (w->npages < WAL_MAXPAGES - 1)
			w->pages[w->npages++] = be32(fh);
		in_commit++;
		w->total++;
		if (be32(fh + 4) != 0) {	/* the commit's last frame */
			if (w->len < sizeof w->list - 1)
				w->len += (size_t)snprintf(w->list + w->len,
				    sizeof w->list - w->len, "%s%d", w->len ? "+" : "", in_commit);
			if (w->len >= sizeof w->list)
				w->len = sizeof w->list - 1;
			if (w->npages < WAL_MAXPAGES - 1)
				w->pages[w->npages++] = 0;
			in_commit = 0;
		}
		if (fseek(f, (long)psize, SEEK_CUR) != 0)
			break;
	}
out:
	fclose(f);
}

/* With KASSA_BENCH_WALMAP=1: which table or index each page of each commit belongs to. */
static void
wal_map(sqlite3 *db, const struct walcount *w)
{
	sqlite3_stmt *q;
	char line[1024] = "";
	size_t len = 0;
	int i, commit = 1;

	if (getenv("KASSA_BENCH_WALMAP") == NULL ||
	    sqlite3_prepare_v2(db, "SELECT name FROM dbstat WHERE pageno = ?1", -1, &q, NULL) !=
	    SQLITE_OK)
		return;
	for (i = 0; i < w->npages; i++) {
		if (w->pages[i] == 0) {
			bench_note("  commit %d: %s", commit++, line);
			len = 0;
			line[0] = '\0';
			continue;
		}
		sqlite3_bind_int64(q, 1, w->pages[i]);
		if (len < sizeof line - 1)
			len += (size_t)snprintf(line + len, sizeof line - len, "%s%s:%u",
			    len ? " " : "", sqlite3_step(q) == SQLITE_ROW ?
			    (const char *)sqlite3_column_text(q, 0) : "?", w->pages[i]);
		if (len >= sizeof line)
			len = sizeof line - 1;
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
}

/* Where a sale's time goes: SQLite's own profile of each statement (SQLITE_TRACE_PROFILE),
 * summed by statement text. Shown when the sales figure misses its target. */
#define PROF_MAX 256

struct prof {
	struct {
		char *sql;
		double secs;
		long calls;
	} s[PROF_MAX];
	int n;
	double total;
};

static int
on_profile(unsigned type, void *ctx, void *p, void *x)
{
	struct prof *pr = ctx;
	const char *sql = sqlite3_sql(p);
	double secs = (double)*(sqlite3_int64 *)x / 1e9;
	int i;

	if (type != SQLITE_TRACE_PROFILE || sql == NULL)
		return 0;
	pr->total += secs;
	for (i = 0; i < pr->n; i++) {
		if (strcmp(pr->s[i].sql, sql) == 0)
			break;
	}
	if (i == pr->n) {
		if (pr->n == PROF_MAX)
			return 0;
		pr->s[pr->n++].sql = xstrdup(sql);
	}
	pr->s[i].secs += secs;
	pr->s[i].calls++;
	return 0;
}

/*
 * One sale of SALE_LINES distinct random products, paid in cash, exactly. keys, when not NULL,
 * gets the time of each keystroke that stores the cart: SALE_LINES scans (a scanned code to
 * the cart stored and committed; the first also finds the open cart) and the payment.
 */
static int
timed_sale(const struct bench_env *env, store *st, const struct user *u, unsigned *seed,
    double *keys, struct kerr *err)
{
	char code[14], name[96];
	bool completed = false;
	double t0 = bench_now();
	sale *s;
	int i, idx, rc = -1;

	if ((s = sale_current(st, u, err)) == NULL)
		return -1;
	for (i = 0; i < SALE_LINES; i++) {
		bench_product((long)(rand_r(seed) % env->products), code, name);
		if (i > 0)
			t0 = bench_now();
		if (sale_add_input(s, NULL, code, &idx, err) == -1)
			goto out;
		if (keys != NULL)
			keys[i] = bench_now() - t0;
	}
	t0 = bench_now();
	if (sale_pay(s, PAY_CASH, 0, &completed, err) == -1)
		goto out;
	if (keys != NULL)
		keys[SALE_LINES] = bench_now() - t0;
	if (!completed) {
		kerr_set(err, KERR_INTERNAL, "paid in full, not completed");
		goto out;
	}
	rc = 0;
out:
	sale_free(s);
	return rc;
}

static int
one_sale(const struct bench_env *env, store *st, const struct user *u, unsigned *seed,
    struct kerr *err)
{
	return timed_sale(env, st, u, seed, NULL, err);
}

static int one_sale(const struct bench_env *env, store *st, const struct user *u,
    unsigned *seed, struct kerr *err);
static double bench_idle(store *st);
static double gap_secs;	/* the gaps' waits for the checkpointer (bench_idle), summed */

/* Runs n more sales under the profiler and prints the statements that took the most time. */
static void
profile_sales(const struct bench_env *env, store *st, const struct user *u, unsigned *seed,
    int n)
{
	struct prof *pr = xcalloc(1, sizeof *pr);
	struct kerr err;
	double t0, wall;
	int i, k, best;

	sqlite3_trace_v2(store_db(st), SQLITE_TRACE_PROFILE, on_profile, pr);
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		if (one_sale(env, st, u, seed, &err) == -1)
			break;
	}
	wall = bench_now() - t0;
	sqlite3_trace_v2(store_db(st), 0, NULL, NULL);
	bench_note("where a sale's time goes (%d more sales under SQLITE_TRACE_PROFILE: %.2f ms "
	    "per sale, %.2f ms of it in SQL statements):", i, wall * 1e3 / i,
	    pr->total * 1e3 / i);
	for (k = 0; k < 6; k++) {
		best = -1;
		for (i = 0; i < pr->n; i++) {
			if (pr->s[i].calls > 0 && (best == -1 || pr->s[i].secs > pr->s[best].secs))
				best = i;
		}
		if (best == -1)
			break;
		bench_note("  %6.3f ms/sale %5.1f calls/sale  %.110s", pr->s[best].secs * 1e3 / n,
		    (double)pr->s[best].calls / n, pr->s[best].sql);
		pr->s[best].calls = 0;
	}
	for (i = 0; i < pr->n; i++)
		free(pr->s[i].sql);
	free(pr);
}

/*
 * The baseline: the same commits with the same number of rows each, as bare INSERTs into one
 * table, with the store's journal_mode and synchronous, in the same directory. It runs in
 * turns with kassa's sales (ROUNDS of each), so a slow patch of the disk hits both sides.
 */
#define ROUNDS 10

struct base {
	sqlite3 *db;
	sqlite3_stmt *q;
	char *path;
};

static int
base_open(const struct bench_env *env, store *st, struct base *b)
{
	char jm[32] = "wal", pragmas[160];
	sqlite3_stmt *q = NULL;
	int sync = 2;

	memset(b, 0, sizeof *b);
	b->path = xasprintf("%s/baseline.db", env->dir);
	/* Read the store's own settings so both sides run alike. */
	if (sqlite3_prepare_v2(store_db(st), "PRAGMA journal_mode", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		snprintf(jm, sizeof jm, "%s", (const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(store_db(st), "PRAGMA synchronous", -1, &q, NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		sync = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	snprintf(pragmas, sizeof pragmas, "PRAGMA journal_mode=%s; PRAGMA synchronous=%d; "
	    "PRAGMA foreign_keys=ON;", jm, sync);
	if (sqlite3_open(b->path, &b->db) != SQLITE_OK ||
	    sqlite3_exec(b->db, pragmas, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(b->db, "CREATE TABLE t (id INTEGER PRIMARY KEY, sale INTEGER, "
	    "name TEXT, qty INTEGER, price INTEGER, at TEXT)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(b->db, "INSERT INTO t (sale, name, qty, price, at) VALUES "
	    "(?1, 'Sut Musaffo classic 1 l', 1000, 1250000, '2026-11-25T09:30:00.000Z')", -1,
	    &b->q, NULL) != SQLITE_OK) {
		fprintf(stderr, "kassa-bench: baseline %s: %s\n", b->path, sqlite3_errmsg(b->db));
		return -1;
	}
	bench_note("baseline: journal_mode=%s synchronous=%d (as the store), %s", jm, sync,
	    b->path);
	return 0;
}

/* Replays commits [from, to) of c; returns the seconds it took, or -1. */
static double
base_replay(struct base *b, const struct commits *c, size_t from, size_t to)
{
	double t0 = bench_now();
	size_t k;
	int i;

	for (k = from; k < to; k++) {
		if (sqlite3_exec(b->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
		for (i = 0; i < c->rows[k]; i++) {
			sqlite3_bind_int64(b->q, 1, (sqlite3_int64)k);
			if (sqlite3_step(b->q) != SQLITE_DONE)
				goto fail;
			sqlite3_reset(b->q);
		}
		if (sqlite3_exec(b->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto fail;
	}
	return bench_now() - t0;
fail:
	fprintf(stderr, "kassa-bench: baseline: %s\n", sqlite3_errmsg(b->db));
	return -1;
}

static void
base_close(struct base *b)
{
	sqlite3_finalize(b->q);
	sqlite3_close(b->db);
	unlink(b->path);
	free(b->path);
}

static int
bench_sales(const struct bench_env *env, store *st)
{
	struct commits c = { .db = store_db(st) };
	struct walcount wk, wb;
	struct base b;
	struct user u;
	struct kerr err;
	char val[48], base[48], ratio[24], profile[256];
	double t0, secs = 0, bsecs = 0, part, rate, brate, mratio, ratios[ROUNDS];
	int64_t shift_id;
	unsigned seed = 4;
	size_t k, len = 0, from;
	long rows = 0;
	int i, r, n, done = 0, one_rows, one_commits, rc = -1;

	if (user_login(st, env->pin, &u, &err) == -1) {
		fprintf(stderr, "kassa-bench: user_login: %s\n", err.msg);
		return -1;
	}
	if (!shift_current(st, &shift_id) && shift_open(st, &u, 0, &shift_id, &err) == -1) {
		fprintf(stderr, "kassa-bench: shift_open: %s\n", err.msg);
		return -1;
	}
	if (base_open(env, st, &b) == -1) {
		base_close(&b);
		return -1;
	}
	c.last = sqlite3_total_changes(c.db);
	sqlite3_commit_hook(c.db, on_commit, &c);
	gap_secs = 0;

	/* One sale first, to count what a sale writes (and to warm up). */
	c.rows = xcalloc(1024, sizeof *c.rows);
	c.cap = 1024;
	wal_count_start(c.db, &wk);
	r = one_sale(env, st, &u, &seed, &err);
	wal_count_stop(c.db, &wk);
	if (r == -1)
		goto fail;
	one_commits = (int)c.n;
	one_rows = 0;
	for (k = 0; k < c.n; k++) {
		one_rows += c.rows[k];
		len += (size_t)snprintf(profile + len, sizeof profile - len, "%s%d",
		    k ? "+" : "", c.rows[k]);
		if (len >= sizeof profile)
			len = sizeof profile - 1;
	}

	/* The baseline's warm-up: the first sale's commits, so both sides start with a WAL. */
	wal_count_start(b.db, &wb);
	part = base_replay(&b, &c, 0, c.n);
	wal_count_stop(b.db, &wb);
	if (part < 0)
		goto out;
	c.n = 0;
	for (r = 0; r < ROUNDS; r++) {
		double ksecs;

		n = r == ROUNDS - 1 ? env->sales - done : env->sales / ROUNDS;
		from = c.n;
		t0 = bench_now();
		for (i = 0; i < n; i++) {
			if (one_sale(env, st, &u, &seed, &err) == -1)
				goto fail;
			bench_idle(st);	/* its time counts against kassa */
		}
		ksecs = bench_now() - t0;
		secs += ksecs;
		done += n;
		if ((part = base_replay(&b, &c, from, c.n)) < 0)
			goto out;
		bsecs += part;
		ratios[r] = ksecs / part;
	}
	for (k = 0; k < c.n; k++)
		rows += c.rows[k];
	sqlite3_commit_hook(c.db, NULL, NULL);

	rate = env->sales / secs;
	brate = env->sales / bsecs;
	/* The ratio is the median of the turns' ratios: one slow fsync on either side moves a
	 * sum, not a median. */
	mratio = bench_quantile(ratios, ROUNDS, 0.5);
	snprintf(val, sizeof val, "%.1f sales/s", rate);
	snprintf(base, sizeof base, "%.1f sales/s", brate);
	snprintf(ratio, sizeof ratio, "%.2fx", mratio);
	bench_row("completed sales per second", val, "within 1.5x", base, ratio, mratio <= 1.5);
	bench_note("%d sales of %d lines paid in cash (sale_current, sale_add_input x%d, sale_pay, "
	    "and the till's idle tick after each) in %.2f s; %zu durable commits, %ld rows",
	    env->sales, SALE_LINES, SALE_LINES, secs, c.n, rows);
	bench_note("of that, %.3f s waiting in the gaps between sales for the checkpointer thread "
	    "(bench_idle)", gap_secs);
	bench_note("one sale = %d commits writing %d rows (%s; sqlite3_total_changes per commit "
	    "hook): the cart is stored on every change", one_commits, one_rows, profile);
	bench_note("WAL pages those commits append (read from the -wal file): kassa %d (%s), the "
	    "baseline %d (%s)", wk.total, wk.list, wb.total, wb.list);
	wal_map(c.db, &wk);
	bench_note("baseline: the same %zu commits of the same row counts as bare INSERTs, "
	    "in %.2f s, in %d turns with the sales; ratio = the median over the turns of kassa's "
	    "time / the baseline's (from %.2f to %.2f; of the sums: %.2f)", c.n, bsecs, ROUNDS,
	    ratios[0], ratios[ROUNDS - 1], brate / rate);
	snprintf(val, sizeof val, "%d pages", wk.total);
	snprintf(base, sizeof base, "%d pages", wb.total);
	snprintf(ratio, sizeof ratio, "%.2fx", wb.total > 0 ? (double)wk.total / wb.total : 0);
	bench_row("WAL pages per 5-line sale", val, "<= 20", base, ratio, wk.total <= 20);
	if (mratio > 1.5)
		profile_sales(env, st, &u, &seed, 50);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "kassa-bench: sale: %s\n", err.msg);
out:
	sqlite3_commit_hook(c.db, NULL, NULL);
	base_close(&b);
	free(c.rows);
	return rc;
}

static int
bench_status(const struct bench_env *env)
{
	double t[STATUS_RUNS], rs[STATUS_RUNS], med, maxrss = 0;
	char val[48];
	long rss;
	int i, rc;

	for (i = 0; i < STATUS_RUNS; i++) {
		if ((rc = kassa(env, env->db, NULL, &t[i], &rss, "status", NULL, NULL, NULL)) != 0) {
			fprintf(stderr, "kassa-bench: kassa status exited %d\n", rc);
			return -1;
		}
		rs[i] = (double)rss;
		if (rss > maxrss)
			maxrss = (double)rss;
	}
	med = bench_quantile(t, STATUS_RUNS, 0.5);
	row_ms("kassa status start-up (median)", med, "< 50 ms", med < 50e-3);
	snprintf(val, sizeof val, "%.1f MB", maxrss / 1024);
	bench_row("kassa status peak RSS", val, "< 16 MB", NULL, NULL, maxrss < 16 * 1024);
	bench_note("kassa -d till.db status, %d runs (fork, exec, wait4): time median %.1f ms, "
	    "max %.1f ms; ru_maxrss median %.1f MB, max shown", STATUS_RUNS, med * 1e3,
	    t[STATUS_RUNS - 1] * 1e3, bench_quantile(rs, STATUS_RUNS, 0.5) / 1024);
	return 0;
}

int
bench_core(struct bench_env *env)
{
	struct kerr err;
	store *st;
	int rc = 0;

	/* As the till opens it: no checkpoint in a commit (STORE_TILL); bench_sales() does the
	 * till's idle work between sales. */
	if ((st = store_open(env->db, STORE_TILL, &err)) == NULL) {
		fprintf(stderr, "kassa-bench: %s\n", err.msg);
		return -1;
	}
	if (catalog_count(st) != env->products)
		bench_note("the catalogue holds %lld products, not %ld",
		    (long long)catalog_count(st), env->products);
	if (bench_lookup(env, st) == -1 || bench_search(st) == -1 || bench_sales(env, st) == -1)
		rc = -1;
	store_close(st);
	if (bench_status(env) == -1)
		rc = -1;
	return rc;
}

/*
 * The slow-disk profile (issue 17). kassa-bench runs this in a child of its own under
 * tests/preload/slowsync.so, so every fsync and fdatasync first sleeps KASSA_SLOWSYNC_MS
 * (20 ms), as on the SD card of a real till. The same sales as bench_sales(), each keystroke
 * that stores the cart timed on its own (a scan: the code given to sale_add_input until the
 * cart is committed; the payment: sale_pay until the sale is completed). Between two sales
 * the till is idle (the next customer steps up), and bench_idle() does what the till does
 * then: its tick, after a second without a key, calls store_checkpoint_idle(), which may ask
 * the checkpointer thread to copy the WAL into the database. The tick's own time is work in
 * the cashier's path: the longest stall counts it as if a key had come at the moment it
 * started. The checkpoint itself runs in the thread; the customer gap lasts until it is done
 * (at most a second: the tick only fires after a second of quiet anyway), and that wait counts
 * in kassa's time for the sales rate, not as a stall, since a key would not wait for it.
 */
static double
bench_idle(store *st)
{
	double t0 = bench_now(), tick, g0;
	struct kerr err;

	if (store_checkpoint_idle(st, &err) == -1)
		bench_note("store_checkpoint_idle: %s", err.msg);
	tick = bench_now() - t0;
	g0 = bench_now();
	while (store_checkpoint_pending(st) && bench_now() - g0 < 1.0)
		usleep(500);
	gap_secs += bench_now() - g0;
	return tick;
}

static int
cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x > y ? -1 : x < y;
}

int
bench_disk(struct bench_env *env)
{
	struct commits c = { 0 };
	struct base b;
	struct user u;
	struct kerr err;
	char val[48], base[48], ratio[24], metric[64];
	const char *ms = getenv("KASSA_SLOWSYNC_MS");
	int nkeys = env->sales * (SALE_LINES + 1), i, r, n, done = 0, k = 0, rc = -1;
	int wal_max = 0, wal_last = 0, restarts = 0;
	double *keys = xcalloc((size_t)nkeys, sizeof *keys);
	double *scans = xcalloc((size_t)env->sales * SALE_LINES, sizeof *scans);
	double *idle = xcalloc((size_t)env->sales, sizeof *idle);
	double *stalls = xcalloc((size_t)nkeys, sizeof *stalls);
	double ratios[ROUNDS], secs = 0, bsecs = 0, part, t0, longest, mratio, idle_sum = 0;
	int64_t shift_id;
	unsigned seed = 17;
	size_t from;
	store *st;

	printf("slow disk (issue 17): fsync and fdatasync take %s ms (tests/preload/slowsync.so)\n",
	    ms != NULL ? ms : "20");
	gap_secs = 0;
	/* Opened as the till opens it: no checkpoint in a commit (STORE_TILL). */
	if ((st = store_open(env->db, STORE_TILL, &err)) == NULL) {
		fprintf(stderr, "kassa-bench: %s\n", err.msg);
		goto done;
	}
	c.db = store_db(st);
	if (user_login(st, env->pin, &u, &err) == -1 ||
	    (!shift_current(st, &shift_id) && shift_open(st, &u, 0, &shift_id, &err) == -1)) {
		fprintf(stderr, "kassa-bench: %s\n", err.msg);
		goto close;
	}
	if (base_open(env, st, &b) == -1) {
		base_close(&b);
		goto close;
	}
	c.last = sqlite3_total_changes(c.db);
	c.rows = xcalloc(1024, sizeof *c.rows);
	c.cap = 1024;
	sqlite3_commit_hook(c.db, on_commit, &c);
	for (r = 0; r < ROUNDS; r++) {
		double ksecs;

		n = r == ROUNDS - 1 ? env->sales - done : env->sales / ROUNDS;
		from = c.n;
		t0 = bench_now();
		for (i = 0; i < n; i++, done++) {
			if (timed_sale(env, st, &u, &seed, keys + k, &err) == -1) {
				fprintf(stderr, "kassa-bench: sale: %s\n", err.msg);
				goto out;
			}
			memcpy(scans + (size_t)done * SALE_LINES, keys + k,
			    SALE_LINES * sizeof *scans);
			idle[done] = bench_idle(st);
			idle_sum += idle[done];
			if (store_wal_pages(st) > wal_max)
				wal_max = store_wal_pages(st);
			if (store_wal_pages(st) < wal_last)
				restarts++;
			wal_last = store_wal_pages(st);
			k += SALE_LINES + 1;
		}
		ksecs = bench_now() - t0;
		secs += ksecs;
		if ((part = base_replay(&b, &c, from, c.n)) < 0)
			goto out;
		bsecs += part;
		ratios[r] = ksecs / part;
	}
	sqlite3_commit_hook(c.db, NULL, NULL);
	/* KASSA_BENCH_TRACE=1: every slow keystroke, where it fell, and the idle work before it. */
	for (i = 0; getenv("KASSA_BENCH_TRACE") != NULL && i < nkeys; i++) {
		int sn = i / (SALE_LINES + 1), kn = i % (SALE_LINES + 1);

		if (keys[i] > 0.030)
			bench_note("sale %d key %d: %.1f ms (the idle tick before the sale: "
			    "%.1f ms)", sn, kn, keys[i] * 1e3,
			    sn > 0 && kn == 0 ? idle[sn - 1] * 1e3 : 0);
	}
	/* A stall: a keystroke, or the idle work after a sale plus the next sale's first key. */
	for (i = 0; i < nkeys; i++)
		stalls[i] = keys[i];
	for (i = 0; i + 1 < env->sales; i++) {
		double w = idle[i] + keys[(i + 1) * (SALE_LINES + 1)];

		if (w > stalls[(i + 1) * (SALE_LINES + 1)])
			stalls[(i + 1) * (SALE_LINES + 1)] = w;
	}
	qsort(stalls, (size_t)nkeys, sizeof *stalls, cmp_desc);
	longest = stalls[0];

	snprintf(val, sizeof val, "%.1f ms", bench_quantile(scans, (size_t)done * SALE_LINES,
	    0.5) * 1e3);
	bench_row("slow disk: scan latency p50", val, NULL, NULL, NULL, true);
	snprintf(val, sizeof val, "%.1f ms", bench_quantile(scans, (size_t)done * SALE_LINES,
	    0.99) * 1e3);
	bench_row("slow disk: scan latency p99", val, NULL, NULL, NULL, true);
	snprintf(val, sizeof val, "%.1f ms", scans[(size_t)done * SALE_LINES - 1] * 1e3);
	bench_row("slow disk: scan latency max", val, NULL, NULL, NULL, true);
	snprintf(metric, sizeof metric, "slow disk: longest stall, %d sales", done);
	snprintf(val, sizeof val, "%.1f ms", longest * 1e3);
	bench_row(metric, val, "<= 100 ms", NULL, NULL, longest <= 0.100);
	bench_note("each of the %d keystrokes of %d sales timed (%d scans, %d payments); a stall "
	    "is a keystroke, or the idle work between two sales plus the next scan; the five "
	    "longest: %.1f %.1f %.1f %.1f %.1f ms", nkeys, done, done * SALE_LINES, done,
	    stalls[0] * 1e3, stalls[1] * 1e3, stalls[2] * 1e3, stalls[3] * 1e3, stalls[4] * 1e3);
	qsort(idle, (size_t)done, sizeof *idle, cmp_desc);
	bench_note("idle work between sales (bench_idle: the till's tick when nobody types): "
	    "%.1f ms in all, the longest %.1f ms; the gaps waited %.1f s in all for the "
	    "checkpointer thread; the WAL grew to %d pages at most and started over %d times",
	    idle_sum * 1e3, idle[0] * 1e3, gap_secs, wal_max, restarts);
	mratio = bench_quantile(ratios, ROUNDS, 0.5);
	snprintf(val, sizeof val, "%.1f sales/s", done / secs);
	snprintf(base, sizeof base, "%.1f sales/s", done / bsecs);
	snprintf(ratio, sizeof ratio, "%.2fx", mratio);
	bench_row("slow disk: completed sales per second", val, "within 1.5x", base, ratio,
	    mratio <= 1.5);
	bench_note("%d sales in %.1f s (the idle work included), the baseline's same %zu commits "
	    "as bare INSERTs under the same slow fsync in %.1f s; median of %d turns (sums: "
	    "%.2fx)", done, secs, c.n, bsecs, ROUNDS, secs / bsecs);
	rc = 0;
out:
	sqlite3_commit_hook(c.db, NULL, NULL);
	base_close(&b);
	free(c.rows);
close:
	store_close(st);
done:
	free(keys);
	free(scans);
	free(idle);
	free(stalls);
	return rc;
}
