/*
 * Unit tests for the catalogue on a real SQLite file: what a scan resolves to (barcode, SKU,
 * weight labels by weight and by price, UPC-A read as EAN-13), the messages a cashier sees for
 * a bad or unknown code, name search as the F2 list shows it (prefixes, Cyrillic, diacritics,
 * text that looks like FTS syntax) and last-write-wins upserts and deletes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "testlib.h"

#include "barcode.h"
#include "catalog.h"
#include "store.h"

struct fx {
	char dir[64];
	store *st;
};

/* 12 digits -> the EAN-13 with its check digit, in a static buffer (one at a time). */
static const char *
ean13(const char *twelve)
{
	static char code[14];

	snprintf(code, sizeof code, "%.12s", twelve);
	code[12] = (char)('0' + barcode_check_digit(code, 12));
	code[13] = '\0';
	return code;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	f->st = testlib_store(f->dir, sizeof f->dir, "catalog");
	testlib_product(f->st, ean13("478000000001"), "BREAD", "Non issiq", 400000, false, 0,
	    "2026-11-25T08:00:00.000Z");
	testlib_product(f->st, ean13("478000000002"), "MILK", "Молоко Musaffo 3.2% 1 л", 1450000,
	    false, 0, "2026-11-25T08:00:00.000Z");
	testlib_product(f->st, ean13("478000000003"), "CAFE", "Café au lait", 2200000, false, 0,
	    "2026-11-25T08:00:00.000Z");
	testlib_product(f->st, ean13("478000000004"), "APPLE", "Olma qizil", 1899000, true, 123,
	    "2026-11-25T08:00:00.000Z");
	testlib_product(f->st, "036000291452", "UPC", "Imported gum", 500000, false, 0,
	    "2026-11-25T08:00:00.000Z");
	/* An SKU that looks like an EAN-13 with a wrong check digit. */
	testlib_product(f->st, ean13("478000000005"), "4780000000000", "Choy ko'k", 900000,
	    false, 0, "2026-11-25T08:00:00.000Z");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	testlib_rmdir(f->dir);
	free(f);
	return 0;
}

static void
test_lookup_barcode_and_sku(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;
	qty_t qty = 0;
	char code[14];

	snprintf(code, sizeof code, "%s", ean13("478000000002"));
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.sku, "MILK");
	assert_string_equal(p.barcode, code);
	assert_int_equal(p.price, 1450000);
	assert_int_equal(qty, 1000);

	/* The SKU finds the same product, with its barcode filled in. */
	assert_int_equal(catalog_lookup(f->st, NULL, "BREAD", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Non issiq");
	assert_string_equal(p.barcode, ean13("478000000001"));

	/* A UPC-A as a scanner may send it: 13 digits with a leading 0. */
	assert_int_equal(catalog_lookup(f->st, NULL, "0036000291452", &p, &qty, &err), 0);
	assert_string_equal(p.sku, "UPC");
	/* And a UPC-A scanned as 12 digits when the catalogue has the 13-digit form. */
	testlib_product(f->st, "0614141000036", "UPC13", "Imported tea", 700000, false, 0,
	    "2026-11-25T08:00:00.000Z");
	assert_int_equal(catalog_lookup(f->st, NULL, "614141000036", &p, &qty, &err), 0);
	assert_string_equal(p.sku, "UPC13");
}

static void
test_lookup_errors(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;
	qty_t qty;

	/* A GTIN with a wrong check digit is a misread, not an unknown product. */
	assert_int_equal(catalog_lookup(f->st, NULL, "4780001234568", &p, &qty, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "bad check digit in 4780001234568"));
	assert_int_equal(catalog_lookup(f->st, NULL, "96385075", &p, &qty, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	/* ... unless it is somebody's SKU. */
	assert_int_equal(catalog_lookup(f->st, NULL, "4780000000000", &p, &qty, &err), 0);
	assert_string_equal(p.name, "Choy ko'k");

	assert_int_equal(catalog_lookup(f->st, NULL, "123", &p, &qty, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_string_equal(err.msg, "unknown code 123");
	/* A valid EAN-13 nobody sells. */
	assert_int_equal(catalog_lookup(f->st, NULL, ean13("478999999999"), &p, &qty, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_int_equal(catalog_lookup(f->st, NULL, "", &p, &qty, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
}

static void
test_lookup_weight_labels(void **state)
{
	struct fx *f = *state;
	struct weight_layout by_price;
	struct product p;
	struct kerr err;
	qty_t qty = 0;

	/* Default layout PPCCCCCWWWWWK: prefix 21, PLU 00123, 1 250 g. */
	assert_int_equal(catalog_lookup(f->st, NULL, ean13("210012301250"), &p, &qty, &err), 0);
	assert_string_equal(p.sku, "APPLE");
	assert_true(p.by_weight);
	assert_int_equal(qty, 1250);
	/* An unknown PLU names the weight code. */
	assert_int_equal(catalog_lookup(f->st, NULL, ean13("210099901250"), &p, &qty, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_non_null(strstr(err.msg, "999"));

	/* Price-embedded labels: 9 495.00 so'm of apples at 18 990 a kg = 0.500 kg. */
	assert_int_equal(barcode_layout_parse("PPCCCCC$$$$$K", &by_price), 0);
	assert_true(by_price.value_is_price);
	/* The label's 5 digits are minor units: 189.90 so'm buys 0.010 kg. */
	assert_int_equal(catalog_lookup(f->st, &by_price, ean13("220012318990"), &p, &qty, &err),
	    0);
	assert_int_equal(qty, 10);
	/* 33.33 so'm buys 0.001755... kg: rounded to the nearest gram. */
	assert_int_equal(catalog_lookup(f->st, &by_price, ean13("220012303333"), &p, &qty, &err),
	    0);
	assert_int_equal(qty, 2);
}

static void
test_deleted_products_are_not_found(void **state)
{
	struct fx *f = *state;
	struct product p, found[4];
	struct kerr err;
	qty_t qty;
	int64_t id;
	char code[14];

	snprintf(code, sizeof code, "%s", ean13("478000000001"));
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	id = p.id;
	/* An older delete than the stored change loses (last write wins). */
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(catalog_delete(f->st, code, "2026-11-24T00:00:00.000Z", &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);

	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(catalog_delete(f->st, code, "2026-11-25T09:00:00.000Z", &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), -1);
	assert_int_equal(err.code, KERR_NOTFOUND);
	assert_int_equal(catalog_lookup(f->st, NULL, "BREAD", &p, &qty, &err), -1);
	assert_int_equal(catalog_search(f->st, "non", found, 4, &err), 0);
	assert_int_equal(catalog_count(f->st), 5);
	/* Old receipts still name it. */
	assert_int_equal(catalog_get(f->st, id, &p, &err), 0);
	assert_string_equal(p.name, "Non issiq");
}

static void
test_upsert_last_write_wins(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;
	qty_t qty;
	const char *code = "036000291452";

	testlib_product(f->st, code, "UPC", "Imported gum (old)", 1, false, 0,
	    "2026-11-20T00:00:00.000Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Imported gum");
	assert_int_equal(p.price, 500000);
	testlib_product(f->st, code, "UPC", "Imported gum mint", 550000, false, 0,
	    "2026-11-25T10:00:00.000Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Imported gum mint");
	assert_int_equal(p.price, 550000);
	assert_int_equal(catalog_count(f->st), 6);
	/* The new name is searchable at once, the old one no more. */
	assert_int_equal(catalog_search(f->st, "mint", &p, 1, &err), 1);
	assert_string_equal(p.sku, "UPC");
	/* Control characters from upstream become spaces. */
	testlib_product(f->st, code, "UPC", "Imported\tgum\x1b mint", 550000, false, 0,
	    "2026-11-25T11:00:00.000Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Imported gum  mint");
	/* Outside a transaction is a bug in the caller. */
	assert_int_equal(catalog_upsert(f->st, &p, "2026-11-26T00:00:00.000Z", &err), -1);
	assert_int_equal(err.code, KERR_INTERNAL);
}

/* The product's stored updated_at, read back from the table. */
static void
stored_at_is(store *st, const char *code, const char *want)
{
	sqlite3_stmt *q;

	assert_int_equal(sqlite3_prepare_v2(store_db(st), "SELECT p.updated_at FROM barcodes b "
	    "JOIN products p ON p.id = b.product_id WHERE b.code = ?1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(q, 0), want);
	sqlite3_finalize(q);
}

/* updated_at is compared as a time, not as a string: fractions, offsets, bad values, and
 * values an older till stored in another form. */
static void
test_upsert_compares_times(void **state)
{
	struct fx *f = *state;
	struct product p;
	struct kerr err;
	qty_t qty;
	const char *code = "036000291452";

	testlib_product(f->st, code, "UPC", "Gum nine", 1, false, 0, "2026-11-25T09:00:00Z");
	stored_at_is(f->st, code, "2026-11-25T09:00:00.000Z");
	/* Half a second later wins, though ".500Z" < "Z" as strings. */
	testlib_product(f->st, code, "UPC", "Gum half", 2, false, 0, "2026-11-25T09:00:00.500Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Gum half");
	/* 14:00+05:00 is 09:00 UTC: older, ignored, though "14" > "09" as strings. */
	testlib_product(f->st, code, "UPC", "Gum offset", 3, false, 0, "2026-11-25T14:00:00+05:00");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Gum half");
	/* 14:01+05:00 is 09:01 UTC: newer, applied and stored in UTC. */
	testlib_product(f->st, code, "UPC", "Gum offset", 3, false, 0, "2026-11-25T14:01:00+05:00");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Gum offset");
	stored_at_is(f->st, code, "2026-11-25T09:01:00.000Z");
	/* "9999" is refused and changes nothing; the next valid change still applies. */
	assert_int_equal(store_begin(f->st, &err), 0);
	p.price = 9;
	assert_int_equal(catalog_upsert(f->st, &p, "9999", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	assert_non_null(strstr(err.msg, "updated_at"));
	assert_int_equal(catalog_delete(f->st, code, "9999", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	store_rollback(f->st);
	stored_at_is(f->st, code, "2026-11-25T09:01:00.000Z");
	testlib_product(f->st, code, "UPC", "Gum ten", 4, false, 0, "2026-11-25T10:00:00Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Gum ten");
	/* Stored by an older till as it came: compared by the time it names. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE products SET updated_at = "
	    "'2026-11-25T16:00:00+05:00' WHERE sku = 'UPC'", NULL, NULL, NULL), SQLITE_OK);
	testlib_product(f->st, code, "UPC", "Gum old", 5, false, 0, "2026-11-25T10:59:59.999Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Gum ten");
	testlib_product(f->st, code, "UPC", "Gum eleven", 5, false, 0, "2026-11-25T11:00:00Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Gum eleven");
	/* A stored value that names no time does not block a valid change. */
	assert_int_equal(sqlite3_exec(store_db(f->st), "UPDATE products SET updated_at = "
	    "'9999' WHERE sku = 'UPC'", NULL, NULL, NULL), SQLITE_OK);
	testlib_product(f->st, code, "UPC", "Gum unblocked", 6, false, 0, "2026-11-25T12:00:00Z");
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_string_equal(p.name, "Gum unblocked");
	stored_at_is(f->st, code, "2026-11-25T12:00:00.000Z");
	/* Deletes compare the same way: an older offset time loses, a newer one wins. */
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(catalog_delete(f->st, code, "2026-11-25T16:59:00+05:00", &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), 0);
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(catalog_delete(f->st, code, "2026-11-25T12:00:00.001Z", &err), 0);
	assert_int_equal(store_commit(f->st, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, code, &p, &qty, &err), -1);
}

/* A new barcode with a known SKU is a second barcode of that product (a new pack), not a
 * clash; a barcode of one product with the SKU of another is refused and changes nothing. */
static void
test_second_barcode_by_sku(void **state)
{
	struct fx *f = *state;
	struct product p, q;
	struct kerr err;
	qty_t qty = 0;
	char old_code[14], new_code[14];
	int64_t n = catalog_count(f->st);

	snprintf(old_code, sizeof old_code, "%s", ean13("478000000001"));
	snprintf(new_code, sizeof new_code, "%s", ean13("478000000099"));
	testlib_product(f->st, new_code, "BREAD", "Non issiq (yangi qadoq)", 450000, false, 0,
	    "2026-11-26T08:00:00.000Z");
	assert_int_equal(catalog_count(f->st), n);
	assert_int_equal(catalog_lookup(f->st, NULL, new_code, &p, &qty, &err), 0);
	assert_int_equal(catalog_lookup(f->st, NULL, old_code, &q, &qty, &err), 0);
	assert_int_equal(p.id, q.id);
	assert_string_equal(q.name, "Non issiq (yangi qadoq)");
	assert_int_equal(q.price, 450000);

	/* MILK's barcode with BREAD's SKU: refused, both products as they were. */
	memset(&p, 0, sizeof p);
	snprintf(p.barcode, sizeof p.barcode, "%s", ean13("478000000002"));
	snprintf(p.sku, sizeof p.sku, "BREAD");
	snprintf(p.name, sizeof p.name, "Mixed up");
	p.vat_bp = 1200;
	assert_int_equal(store_begin(f->st, &err), 0);
	assert_int_equal(catalog_upsert(f->st, &p, "2026-11-27T08:00:00.000Z", &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	store_rollback(f->st);
	assert_int_equal(catalog_lookup(f->st, NULL, ean13("478000000002"), &q, &qty, &err), 0);
	assert_string_equal(q.sku, "MILK");
}

static void
test_search(void **state)
{
	struct fx *f = *state;
	struct product out[8];
	struct kerr err;
	/* Text a cashier might type that FTS5 would otherwise read as syntax. */
	static const char *const hostile[] = { "\"", "\"\"\"", "*", "-", "(", "NEAR(", "OR",
		"AND NOT", "name:", "^", "sku:MILK", "\"non", "non\"", "a\"b*c", "  ", "+",
		"'", "o'", "{name}", "NOT non", "{", "}", ":", "name : non" };

	/* Every word a prefix, in any order. */
	assert_int_equal(catalog_search(f->st, "no", out, 8, &err), 1);
	assert_string_equal(out[0].sku, "BREAD");
	assert_int_equal(catalog_search(f->st, "qiz ol", out, 8, &err), 1);
	assert_string_equal(out[0].sku, "APPLE");
	assert_true(out[0].by_weight);
	/* Cyrillic, any case. */
	assert_int_equal(catalog_search(f->st, "МОЛ", out, 8, &err), 1);
	assert_string_equal(out[0].sku, "MILK");
	assert_string_equal(out[0].barcode, ean13("478000000002"));
	assert_int_equal(catalog_search(f->st, "мол mus", out, 8, &err), 1);
	/* Diacritics ignored both ways. */
	assert_int_equal(catalog_search(f->st, "cafe", out, 8, &err), 1);
	assert_int_equal(catalog_search(f->st, "CAFÉ", out, 8, &err), 1);
	/* By SKU too. */
	assert_int_equal(catalog_search(f->st, "milk", out, 8, &err), 1);
	/* Nothing, and the limit. */
	assert_int_equal(catalog_search(f->st, "zzz", out, 8, &err), 0);
	assert_int_equal(catalog_search(f->st, "", out, 8, &err), 0);
	assert_int_equal(catalog_search(f->st, "i", out, 1, &err), 1);
	assert_int_equal(catalog_search(f->st, "i", out, 0, &err), 0);
	/* Apostrophes of Uzbek Latin. */
	assert_int_equal(catalog_search(f->st, "ko'k", out, 8, &err), 1);
	assert_string_equal(out[0].name, "Choy ko'k");

	for (size_t i = 0; i < sizeof hostile / sizeof hostile[0]; i++) {
		int n = catalog_search(f->st, hostile[i], out, 8, &err);

		if (n < 0)
			fail_msg("search '%s' failed: %s", hostile[i], err.msg);
	}
	/* Quotes are not syntax: a word with a quote in it still finds the product. */
	assert_int_equal(catalog_search(f->st, "\"non", out, 8, &err), 1);
	assert_int_equal(catalog_search(f->st, "non\"iss", out, 8, &err), 1);
	/* Many one-letter words: the query grows to 2.5 times what was typed. */
	{
		char many[400];

		for (size_t i = 0; i + 2 < sizeof many; i += 2) {
			many[i] = (char)('a' + i % 26);
			many[i + 1] = i % 4 == 0 ? ' ' : '"';
		}
		many[sizeof many - 2] = 'z';
		many[sizeof many - 1] = '\0';
		assert_true(catalog_search(f->st, many, out, 8, &err) >= 0);
	}
}

static void
test_search_ranks_best_first(void **state)
{
	struct fx *f = *state;
	struct product out[8];
	struct kerr err;
	int n;

	testlib_product(f->st, ean13("478000000011"), "S1",
	    "Sut Musaffo 1 l va boshqa uzun nom bilan", 1, false, 0, "2026-11-25T08:00:00.000Z");
	testlib_product(f->st, ean13("478000000012"), "S2", "Sut", 1, false, 0,
	    "2026-11-25T08:00:00.000Z");
	testlib_product(f->st, ean13("478000000013"), "S3", "Sut sut sut", 1, false, 0,
	    "2026-11-25T08:00:00.000Z");
	n = catalog_search(f->st, "sut", out, 8, &err);
	assert_int_equal(n, 3);
	/* The long name that mentions it once comes last. */
	assert_string_equal(out[2].sku, "S1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lookup_barcode_and_sku, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_weight_labels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_products_are_not_found, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_upsert_last_write_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upsert_compares_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_barcode_by_sku, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_ranks_best_first, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
