/*
 * bench-stock: the figures of issue 13. Receiving a 5 000-line delivery file (`kassa stock
 * receive`) and posting a 20 000-product stock-take (`kassa stock count`), each on the bench's
 * till (the whole catalogue imported), next to the product import of as many rows into the
 * same till as the baseline: the same file reading, look-ups and one durable transaction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "xalloc.h"

#define DELIVERY_LINES 5000
#define COUNT_PRODUCTS 20000

/* `kassa -d DB -c CONF a1 .. a5` with stdin from in; exit status and wall time. */
static int
run_kassa(const struct bench_env *env, const char *in, double *secs, const char *a1,
    const char *a2, const char *a3, const char *a4, const char *a5)
{
	char *argv[] = { (char *)env->kassa, "-d", (char *)env->db, "-c", (char *)env->conf,
		(char *)a1, (char *)a2, (char *)a3, (char *)a4, (char *)a5, NULL };

	return bench_run(argv, in, NULL, secs, NULL);
}

/*
 * Writes n rows of product i = (k * step) % products: a delivery (barcode,qty,cost), a count
 * (barcode,qty) or, for the baseline, products (barcode,name,price).
 */
enum kind { DELIVERY, COUNT, PRODUCTS };

static int
write_file(const char *path, const struct bench_env *env, long n, long step, enum kind kind)
{
	static const char *const header[] = { "barcode,qty,cost", "barcode,qty",
		"barcode,name,price" };
	char code[14], name[96];
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		fprintf(stderr, "kassa-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%s\n", header[kind]);
	for (long k = 0; k < n; k++) {
		long i = (k * step) % env->products;

		bench_product(i, code, name);
		/* Weighed products (i % 20 == 19 in the catalogue) in kg with decimals. */
		if (kind == DELIVERY)
			fprintf(f, "%s,%s,%ld.50\n", code, i % 20 == 19 ? "2.5" : "12",
			    1000 + k % 9000);
		else if (kind == COUNT)
			fprintf(f, "%s,%s\n", code, i % 20 == 19 ? "0.750" : (k % 3 == 0 ? "7" :
			    "3"));
		else
			fprintf(f, "%s,\"%s\",%ld\n", code, name, 1000 + (i * 7919) % 250000);
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "kassa-bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* One row: the operation's time against the import of as many rows. */
static void
row(const char *metric, double secs, double base)
{
	char val[32], basel[48], ratio[24];

	snprintf(val, sizeof val, "%.0f ms", secs * 1000);
	snprintf(basel, sizeof basel, "%.0f ms import", base * 1000);
	snprintf(ratio, sizeof ratio, "%.2fx", base > 0 ? secs / base : 0);
	bench_row(metric, val, "< 1 s", basel, ratio, secs < 1.0);
}

int
bench_stock(struct bench_env *env)
{
	char *pin = xasprintf("%s/admin.pin", env->dir);
	char *delivery = xasprintf("%s/delivery.csv", env->dir);
	char *count = xasprintf("%s/count.csv", env->dir);
	char *base5 = xasprintf("%s/base-5k.csv", env->dir);
	char *base20 = xasprintf("%s/base-20k.csv", env->dir);
	long ncount = env->products < COUNT_PRODUCTS ? env->products : COUNT_PRODUCTS;
	double t_base5 = 0, t_recv = 0, t_base20 = 0, t_count = 0;
	int rc = -1, st;
	FILE *f;

	printf("stock (issue 13)\n");
	if ((f = fopen(pin, "w")) == NULL || fputs("8642\n", f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "kassa-bench: %s: %s\n", pin, strerror(errno));
		goto out;
	}
	if ((st = run_kassa(env, pin, NULL, "user", "add", "bench-admin", "--role", "admin")) != 0) {
		fprintf(stderr, "kassa-bench: kassa user add bench-admin exited %d\n", st);
		goto out;
	}
	/* Steps coprime with the catalogue's size spread the rows over it (and over its pages). */
	if (write_file(delivery, env, DELIVERY_LINES, 37, DELIVERY) == -1 ||
	    write_file(base5, env, DELIVERY_LINES, 37, PRODUCTS) == -1 ||
	    write_file(count, env, ncount, 7, COUNT) == -1 ||
	    write_file(base20, env, ncount, 7, PRODUCTS) == -1)
		goto out;
	if ((st = run_kassa(env, NULL, &t_base5, "import", "products", base5, NULL, NULL)) != 0 ||
	    (st = run_kassa(env, NULL, &t_recv, "stock", "receive", delivery, "--supplier",
	    "Bench")) != 0 ||
	    (st = run_kassa(env, NULL, &t_base20, "import", "products", base20, NULL, NULL)) != 0 ||
	    (st = run_kassa(env, NULL, &t_count, "stock", "count", count, NULL, NULL)) != 0) {
		fprintf(stderr, "kassa-bench: a stock command exited %d\n", st);
		goto out;
	}
	row("stock receive 5000 lines", t_recv, t_base5);
	row("stock count 20000 products", t_count, t_base20);
	bench_note("kassa stock receive delivery.csv (%d lines, events of 500) and kassa stock "
	    "count count.csv (%ld products, most of them changing) on the till of %ld products: "
	    "wall time of the process; baseline: kassa import products of as many rows (updates)",
	    DELIVERY_LINES, ncount, env->products);
	rc = 0;
out:
	free(pin);
	free(delivery);
	free(count);
	free(base5);
	free(base20);
	return rc;
}
