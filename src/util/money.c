/*
 * money: integer minor units and thousandths, checked arithmetic, rounding, parsing and the
 * way shops write amounts ("12 500", "12 500.50"). No floating point anywhere. A leaf value
 * library in util, so the config (amounts in kassa.conf) and the devices (the pole display)
 * can use it without reaching into the core.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "money.h"

bool
money_amount_ok(money_t amount)
{
	return amount >= -MONEY_AMOUNT_MAX && amount <= MONEY_AMOUNT_MAX;
}

bool
money_add(money_t a, money_t b, money_t *out)
{
	money_t r;

	if (__builtin_add_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool
money_sub(money_t a, money_t b, money_t *out)
{
	money_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool
money_mul(money_t a, int64_t b, money_t *out)
{
	money_t r;

	if (__builtin_mul_overflow(a, b, &r))
		return false;
	*out = r;
	return true;
}

bool
money_muldiv(money_t amount, int64_t num, int64_t den, money_t *out)
{
	__int128 p, q, r;

	if (den <= 0)
		return false;
	/* 128-bit intermediate: price * qty never overflows before the division. */
	p = (__int128)amount * num;
	q = p / den;
	r = p % den;
	if (r < 0)
		r = -r;
	if (2 * r >= den)	/* half away from zero */
		q += p < 0 ? -1 : 1;
	if (q > INT64_MAX || q < INT64_MIN)
		return false;
	*out = (money_t)q;
	return true;
}

bool
money_times_qty(money_t price, qty_t qty, money_t *out)
{
	return money_muldiv(price, qty, QTY_ONE, out);
}

money_t
money_vat_included(money_t amount, int vat_bp)
{
	money_t vat = 0;

	if (vat_bp <= 0)
		return 0;
	if (!money_muldiv(amount, vat_bp, 10000 + (int64_t)vat_bp, &vat))
		return 0;	/* cannot happen: the result is smaller than amount */
	return vat;
}

/* Parses digits with optional single spaces between groups of three into *whole; stops at
 * the first character that is neither. */
static const char *
parse_digits(const char *p, int64_t *whole, int *ndigits)
{
	int64_t v = 0;

	*ndigits = 0;
	for (;;) {
		if (isdigit((unsigned char)*p)) {
			if (__builtin_mul_overflow(v, 10, &v) ||
			    __builtin_add_overflow(v, *p - '0', &v))
				return NULL;
			(*ndigits)++;
			p++;
		} else if (*p == ' ' && *ndigits > 0 && isdigit((unsigned char)p[1]) &&
		    isdigit((unsigned char)p[2]) && isdigit((unsigned char)p[3]) &&
		    !isdigit((unsigned char)p[4])) {
			p++;	/* "12 500": a thousands separator as shops write it */
		} else
			break;
	}
	*whole = v;
	return p;
}

/* Shared by money_parse and qty_parse: "[-]digits[.decimals]" with at most maxdec decimals,
 * scaled by 10^maxdec. what names the value in messages, marked N_() by the caller. */
static int
parse_fixed(const char *s, int maxdec, bool allow_negative, int64_t *out, const char *what,
    struct kerr *err)
{
	const char *p = s;
	int64_t whole = 0, frac = 0, scale = 1, v;
	int nd = 0, nf = 0;
	bool neg = false;

	while (*p == ' ')
		p++;
	if (*p == '-') {
		if (!allow_negative)
			return kerr_set(err, KERR_INPUT, _("%s may not be negative: '%s'"),
			    _(what), s);
		neg = true;
		p++;
	}
	p = parse_digits(p, &whole, &nd);
	if (p == NULL)
		return kerr_set(err, KERR_INPUT, _("%s too large: '%s'"), _(what), s);
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (++nf > maxdec)
				return kerr_set(err, KERR_INPUT, _("%s has more than %d "
				    "decimals: '%s'"), _(what), maxdec, s);
			frac = frac * 10 + (*p - '0');
			p++;
		}
		if (nf == 0)
			return kerr_set(err, KERR_INPUT, _("%s has no digits after '.': '%s'"),
			    _(what), s);
	}
	while (*p == ' ')
		p++;
	if (nd == 0 && nf == 0)
		return kerr_set(err, KERR_INPUT, _("%s is not a number: '%s'"), _(what), s);
	if (*p != '\0')
		return kerr_set(err, KERR_INPUT, _("%s is not a number: '%s' (use digits and a "
		    "'.' for decimals)"), _(what), s);
	for (int i = 0; i < maxdec; i++)
		scale *= 10;
	for (int i = nf; i < maxdec; i++)
		frac *= 10;
	if (__builtin_mul_overflow(whole, scale, &v) || __builtin_add_overflow(v, frac, &v))
		return kerr_set(err, KERR_INPUT, _("%s too large: '%s'"), _(what), s);
	*out = neg ? -v : v;
	return 0;
}

int
money_parse(const char *s, bool allow_negative, money_t *out, struct kerr *err)
{
	return parse_fixed(s, 2, allow_negative, out, N_("amount"), err);
}

int
qty_parse(const char *s, qty_t *out, struct kerr *err)
{
	qty_t q;

	if (parse_fixed(s, 3, false, &q, N_("quantity"), err) == -1)
		return -1;
	if (q <= 0)
		return kerr_set(err, KERR_INPUT, _("quantity must be more than 0: '%s'"), s);
	*out = q;
	return 0;
}

/* Writes n with a space between groups of three digits. */
static void
group(uint64_t n, char *buf, size_t size)
{
	char digits[32], out[48];
	int len, o = 0;

	len = snprintf(digits, sizeof digits, "%" PRIu64, n);
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ' ';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, size, "%s", out);
}

char *
money_format(money_t amount, char *buf, size_t size)
{
	uint64_t mag = amount < 0 ? (uint64_t)0 - (uint64_t)amount : (uint64_t)amount;
	char whole[48];

	group(mag / MONEY_MINOR, whole, sizeof whole);
	if (mag % MONEY_MINOR == 0)
		snprintf(buf, size, "%s%s", amount < 0 ? "-" : "", whole);
	else
		snprintf(buf, size, "%s%s.%02u", amount < 0 ? "-" : "", whole,
		    (unsigned)(mag % MONEY_MINOR));
	return buf;
}

char *
qty_format(qty_t qty, bool by_weight, char *buf, size_t size)
{
	uint64_t mag = qty < 0 ? (uint64_t)0 - (uint64_t)qty : (uint64_t)qty;
	const char *sign = qty < 0 ? "-" : "";

	if (by_weight)
		snprintf(buf, size, "%s%" PRIu64 ".%03u", sign, mag / QTY_ONE,
		    (unsigned)(mag % QTY_ONE));
	else if (mag % QTY_ONE == 0)
		snprintf(buf, size, "%s%" PRIu64, sign, mag / QTY_ONE);
	else {
		/* A fractional count of pieces: show only the decimals it has. */
		char frac[8];
		int n;

		snprintf(frac, sizeof frac, "%03u", (unsigned)(mag % QTY_ONE));
		for (n = 3; n > 0 && frac[n - 1] == '0'; n--)
			frac[n - 1] = '\0';
		snprintf(buf, size, "%s%" PRIu64 ".%s", sign, mag / QTY_ONE, frac);
	}
	return buf;
}
