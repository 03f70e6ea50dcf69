/*
 * crash-sales: rings up sales through the core in a loop until it is killed. The crash test
 * (tests/regress/crash.sh) kills it with SIGKILL at random moments and then checks that the
 * database holds no half-written sale and has lost no completed one.
 *
 *   crash-sales [-o FLOAT] [-n COUNT] [-s SEED] [-u USER_ID] DB CODES
 *
 * DB is a till database (`kassa init`, products imported, a user added); CODES is a text file
 * with one barcode or SKU per line, the products to sell. The sales go through the real core
 * API as the till does it: sale_current (which resumes the cart a killed run left behind),
 * sale_add_input with "CODE" and "N*CODE", sometimes a line or cart discount, a voided line,
 * a park and recall or a voided sale, then sale_pay in cash (exact or with change), by card,
 * or split card + cash.
 *
 * After each completed sale it prints "done NUMBER UUID" on stdout and flushes, so the parent
 * knows which sales the core had reported complete when the kill came: those must all be in
 * the database. Likewise "cart ID LINES PAID" after each stored change of the cart, and at the
 * start "resume ID LINES PAID" for the cart sale_current gave back: the next run must resume
 * what the killed one had stored. Every failure is fatal (a message on stderr, exit 1); a crash test tells a
 * death by its own hand from a kill by the exit status.
 *
 *   -o FLOAT    open a shift (float in minor units) when none is open
 *   -n COUNT    stop after COUNT completed sales (default: run until killed; 0: just set up)
 *   -s SEED     the random seed (default 1), so a run can be repeated
 *   -u USER_ID  the cashier (default 1); looked up by id, not by PIN, because PIN hashing is
 *               slow on purpose and would eat the time between start and kill
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "barcode.h"
#include "catalog.h"
#include "kerr.h"
#include "money.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"
#include "xalloc.h"

#define MAX_CODES 4096

struct run {
	store *st;
	struct user user;
	struct weight_layout layout;
	char **codes;
	int ncodes;
	uint64_t rng;
};

static void __attribute__((noreturn))
die(const char *what, const struct kerr *err)
{
	fprintf(stderr, "crash-sales: %s: %s%s%s\n", what, err != NULL ? kerr_name(err->code) : "",
	    err != NULL ? ": " : "", err != NULL ? err->msg : "");
	exit(1);
}

/* A change the core refused on its merits (KERR_DENIED: a manager would be needed). */
static bool
refused(const struct kerr *err)
{
	return err->code == KERR_DENIED;
}

/* xorshift64*: small, seedable, the same sequence on every machine. */
static unsigned
rnd(struct run *r, unsigned n)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (unsigned)((r->rng * 2685821657736338717ULL) >> 33) % n;
}

static void
read_codes(struct run *r, const char *path)
{
	char line[256];
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "crash-sales: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	r->codes = xcalloc(MAX_CODES, sizeof *r->codes);
	while (r->ncodes < MAX_CODES && fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0')
			r->codes[r->ncodes++] = xstrdup(line);
	}
	fclose(f);
	if (r->ncodes == 0) {
		fprintf(stderr, "crash-sales: %s: no codes\n", path);
		exit(1);
	}
}

/* "cart ID LINES PAID" after every change the core has stored: the crash test checks that
 * the next run resumes that cart with no less (LINES counts voided lines too). */
static void
say_cart(const sale *s)
{
	printf("cart %lld %d %lld\n", (long long)sale_id(s), sale_line_count(s),
	    (long long)sale_totals(s)->paid);
	fflush(stdout);
}

/* A line that is not voided, or -1. */
static int
live_line(struct run *r, const sale *s)
{
	int n = sale_line_count(s), i, start;

	if (n == 0)
		return -1;
	start = (int)rnd(r, (unsigned)n);
	for (i = 0; i < n; i++) {
		const struct sale_line *l = sale_line(s, (start + i) % n);

		if (!l->voided)
			return (start + i) % n;
	}
	return -1;
}

/* Rings up lines and does the things a cashier does before paying. Returns false when the
 * sale was voided (s is then a new empty cart). */
static bool
ring_up(struct run *r, sale *s)
{
	struct sale_summary parked[8];
	struct kerr err;
	char input[300];
	int i, n, idx;

	/* A park that a kill interrupted before the recall: take it back. */
	if (sale_line_count(s) == 0) {
		n = sale_parked_list(r->st, parked, 8, &err);
		if (n == -1)
			die("sale_parked_list", &err);
		if (n > 0 && sale_recall(s, parked[0].id, &err) == -1)
			die("sale_recall (leftover)", &err);
		if (n > 0)
			say_cart(s);
	}
	n = 1 + (int)rnd(r, 5);
	for (i = 0; i < n; i++) {
		const char *code = r->codes[rnd(r, (unsigned)r->ncodes)];

		if (rnd(r, 3) == 0)
			snprintf(input, sizeof input, "%u*%s", 2 + rnd(r, 4), code);
		else
			snprintf(input, sizeof input, "%s", code);
		if (sale_add_input(s, &r->layout, input, &idx, &err) == -1)
			die(input, &err);
		say_cart(s);
	}
	/* The core checks the discount limit on the result after every change: a void or a
	 * discount that would take a line past the cashier's 10 % (the rounding of small lines
	 * can) is refused and changes nothing, as at the till; the run goes on without it. */
	if (rnd(r, 20) == 0 && (idx = live_line(r, s)) != -1 &&
	    sale_void_line(s, idx, NULL, &err) == -1 && !refused(&err))
		die("sale_void_line", &err);
	if (rnd(r, 10) == 0 && (idx = live_line(r, s)) != -1 &&
	    sale_discount_line(s, idx, DISC_PERCENT, 500, NULL, &err) == -1 && !refused(&err))
		die("sale_discount_line", &err);
	if (rnd(r, 10) == 0 && sale_totals(s)->lines > 0) {
		if (rnd(r, 2) == 0) {
			if (sale_discount_cart(s, DISC_PERCENT, 300, NULL, &err) == -1 &&
			    !refused(&err))
				die("sale_discount_cart percent", &err);
		} else if (sale_totals(s)->total >= 100) {
			if (sale_discount_cart(s, DISC_AMOUNT, sale_totals(s)->total / 20, NULL,
			    &err) == -1 && !refused(&err))
				die("sale_discount_cart amount", &err);
		}
	}
	if (rnd(r, 10) == 0 && sale_totals(s)->lines > 0) {
		int64_t id = sale_id(s);

		if (sale_park(s, &err) == -1)
			die("sale_park", &err);
		if (sale_recall(s, id, &err) == -1)
			die("sale_recall", &err);
	}
	say_cart(s);
	if (rnd(r, 30) == 0 || sale_totals(s)->lines == 0) {
		if (sale_void(s, NULL, &err) == -1)
			die("sale_void", &err);
		return false;
	}
	return true;
}

/* Pays what is due: cash exact, cash with change, card, or part card and the rest cash. */
static void
pay(struct run *r, sale *s)
{
	struct kerr err;
	bool completed = false;
	money_t due = sale_totals(s)->due;

	switch (sale_totals(s)->paid > 0 ? 0 : rnd(r, 4)) {
	case 0:
		if (sale_pay(s, PAY_CASH, 0, &completed, &err) == -1)
			die("sale_pay cash exact", &err);
		break;
	case 1:
		/* The next 1 000 so'm note above what is due. */
		if (sale_pay(s, PAY_CASH, (due / 100000 + 1) * 100000, &completed, &err) == -1)
			die("sale_pay cash with change", &err);
		break;
	case 2:
		if (sale_pay(s, PAY_CARD, 0, &completed, &err) == -1)
			die("sale_pay card", &err);
		break;
	default:
		if (due >= 2 && sale_pay(s, PAY_CARD, due / 2, &completed, &err) == -1)
			die("sale_pay split card", &err);
		if (!completed)
			say_cart(s);
		if (!completed && sale_pay(s, PAY_CASH, 0, &completed, &err) == -1)
			die("sale_pay split cash", &err);
		break;
	}
	if (!completed) {
		fprintf(stderr, "crash-sales: sale %lld: paid in full but not completed\n",
		    (long long)sale_id(s));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct run r;
	struct kerr err;
	long long count = -1, done = 0, opening = -1, user_id = 1, seed = 1;
	int64_t shift_id = 0;
	bool first = true;
	int c, i;

	memset(&r, 0, sizeof r);
	while ((c = getopt(argc, argv, "n:o:s:u:")) != -1) {
		switch (c) {
		case 'n':
			count = atoll(optarg);
			break;
		case 'o':
			opening = atoll(optarg);
			break;
		case 's':
			seed = atoll(optarg);
			break;
		case 'u':
			user_id = atoll(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	r.rng = 0x9e3779b97f4a7c15ULL ^ (uint64_t)seed;
	if (r.rng == 0)
		r.rng = 1;
	barcode_layout_default(&r.layout);
	read_codes(&r, argv[optind + 1]);

	if ((r.st = store_open(argv[optind], 0, &err)) == NULL)
		die("store_open", &err);
	if (user_get(r.st, user_id, &r.user, &err) == -1)
		die("user_get", &err);
	if (opening >= 0 && !shift_current(r.st, &shift_id)) {
		if (shift_open(r.st, &r.user, opening, &shift_id, &err) == -1)
			die("shift_open", &err);
	}

	while (count < 0 || done < count) {
		sale *s = sale_current(r.st, &r.user, &err);

		if (s == NULL)
			die("sale_current", &err);
		if (first) {
			/* What a killed run left: "resume ID LINES PAID". */
			printf("resume %lld %d %lld\n", (long long)sale_id(s), sale_line_count(s),
			    (long long)sale_totals(s)->paid);
			fflush(stdout);
			first = false;
		}
		/* A cart resumed with a tender already on it is paid off as it is. */
		if (sale_totals(s)->paid > 0 || ring_up(&r, s)) {
			pay(&r, s);
			printf("done %lld %s\n", (long long)sale_number(s), sale_uuid(s));
			fflush(stdout);
			done++;
		}
		sale_free(s);
	}

	store_close(r.st);
	for (i = 0; i < r.ncodes; i++)
		free(r.codes[i]);
	free(r.codes);
	return 0;
usage:
	fprintf(stderr, "usage: crash-sales [-o FLOAT] [-n COUNT] [-s SEED] [-u USER_ID] DB CODES\n");
	return 2;
}
