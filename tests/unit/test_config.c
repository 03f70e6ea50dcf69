/* Unit tests for config: defaults, every key read, errors naming file, line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"

static char path[64];

static void
write_conf(const char *text, int mode)
{
	FILE *f;

	snprintf(path, sizeof path, "/tmp/kassa-conf-%d.conf", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static void
test_defaults_without_file(void **state)
{
	struct config cfg;
	struct kerr err;

	(void)state;
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	unsetenv("KASSA_CONFIG");
	assert_int_equal(config_load(NULL, &cfg, &err), 0);
	assert_string_equal(cfg.currency, "UZS");
	assert_int_equal(cfg.printer_width, 48);
	assert_int_equal(cfg.printer_codepage, 17);
	assert_int_equal(cfg.printer_max_wait, 900);
	assert_string_equal(cfg.sync_url, "");
	/* A named file that is missing is an error. */
	assert_int_equal(config_load("/nonexistent/k.conf", &cfg, &err), -1);
}

static void
test_reads_keys(void **state)
{
	struct config cfg;
	struct kerr err;

	(void)state;
	write_conf("# till\n[till]\nstore = \"Chorsu 12\"\nlanguage = ru\n\n"
	    "[sync]\nurl = http://127.0.0.1:8080\ntoken = s3cret\n"
	    "[printer]\ndevice = serial:/dev/ttyUSB0\nbaud = 9600\nwidth = 32\ncodepage = 17\n"
	    "max_wait = 0\n"
	    "[scanner]\ndevice = serial:/dev/ttyACM0\n[barcode]\nweight = PPCCCCX$$$$$K\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_string_equal(cfg.store, "Chorsu 12");
	assert_string_equal(cfg.language, "ru");
	assert_string_equal(cfg.sync_url, "http://127.0.0.1:8080");
	assert_string_equal(cfg.sync_token, "s3cret");
	assert_string_equal(cfg.printer_device, "serial:/dev/ttyUSB0");
	assert_int_equal(cfg.printer_baud, 9600);
	assert_int_equal(cfg.printer_width, 32);
	assert_int_equal(cfg.printer_max_wait, 0);
	assert_true(cfg.weight.value_is_price);
	assert_int_equal(cfg.lock_after_s, 5 * 60);	/* the default */
	remove(path);
	write_conf("[till]\nlock_after = 90s\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_int_equal(cfg.lock_after_s, 90);
	write_conf("[till]\nlock_after = 0\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_int_equal(cfg.lock_after_s, 0);
	assert_int_equal(cfg.returns_no_receipt_max, 0);	/* off unless set */
	remove(path);
	write_conf("[returns]\nno_receipt_max = 50 000.50\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_int_equal(cfg.returns_no_receipt_max, 5000050);
	remove(path);
	/* Points and credit: off unless set; a percent with decimals is kept in basis points. */
	assert_int_equal(cfg.loyalty_earn_bp, 0);
	assert_int_equal(cfg.credit_offline_cap, 0);
	write_conf("[loyalty]\nearn = 1.5\n[credit]\noffline_cap = 200000\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_int_equal(cfg.loyalty_earn_bp, 150);
	assert_int_equal(cfg.credit_offline_cap, 20000000);
	remove(path);
	/* [fiscal]: off by default; with http, its gateway, token, offline days and wait. */
	assert_false(config_fiscal(&cfg));
	write_conf("[fiscal]\nmode = http\nurl = https://ofd.example.uz\ntoken = t0k\n"
	    "offline_days = 5\nwait = 0\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_true(config_fiscal(&cfg));
	assert_string_equal(cfg.fiscal_url, "https://ofd.example.uz");
	assert_string_equal(cfg.fiscal_token, "t0k");
	assert_int_equal(cfg.fiscal_offline_days, 5);
	assert_int_equal(cfg.fiscal_wait, 0);
	remove(path);
	config_defaults(&cfg);
	assert_int_equal(cfg.fiscal_offline_days, 3);
	assert_int_equal(cfg.fiscal_wait, 2);
}

static void
expect_error(const char *text, const char *needle)
{
	struct config cfg;
	struct kerr err;

	write_conf(text, 0600);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_int_equal(err.code, KERR_INPUT);
	if (strstr(err.msg, needle) == NULL)
		fail_msg("'%s' does not contain '%s'", err.msg, needle);
	assert_non_null(strstr(err.msg, path));
	remove(path);
}

static void
test_errors_name_line_and_key(void **state)
{
	(void)state;
	expect_error("[sync]\nurl = https://x\ncolour = red\n", ":3: unknown key 'colour' in [sync]");
	expect_error("[tills]\n", ":1: unknown section [tills]");
	expect_error("[printer]\nbaud = fast\n", ":2: [printer] baud = 'fast' is not a whole");
	expect_error("[printer]\nwidth = 40\n", ":2: [printer] width");
	expect_error("[till]\nlanguage = de\n", "language");
	expect_error("[till]\nlock_after = 5m\n", ":2: [till] lock_after");
	expect_error("[till]\nlock_after = 1441\n", "out of range");
	expect_error("[till]\nlock_after = -1\n", "lock_after");
	expect_error("[sync]\nurl = ftp://x\n", "http://");
	expect_error("store = x\n", "before any [section]");
	expect_error("[printer]\ndevice = /dev/ttyUSB0\n", "serial:");
	expect_error("[printer]\nflow = dtrdsr\n", ":2: [printer] flow = 'dtrdsr' is not "
	    "available on Linux: set rtscts");
	expect_error("[display]\ndevice = tcp:10.0.0.9:9100\n", ":2: [display] device");
	expect_error("[returns]\nno_receipt_max = lots\n", ":2: [returns] no_receipt_max = "
	    "'lots' is not an amount");
	expect_error("[returns]\nno_receipt_max = -5\n", "no_receipt_max");
	expect_error("[loyalty]\nearn = 101\n", ":2: [loyalty] earn = '101' is not a percent");
	expect_error("[loyalty]\nearn = 2%\n", ":2: [loyalty] earn");
	expect_error("[credit]\noffline_cap = some\n", ":2: [credit] offline_cap");
	expect_error("[fiscal]\nmode = soap\n", ":2: [fiscal] mode = 'soap' must be none or http");
	expect_error("[fiscal]\nmode = http\n", "[fiscal] mode = http needs url");
	expect_error("[fiscal]\nmode = http\nurl = http://ofd.example.uz\n", ":3: [fiscal] url");
	expect_error("[fiscal]\noffline_days = 0\n", ":2: [fiscal] offline_days");
	expect_error("[fiscal]\nwait = 60\n", ":2: [fiscal] wait");
}

static void
test_token_file_must_be_private(void **state)
{
	struct config cfg;
	struct kerr err;

	(void)state;
	write_conf("[sync]\nurl = https://hub.example\ntoken = s3cret\n", 0644);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "chmod 600"));
	remove(path);
}

/* Whoever owns the file: root's 0644 /etc/kassa/kassa.conf is as readable as the user's. */
static void
test_token_file_private_whoever_owns_it(void **state)
{
	struct config cfg;
	struct kerr err;

	(void)state;
	write_conf("[sync]\nurl = https://hub.example\ntoken = s3cret\n", 0640);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "chmod 600"));
	assert_null(strstr(err.msg, "s3cret"));
	if (getuid() == 0) {
		/* Owned by someone else (daemon), world-readable: refused all the same. */
		write_conf("[sync]\nurl = https://hub.example\ntoken = s3cret\n", 0644);
		assert_int_equal(chown(path, 1, 1), 0);
		assert_int_equal(config_load(path, &cfg, &err), -1);
		assert_non_null(strstr(err.msg, "chmod 600"));
	}
	/* 0600 is fine, and so is a readable file without a token. */
	write_conf("[sync]\nurl = https://hub.example\ntoken = s3cret\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_string_equal(cfg.sync_token, "s3cret");
	write_conf("[sync]\nurl = https://hub.example\n", 0644);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	remove(path);
}

static void
test_url_https_or_loopback(void **state)
{
	static const char *const good[] = {
		"https://hub.example.uz", "https://hub.example.uz:8443/kassa", "http://127.0.0.1:8080",
		"http://127.9.8.7/", "http://localhost:8080", "http://LOCALHOST", "http://[::1]:8080",
		"https://10.0.0.5", NULL
	};
	static const char *const bad[] = {
		"http://hub.example.uz", "http://10.0.0.5:8080", "http://192.168.1.1",
		"http://127.0.0.1.evil.example", "http://localhost.evil.example", "http://[::2]:80",
		"http://[::ffff:10.0.0.1]", "http://0.0.0.0:8080", "ftp://hub.example.uz",
		"hub.example.uz", "https://", "http://x@127.0.0.1", NULL
	};
	struct config cfg;
	struct kerr err;
	char text[256];

	(void)state;
	for (int i = 0; good[i] != NULL; i++) {
		assert_null(config_url_check(good[i]));
		snprintf(text, sizeof text, "[sync]\nurl = %s\n", good[i]);
		write_conf(text, 0600);
		kerr_clear(&err);
		if (config_load(path, &cfg, &err) != 0)
			fail_msg("%s refused: %s", good[i], err.msg);
	}
	for (int i = 0; bad[i] != NULL; i++) {
		if (config_url_check(bad[i]) == NULL)
			fail_msg("%s accepted", bad[i]);
		snprintf(text, sizeof text, "[sync]\nurl = %s\n", bad[i]);
		write_conf(text, 0600);
		assert_int_equal(config_load(path, &cfg, &err), -1);
		assert_non_null(strstr(err.msg, ":2: [sync] url"));
	}
	/* Says why, and what to use. */
	write_conf("[sync]\nurl = http://hub.example.uz\ntoken = t0ken\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "https://"));
	assert_non_null(strstr(err.msg, "in clear"));
	remove(path);
}

/* No message shows the token, or a password put in the URL. */
static void
test_errors_never_print_secrets(void **state)
{
	char text[600], token[400];
	struct config cfg;
	struct kerr err;

	(void)state;
	memset(token, 'k', sizeof token - 1);
	token[sizeof token - 1] = '\0';
	memcpy(token, "SECRET", 6);
	snprintf(text, sizeof text, "[sync]\ntoken = %s\n", token);
	write_conf(text, 0600);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "[sync] token"));
	assert_non_null(strstr(err.msg, "too long"));
	assert_null(strstr(err.msg, "SECRET"));
	write_conf("[sync]\nurl = https://till:SECRET@hub.example.uz\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), -1);
	assert_non_null(strstr(err.msg, "[sync] url"));
	assert_null(strstr(err.msg, "SECRET"));
	remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_without_file),
		cmocka_unit_test(test_reads_keys),
		cmocka_unit_test(test_errors_name_line_and_key),
		cmocka_unit_test(test_token_file_must_be_private),
		cmocka_unit_test(test_token_file_private_whoever_owns_it),
		cmocka_unit_test(test_url_https_or_loopback),
		cmocka_unit_test(test_errors_never_print_secrets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
