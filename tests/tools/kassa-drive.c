/*
 * kassa-drive: runs the till's core from a script, without the screen. For the integration
 * tests (sales, reports) and the crash test (kill it at any moment, then check the database).
 *
 *   kassa-drive [-k] DB < COMMANDS
 *
 * Reads one command per line from stdin, calls the core API on DB (which `kassa init` made) and
 * prints one line per command on stdout, flushed at once, so a parent that kills this process
 * knows exactly which commands had finished:
 *     ok [key=value ...]                    the command worked
 *     error CODE: MESSAGE                   it failed (CODE as kerr_name: "bad input", ...)
 * Without -k the first error ends the run with exit status 1; with -k it goes on and exits 1 at
 * the end if anything failed. Blank lines and lines starting with '#' are ignored.
 *
 * Amounts are in major units as the cashier types them ("100000", "1500.50"); what is printed
 * is in minor units (as the JSON reports are), so scripts can compare them directly.
 *
 * Commands:
 *   login PIN                 log in (user_login); every command below needs a login
 *   manager PIN               a manager's PIN that approves what follows (user_approve)
 *   open FLOAT                open a shift with the opening float
 *   scan INPUT                what the cashier types: "CODE" or "N*CODE" (sale_add_input)
 *                             -> ok line=N qty=Q total=T (T the cart's total so far)
 *   qty LINE QTY              set a line's quantity ("2", "0.5")
 *   void-line LINE            void a line (lines are numbered from 1)
 *   discount-line LINE percent|amount VALUE   percent as "10" or "12.5"; amount in major units
 *   discount-cart percent|amount VALUE
 *   pay cash|card AMOUNT      tender AMOUNT (0 = exactly what is due)
 *                             -> ok due=D, or ok completed number=N total=T vat=V change=C id=ID
 *   park                      park the open sale  -> ok parked=ID
 *   recall ID                 recall a parked sale
 *   void                      void the whole open sale
 *   cash-in AMOUNT REASON...  / cash-out AMOUNT REASON...
 *   no-sale                   open the drawer without a sale
 *   close COUNTED             close the shift with the counted cash
 *                             -> ok closed number=N sales=S total=T vat=V cash=C card=K
 *                                expected=E counted=C variance=V (one line)
 *   x                         -> ok number=N sales=S ... (the open shift so far, as close)
 *   totals                    -> ok lines=N subtotal=S discount=D total=T vat=V paid=P due=U
 *   echo TEXT...              prints TEXT (to mark places in the output)
 * Returns (refund.h), on the return in hand (started, or resumed from the database):
 *   return RECEIPT            start a return against receipt RECEIPT (a number or its barcode)
 *                             -> ok return=ID lines=N
 *   return-resume             take up the return in progress -> ok return=ID marked=N total=T
 *   return-mark INPUT         "CODE" or "N*CODE" -> ok line=L marked=Q total=T cash=C card=K
 *   return-complete           refund (with the `manager` approval, if any)
 *                             -> ok returned number=N original=O total=T vat=V cash=C card=K
 *   return-abandon            forget the return in hand
 *   return-no-receipt CODE QTY MAX    a return without a receipt, MAX in major units
 *                             -> ok returned id=ID
 *
 * Customers (customer.h):
 *   rules EARN_PERCENT OFFLINE_CAP   [loyalty] earn and [credit] offline_cap (major units)
 *   customer-add NAME PHONE [LIMIT]  a customer made at the till (LIMIT needs a manager)
 *                             -> ok customer=ID
 *   customer CODE             attach the customer whose phone or card is CODE to the cart
 *   balance CODE              -> ok balance=B points=P limit=L left=C unconfirmed=U
 *   customer-pay CODE AMOUNT cash|card   a repayment -> ok before=B after=A
 *   pay credit|points AMOUNT  as pay cash|card
 *
 * Example: a sale of three units and one weighed item, paid in cash with change:
 *   printf 'login 1111\nopen 100000\nscan 3*4780001234567\npay cash 50000\n' | kassa-drive db
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "barcode.h"
#include "catalog.h"
#include "customer.h"
#include "fiscal.h"
#include "kerr.h"
#include "money.h"
#include "refund.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "user.h"

#define MAXARGS 8

struct drive {
	store *st;
	struct weight_layout layout;
	struct user user;
	bool logged_in;
	struct user approver;
	bool approved;
	sale *cur;                 /* the open cart, fetched when first needed */
	refund *ret;               /* the return in hand, if any */
};

static void
say_ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
say_ok(const char *fmt, ...)
{
	va_list ap;

	fputs("ok", stdout);
	if (fmt != NULL && *fmt != '\0') {
		fputc(' ', stdout);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	fputc('\n', stdout);
	fflush(stdout);
}

/* Splits line in place at spaces into at most max words; the last takes the rest. */
static int
split(char *line, char **argv, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		argv[n++] = p;
		if (n == max)
			break;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

static const struct user *
approver(const struct drive *d)
{
	return d->approved ? &d->approver : NULL;
}

/* The open cart; fetches it (resuming a stored one) when there is none in hand. */
static sale *
cart(struct drive *d, struct kerr *err)
{
	if (!d->logged_in) {
		kerr_set(err, KERR_STATE, "log in first");
		return NULL;
	}
	if (d->cur == NULL)
		d->cur = sale_current(d->st, &d->user, err);
	return d->cur;
}

static void
drop_cart(struct drive *d)
{
	if (d->cur != NULL)
		sale_free(d->cur);
	d->cur = NULL;
}

static void
drop_return(struct drive *d)
{
	refund_free(d->ret);
	d->ret = NULL;
}

/* The return commands. Returns 1 when cmd is not one of them. */
static int
run_return(struct drive *d, int argc, char **argv, struct kerr *err)
{
	const char *cmd = argv[0];
	const struct refund_totals *t;
	int index = 0;

	if (strcmp(cmd, "return") == 0 && argc == 2) {
		drop_return(d);
		if ((d->ret = refund_start(d->st, &d->user, argv[1], err)) == NULL)
			return -1;
		say_ok("return=%lld lines=%d", (long long)refund_id(d->ret),
		    refund_line_count(d->ret));
		return 0;
	}
	if (strcmp(cmd, "return-resume") == 0 && argc == 1) {
		drop_return(d);
		if ((d->ret = refund_current(d->st, &d->user, err)) == NULL)
			return -1;
		t = refund_totals(d->ret);
		say_ok("return=%lld marked=%d total=%lld", (long long)refund_id(d->ret), t->lines,
		    (long long)t->total);
		return 0;
	}
	if (strcmp(cmd, "return-no-receipt") == 0 && argc == 4) {
		qty_t qty;
		money_t max;
		int64_t id;
		bool needs;

		if (qty_parse(argv[2], &qty, err) == -1 ||
		    money_parse(argv[3], false, &max, err) == -1 ||
		    refund_without_receipt(d->st, &d->user, approver(d), argv[1], qty, max, &needs,
		    &id, err) == -1)
			return -1;
		say_ok("returned id=%lld", (long long)id);
		return 0;
	}
	if (strncmp(cmd, "return-", 7) != 0)
		return 1;
	if (d->ret == NULL)
		return kerr_set(err, KERR_STATE, "no return in hand: return RECEIPT first");
	if (strcmp(cmd, "return-mark") == 0 && argc == 2) {
		if (refund_mark_input(d->ret, &d->layout, argv[1], &index, err) == -1)
			return -1;
		t = refund_totals(d->ret);
		say_ok("line=%d marked=%lld total=%lld cash=%lld card=%lld",
		    refund_line(d->ret, index)->lineno,
		    (long long)refund_line(d->ret, index)->marked, (long long)t->total,
		    (long long)t->cash, (long long)t->card);
		return 0;
	}
	if (strcmp(cmd, "return-complete") == 0 && argc == 1) {
		if (refund_complete(d->ret, approver(d), err) == -1)
			return -1;
		t = refund_totals(d->ret);
		say_ok("returned number=%lld original=%lld total=%lld vat=%lld cash=%lld card=%lld",
		    (long long)refund_number(d->ret), (long long)refund_original(d->ret),
		    (long long)t->total, (long long)t->vat, (long long)t->cash, (long long)t->card);
		drop_return(d);
		return 0;
	}
	if (strcmp(cmd, "return-abandon") == 0 && argc == 1) {
		if (refund_abandon(d->ret, err) == -1)
			return -1;
		drop_return(d);
		say_ok(NULL);
		return 0;
	}
	return kerr_set(err, KERR_INPUT, "%s: wrong arguments (see the top of kassa-drive.c)",
	    cmd);
}

/* "10" or "12.5" percent into basis points. */
static int
parse_percent(const char *s, int64_t *bp, struct kerr *err)
{
	money_t v;

	/* money_parse reads two decimals: "12.5" -> 1250, which is basis points already. */
	if (money_parse(s, false, &v, err) == -1)
		return -1;
	if (v <= 0 || v > 10000)
		return kerr_set(err, KERR_INPUT, "a percentage is more than 0 and at most 100");
	*bp = v;
	return 0;
}

static int
parse_line(const struct drive *d, const char *s, int *index, struct kerr *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || d->cur == NULL || n > sale_line_count(d->cur))
		return kerr_set(err, KERR_INPUT, "no line %s in the cart", s);
	*index = (int)n - 1;
	return 0;
}

static int
parse_disc(const char *kind, const char *value, enum disc_kind *k, int64_t *v,
    struct kerr *err)
{
	if (strcmp(kind, "percent") == 0) {
		*k = DISC_PERCENT;
		return parse_percent(value, v, err);
	}
	if (strcmp(kind, "amount") == 0) {
		*k = DISC_AMOUNT;
		return money_parse(value, false, v, err);
	}
	return kerr_set(err, KERR_INPUT, "a discount is 'percent' or 'amount', not '%s'", kind);
}

static void
print_shift(const char *what, const struct shift_report *r)
{
	say_ok("%snumber=%lld sales=%lld total=%lld vat=%lld cash=%lld card=%lld "
	    "expected=%lld counted=%lld variance=%lld", what, (long long)r->number,
	    (long long)r->sales_count, (long long)r->sales_total, (long long)r->vat_total,
	    (long long)r->cash_sales, (long long)r->card_sales, (long long)r->expected_cash,
	    (long long)r->counted_cash, (long long)r->variance);
}

/* Runs one command. Returns 0 or -1 with err. */
static int
run(struct drive *d, int argc, char **argv, struct kerr *err)
{
	const char *cmd = argv[0];
	struct shift_report r;
	money_t amount;
	qty_t qty;
	enum disc_kind dk;
	int64_t v, id;
	int index;
	bool completed;
	sale *s;

#define NEED(n) do { if (argc != (n) + 1) \
	return kerr_set(err, KERR_INPUT, "%s wants %d argument%s", cmd, (n), (n) == 1 ? "" : "s"); \
	} while (0)

	memset(&r, 0, sizeof r);
	if (strcmp(cmd, "echo") == 0) {
		printf("%s\n", argc > 1 ? argv[1] : "");
		fflush(stdout);
		return 0;
	}
	if (strcmp(cmd, "login") == 0) {
		NEED(1);
		drop_cart(d);
		drop_return(d);
		d->approved = false;
		if (user_login(d->st, argv[1], &d->user, err) == -1) {
			d->logged_in = false;
			return -1;
		}
		d->logged_in = true;
		say_ok("user=%s role=%s", d->user.name, user_role_name(d->user.role));
		return 0;
	}
	if (!d->logged_in)
		return kerr_set(err, KERR_STATE, "log in first");
	if (strcmp(cmd, "manager") == 0) {
		NEED(1);
		if (user_approve(d->st, argv[1], RIGHT_VOID_PAID, &d->approver, err) == -1)
			return -1;
		d->approved = true;
		say_ok("approver=%s", d->approver.name);
		return 0;
	}
	if (strcmp(cmd, "open") == 0) {
		NEED(1);
		if (money_parse(argv[1], false, &amount, err) == -1 ||
		    shift_open(d->st, &d->user, amount, &id, err) == -1)
			return -1;
		say_ok("shift=%lld", (long long)id);
		return 0;
	}
	if (strcmp(cmd, "close") == 0) {
		NEED(1);
		drop_cart(d);
		if (money_parse(argv[1], false, &amount, err) == -1 ||
		    shift_close(d->st, &d->user, amount, &r, err) == -1)
			return -1;
		print_shift("closed ", &r);
		return 0;
	}
	if (strcmp(cmd, "x") == 0) {
		NEED(0);
		if (shift_report_x(d->st, &r, err) == -1)
			return -1;
		print_shift("", &r);
		return 0;
	}
	if (strcmp(cmd, "cash-in") == 0 || strcmp(cmd, "cash-out") == 0) {
		if (argc != 3)
			return kerr_set(err, KERR_INPUT, "%s wants AMOUNT REASON", cmd);
		if (money_parse(argv[1], false, &amount, err) == -1)
			return -1;
		if (cmd[5] == 'o')
			amount = -amount;
		if (shift_cash_move(d->st, &d->user, approver(d), amount, argv[2], err) == -1)
			return -1;
		say_ok(NULL);
		return 0;
	}
	if (strncmp(cmd, "return", 6) == 0) {
		int rc = run_return(d, argc, argv, err);

		if (rc != 1)
			return rc;
	}
	if (strcmp(cmd, "no-sale") == 0) {
		NEED(0);
		if (shift_no_sale(d->st, &d->user, approver(d), err) == -1)
			return -1;
		say_ok(NULL);
		return 0;
	}

	if (strcmp(cmd, "rules") == 0) {
		struct customer_rules cr;
		money_t bp;

		NEED(2);
		if (money_parse(argv[1], false, &bp, err) == -1 ||
		    money_parse(argv[2], false, &cr.offline_cap, err) == -1)
			return -1;
		cr.earn_bp = (int)bp;
		customer_rules_set(&cr);
		say_ok(NULL);
		return 0;
	}
	if (strcmp(cmd, "customer-add") == 0) {
		bool denied;

		amount = 0;
		if (argc != 3 && argc != 4)
			return kerr_set(err, KERR_INPUT, "customer-add NAME PHONE [LIMIT]");
		if (argc == 4 && money_parse(argv[3], false, &amount, err) == -1)
			return -1;
		if (customer_add(d->st, &d->user, approver(d), argv[1], argv[2], NULL, amount,
		    &denied, &id, err) == -1)
			return -1;
		say_ok("customer=%lld", (long long)id);
		return 0;
	}
	if (strcmp(cmd, "balance") == 0 || strcmp(cmd, "customer-pay") == 0) {
		struct customer_figures f;
		struct customer cu;
		money_t before, after;
		int found;

		if ((found = customer_find(d->st, argv[argc > 1 ? 1 : 0], &cu, err)) == -1)
			return -1;
		if (found == 0)
			return kerr_set(err, KERR_NOTFOUND, "no customer %s", argv[1]);
		if (strcmp(cmd, "balance") == 0) {
			NEED(1);
			if (customer_figures(d->st, cu.id, &f, err) == -1)
				return -1;
			say_ok("balance=%lld points=%lld limit=%lld left=%lld unconfirmed=%lld",
			    (long long)f.balance, (long long)f.points, (long long)f.limit,
			    (long long)f.credit_left, (long long)f.unconfirmed);
			return 0;
		}
		NEED(3);
		if (money_parse(argv[2], false, &amount, err) == -1 ||
		    customer_pay(d->st, &d->user, cu.id, argv[3], amount, &before, &after,
		    err) == -1)
			return -1;
		say_ok("before=%lld after=%lld", (long long)before, (long long)after);
		return 0;
	}

	/* Everything below works on the open cart. */
	if ((s = cart(d, err)) == NULL)
		return -1;
	if (strcmp(cmd, "customer") == 0) {
		struct customer cu;
		int found;

		NEED(1);
		if ((found = customer_find(d->st, argv[1], &cu, err)) == -1)
			return -1;
		if (found == 0)
			return kerr_set(err, KERR_NOTFOUND, "no customer %s", argv[1]);
		if (sale_set_customer(s, cu.id, err) == -1)
			return -1;
		say_ok("customer=%lld", (long long)cu.id);
		return 0;
	}
	if (strcmp(cmd, "scan") == 0) {
		NEED(1);
		if (sale_add_input(s, &d->layout, argv[1], &index, err) == -1)
			return -1;
		say_ok("line=%d qty=%lld total=%lld", index + 1,
		    (long long)sale_line(s, index)->qty, (long long)sale_totals(s)->total);
		return 0;
	}
	if (strcmp(cmd, "qty") == 0) {
		NEED(2);
		if (parse_line(d, argv[1], &index, err) == -1 ||
		    qty_parse(argv[2], &qty, err) == -1 ||
		    sale_set_qty(s, index, qty, approver(d), err) == -1)
			return -1;
		say_ok("total=%lld", (long long)sale_totals(s)->total);
		return 0;
	}
	if (strcmp(cmd, "void-line") == 0) {
		NEED(1);
		if (parse_line(d, argv[1], &index, err) == -1 ||
		    sale_void_line(s, index, approver(d), err) == -1)
			return -1;
		say_ok("total=%lld", (long long)sale_totals(s)->total);
		return 0;
	}
	if (strcmp(cmd, "discount-line") == 0) {
		NEED(3);
		if (parse_line(d, argv[1], &index, err) == -1 ||
		    parse_disc(argv[2], argv[3], &dk, &v, err) == -1 ||
		    sale_discount_line(s, index, dk, v, approver(d), err) == -1)
			return -1;
		say_ok("total=%lld", (long long)sale_totals(s)->total);
		return 0;
	}
	if (strcmp(cmd, "discount-cart") == 0) {
		NEED(2);
		if (parse_disc(argv[1], argv[2], &dk, &v, err) == -1 ||
		    sale_discount_cart(s, dk, v, approver(d), err) == -1)
			return -1;
		say_ok("total=%lld", (long long)sale_totals(s)->total);
		return 0;
	}
	if (strcmp(cmd, "totals") == 0) {
		const struct sale_totals *t = sale_totals(s);

		NEED(0);
		say_ok("lines=%d subtotal=%lld discount=%lld total=%lld vat=%lld paid=%lld due=%lld",
		    t->lines, (long long)t->subtotal, (long long)t->discount, (long long)t->total,
		    (long long)t->vat, (long long)t->paid, (long long)t->due);
		return 0;
	}
	if (strcmp(cmd, "pay") == 0) {
		enum pay_method m;

		NEED(2);
		if (strcmp(argv[1], "cash") == 0)
			m = PAY_CASH;
		else if (strcmp(argv[1], "card") == 0)
			m = PAY_CARD;
		else if (strcmp(argv[1], "credit") == 0)
			m = PAY_CREDIT;
		else if (strcmp(argv[1], "points") == 0)
			m = PAY_POINTS;
		else
			return kerr_set(err, KERR_INPUT, "pay cash|card|credit|points AMOUNT");
		completed = false;
		if (money_parse(argv[2], false, &amount, err) == -1 ||
		    sale_pay(s, m, amount, &completed, err) == -1)
			return -1;
		if (completed) {
			const struct sale_totals *t = sale_totals(s);

			say_ok("completed number=%lld total=%lld vat=%lld change=%lld id=%lld",
			    (long long)sale_number(s), (long long)t->total, (long long)t->vat,
			    (long long)t->change, (long long)sale_id(s));
			drop_cart(d);
		} else {
			say_ok("due=%lld", (long long)sale_totals(s)->due);
		}
		return 0;
	}
	if (strcmp(cmd, "park") == 0) {
		NEED(0);
		id = sale_id(s);
		if (sale_park(s, err) == -1)
			return -1;
		say_ok("parked=%lld", (long long)id);
		return 0;
	}
	if (strcmp(cmd, "recall") == 0) {
		char *end;

		NEED(1);
		id = strtoll(argv[1], &end, 10);
		if (*end != '\0' || id <= 0)
			return kerr_set(err, KERR_INPUT, "recall wants a parked sale's id");
		if (sale_recall(s, id, err) == -1)
			return -1;
		say_ok("lines=%d total=%lld", sale_totals(s)->lines,
		    (long long)sale_totals(s)->total);
		return 0;
	}
	if (strcmp(cmd, "void") == 0) {
		NEED(0);
		if (sale_void(s, approver(d), err) == -1)
			return -1;
		say_ok(NULL);
		return 0;
	}
	return kerr_set(err, KERR_INPUT, "unknown command '%s'", cmd);
#undef NEED
}

int
main(int argc, char **argv)
{
	struct drive d;
	struct kerr err;
	char *line = NULL, *args[MAXARGS];
	size_t cap = 0;
	ssize_t len;
	bool keep_going = false, failed = false;
	int n, rc = 1;

	if (argc == 3 && strcmp(argv[1], "-k") == 0) {
		keep_going = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: kassa-drive [-k] DB < COMMANDS (see the top of "
		    "tests/tools/kassa-drive.c)\n");
		return 2;
	}
	memset(&d, 0, sizeof d);
	kerr_clear(&err);
	/* KASSA_DRIVE_FISCAL=1: the core as with [fiscal] mode = http (fiscal.h). */
	fiscal_set_mode(getenv("KASSA_DRIVE_FISCAL") != NULL &&
	    strcmp(getenv("KASSA_DRIVE_FISCAL"), "1") == 0);
	barcode_layout_default(&d.layout);
	d.st = store_open(argv[1], 0, &err);
	if (d.st == NULL) {
		fprintf(stderr, "kassa-drive: %s\n", err.msg);
		return 1;
	}
	while ((len = getline(&line, &cap, stdin)) != -1) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		/* "cash-in 500 a reason with spaces": the reason is the last, unsplit word. */
		n = split(line, args, strncmp(line, "cash-", 5) == 0 ? 3 :
		    strncmp(line, "echo", 4) == 0 ? 2 : MAXARGS);
		if (n == 0 || args[0][0] == '#')
			continue;
		kerr_clear(&err);
		if (run(&d, n, args, &err) == -1) {
			printf("error %s: %s\n", kerr_name(err.code), err.msg);
			fflush(stdout);
			failed = true;
			if (!keep_going)
				goto out;
		}
	}
	rc = failed ? 1 : 0;
out:
	free(line);
	drop_cart(&d);
	drop_return(&d);
	store_close(d.st);
	return rc;
}
