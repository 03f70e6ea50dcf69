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
	assert_int_equal(cfg.returns_no_receipt_max, 0);	/* off unless set */
	remove(path);
	write_conf("[returns]\nno_receipt_max = 50 000.50\n", 0600);
	assert_int_equal(config_load(path, &cfg, &err), 0);
	assert_int_equal(cfg.returns_no_receipt_max, 5000050);
	remove(path);
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
	expect_error("[sync]\nurl = http://x\ncolour = red\n", ":3: unknown key 'colour' in [sync]");
	expect_error("[tills]\n", ":1: unknown section [tills]");
	expect_error("[printer]\nbaud = fast\n", ":2: [printer] baud = 'fast' is not a whole");
	expect_error("[printer]\nwidth = 40\n", ":2: [printer] width");
	expect_error("[till]\nlanguage = de\n", "language");
	expect_error("[sync]\nurl = ftp://x\n", "http://");
	expect_error("store = x\n", "before any [section]");
	expect_error("[printer]\ndevice = /dev/ttyUSB0\n", "serial:");
	expect_error("[printer]\nflow = dtrdsr\n", ":2: [printer] flow = 'dtrdsr' is not "
	    "available on Linux: set rtscts");
	expect_error("[display]\ndevice = tcp:10.0.0.9:9100\n", ":2: [display] device");
	expect_error("[returns]\nno_receipt_max = lots\n", ":2: [returns] no_receipt_max = "
	    "'lots' is not an amount");
	expect_error("[returns]\nno_receipt_max = -5\n", "no_receipt_max");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_without_file),
		cmocka_unit_test(test_reads_keys),
		cmocka_unit_test(test_errors_name_line_and_key),
		cmocka_unit_test(test_token_file_must_be_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
