/*
 * config: the INI file (CONTRACT.md section 6) and the default paths.
 *
 * An unknown section or key or a bad value is an error naming the file, the line and the key.
 * No config file at all is fine: defaults serve.
 */
#ifndef KASSA_CONFIG_H
#define KASSA_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "barcode-layout.h"
#include "kerr.h"

struct config {
	/* [till] */
	char store[128];          /* shown on the screen and receipts */
	char currency[8];         /* "UZS" */
	char language[8];         /* "uz", "ru", "en"; "" = from the locale */
	int lock_after_s;         /* idle seconds before the PIN prompt, 300; 0 = never */
	/* [sync] */
	char sync_url[512];       /* "" = offline only; see config_url_check */
	char sync_token[256];     /* a secret: never shown; the file must be mode 0600 */
	char sync_cafile[512];    /* "" = system CAs */
	int sync_batch;           /* events per batch, default 500 */
	int sync_backoff_base;    /* seconds, default 1 */
	int sync_backoff_cap;     /* seconds, default 300 */
	int sync_interval;        /* seconds between polls when idle, default 30 */
	/* [printer] */
	char printer_device[512]; /* "serial:/dev/ttyUSB0", "file:/dev/usb/lp0", "tcp:HOST:9100", "" */
	int printer_baud;         /* 19200 */
	int printer_width;        /* 48 (32, 42, 48) */
	int printer_codepage;     /* 17 = CP866 */
	char printer_bits[8];     /* "8N1" */
	char printer_flow[16];    /* "none", "rtscts", "xonxoff" */
	int printer_max_wait;     /* seconds a receipt waits for the printer, 900; 0 = no limit */
	/* [scanner] */
	char scanner_device[512];
	int scanner_baud;         /* 9600 */
	/* [display] customer pole display */
	char display_device[512];
	int display_baud;
	/* [barcode] */
	struct weight_layout weight;
	/* [rights] the largest effective discount (percent of the gross, per line and per
	 * sale) each role may give or approve; enforced by the core (sale.h) */
	int cashier_discount;     /* 10 */
	int manager_discount;     /* 100 (admins: the same) */
	/* [returns] */
	int64_t returns_no_receipt_max; /* minor units; the most one return without a receipt
	                                 * may refund; 0 (the default) turns them off */
	/* [loyalty], [credit] (customer.h) */
	int loyalty_earn_bp;            /* points earned, basis points of what was paid other
	                                 * than with points; 0 (the default): none */
	int64_t credit_offline_cap;     /* minor units: the most credit this till gives a
	                                 * customer beyond the hub's last confirmed balance;
	                                 * 0 (the default): no cap */
	/* [fiscal] CONTRACT.md section 8 (fiscal.h) */
	char fiscal_mode[8];      /* "none" (default) or "http" */
	char fiscal_url[512];     /* the gateway; config_url_check */
	char fiscal_token[256];   /* a secret, as [sync] token */
	int fiscal_offline_days;  /* the warning starts a day before the oldest unsent document
	                           * is this old; default 3 */
	int fiscal_wait;          /* seconds the printer waits for the gateway's reply before a
	                           * sale's first receipt (default 2; 0: never waits) */
	/* where it came from ("" when defaults) */
	char path[512];
};

/* Whether [fiscal] mode = http. */
bool config_fiscal(const struct config *cfg);

/* Fills cfg with the defaults. */
void config_defaults(struct config *cfg);

/*
 * Loads path over the defaults. path NULL: $KASSA_CONFIG, then $XDG_CONFIG_HOME/kassa/kassa.conf
 * (~/.config/...), then /etc/kassa/kassa.conf; a missing default file is fine, a missing file
 * that was named is an error. Errors say "FILE:LINE: unknown key 'x' in [sync]".
 */
int config_load(const char *path, struct config *cfg, struct kerr *err);

/*
 * Whether url may carry a token and the till's sales: NULL when it may, else why not (a
 * static string). https:// anywhere; http:// only to this machine (localhost, 127.0.0.0/8,
 * ::1), since over plain HTTP the token and every sale cross the network in clear; never a
 * user or password in the URL (it is printed in messages). Every URL key uses it.
 */
const char *config_url_check(const char *url);

/* The database path: explicit, else $KASSA_DB, else $XDG_DATA_HOME/kassa/kassa.db
 * (~/.local/share/...). Malloc'd; caller frees. Creates the parent directory (0700). */
char *config_db_path(const char *explicit_path, struct kerr *err);

#endif
