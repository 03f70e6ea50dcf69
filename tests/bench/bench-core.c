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
 * WAL frames (pages) each commit appends, from sqlite3_wal_hook: what a durable commit costs
 * beyond its fsync. The hook stands in for SQLite's autocheckpoint while it is set, so it is
 * set around one sale only (after a TRUNCATE checkpoint, so the count starts at 0) and
 * sqlite3_wal_autocheckpoint() puts the default back.
 */
struct walcount {
	int last, total;
	char list[256];
	size_t len;
};

static int
on_wal(void *arg, sqlite3 *db, const char *name, int nframe)
{
	struct walcount *w = arg;
	int d = nframe >= w->last ? nframe - w->last : nframe;

	(void)db; (void)name;
	w->last = nframe;
	w->total += d;
	if (w->len < sizeof w->list - 1)
		w->len += (size_t)snprintf(w->list + w->len, sizeof w->list - w->len, "%s%d",
		    w->len ? "+" : "", d);
	if (w->len >= sizeof w->list)
		w->len = sizeof w->list - 1;
	return SQLITE_OK;
}

static void
wal_count_start(sqlite3 *db, struct walcount *w)
{
	memset(w, 0, sizeof *w);
	sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	sqlite3_wal_hook(db, on_wal, w);
}

static void
wal_count_stop(sqlite3 *db)
{
	sqlite3_wal_autocheckpoint(db, 1000);	/* SQLite's default hook again */
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

/* One sale of SALE_LINES distinct random products, paid in cash, exactly. */
static int
one_sale(const struct bench_env *env, store *st, const struct user *u, unsigned *seed,
    struct kerr *err)
{
	char code[14], name[96];
	bool completed = false;
	sale *s;
	int i, idx, rc = -1;

	if ((s = sale_current(st, u, err)) == NULL)
		return -1;
	for (i = 0; i < SALE_LINES; i++) {
		bench_product((long)(rand_r(seed) % env->products), code, name);
		if (sale_add_input(s, NULL, code, &idx, err) == -1)
			goto out;
	}
	if (sale_pay(s, PAY_CASH, 0, &completed, err) == -1)
		goto out;
	if (!completed) {
		kerr_set(err, KERR_INTERNAL, "paid in full, not completed");
		goto out;
	}
	rc = 0;
out:
	sale_free(s);
	return rc;
}

static int one_sale(const struct bench_env *env, store *st, const struct user *u,
    unsigned *seed, struct kerr *err);

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

	/* One sale first, to count what a sale writes (and to warm up). */
	c.rows = xcalloc(1024, sizeof *c.rows);
	c.cap = 1024;
	wal_count_start(c.db, &wk);
	r = one_sale(env, st, &u, &seed, &err);
	wal_count_stop(c.db);
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
	wal_count_stop(b.db);
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
	bench_row("completed sales per second", val, "within 2x", base, ratio, mratio <= 2);
	bench_note("%d sales of %d lines paid in cash (sale_current, sale_add_input x%d, sale_pay) "
	    "in %.2f s; %zu durable commits, %ld rows", env->sales, SALE_LINES, SALE_LINES, secs,
	    c.n, rows);
	bench_note("one sale = %d commits writing %d rows (%s; sqlite3_total_changes per commit "
	    "hook): the cart is stored on every change", one_commits, one_rows, profile);
	bench_note("WAL pages those commits append (sqlite3_wal_hook): kassa %d (%s), the "
	    "baseline %d (%s)", wk.total, wk.list, wb.total, wb.list);
	bench_note("baseline: the same %zu commits of the same row counts as bare INSERTs, "
	    "in %.2f s, in %d turns with the sales; ratio = the median over the turns of kassa's "
	    "time / the baseline's (from %.2f to %.2f; of the sums: %.2f)", c.n, bsecs, ROUNDS,
	    ratios[0], ratios[ROUNDS - 1], brate / rate);
	if (mratio > 2)
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

	if ((st = store_open(env->db, 0, &err)) == NULL) {
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
