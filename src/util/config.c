/*
 * config: the INI file of CONTRACT.md section 6 and the default paths of the database and the
 * config. Every key is in one table below with its section, type and bounds, so the parser,
 * the error messages and kassa.conf(5) agree.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "config.h"
#include "money.h"
#include "text.h"
#include "xalloc.h"

enum key_type {
	K_STRING, K_INT, K_URL, K_DEVICE, K_DISPLAY, K_LANGUAGE, K_WIDTH, K_LAYOUT, K_FLOW,
	K_AMOUNT,       /* major units as money_parse reads them, kept in minor units */
	K_SECRET,       /* a string never shown in a message; its file must be private */
	K_PERCENT,      /* 0 to 100, up to two decimals ("1.5"), kept in basis points (int) */
	K_MINUTES,      /* minutes, or seconds with s; kept in seconds */
	K_FISCAL_MODE   /* none | http */
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;    /* K_STRING & co: buffer size */
	long lo, hi;    /* K_INT bounds */
};

#define S(sec, name, field, type) \
	{ sec, name, type, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, 0 }
#define I(sec, name, field, lo, hi) \
	{ sec, name, K_INT, offsetof(struct config, field), sizeof(int), lo, hi }

static const struct key keys[] = {
	S("till", "store", store, K_STRING),
	S("till", "currency", currency, K_STRING),
	S("till", "language", language, K_LANGUAGE),
	{ "till", "lock_after", K_MINUTES, offsetof(struct config, lock_after_s), sizeof(int), 0,
	    24 * 60 },
	S("sync", "url", sync_url, K_URL),
	S("sync", "token", sync_token, K_SECRET),
	S("sync", "cafile", sync_cafile, K_STRING),
	I("sync", "batch", sync_batch, 1, 5000),
	I("sync", "backoff_base", sync_backoff_base, 1, 3600),
	I("sync", "backoff_cap", sync_backoff_cap, 1, 86400),
	I("sync", "interval", sync_interval, 1, 86400),
	S("printer", "device", printer_device, K_DEVICE),
	I("printer", "baud", printer_baud, 300, 921600),
	{ "printer", "width", K_WIDTH, offsetof(struct config, printer_width), sizeof(int), 0, 0 },
	I("printer", "codepage", printer_codepage, 0, 255),
	S("printer", "bits", printer_bits, K_STRING),
	S("printer", "flow", printer_flow, K_FLOW),
	I("printer", "max_wait", printer_max_wait, 0, 604800),
	S("scanner", "device", scanner_device, K_DEVICE),
	I("scanner", "baud", scanner_baud, 300, 921600),
	S("display", "device", display_device, K_DISPLAY),
	I("display", "baud", display_baud, 300, 921600),
	{ "barcode", "weight", K_LAYOUT, offsetof(struct config, weight), 0, 0, 0 },
	I("rights", "cashier_discount", cashier_discount, 0, 100),
	I("rights", "manager_discount", manager_discount, 0, 100),
	{ "returns", "no_receipt_max", K_AMOUNT, offsetof(struct config, returns_no_receipt_max),
	    sizeof(int64_t), 0, 0 },
	{ "loyalty", "earn", K_PERCENT, offsetof(struct config, loyalty_earn_bp), sizeof(int),
	    0, 0 },
	{ "credit", "offline_cap", K_AMOUNT, offsetof(struct config, credit_offline_cap),
	    sizeof(int64_t), 0, 0 },
	S("fiscal", "mode", fiscal_mode, K_FISCAL_MODE),
	S("fiscal", "url", fiscal_url, K_URL),
	S("fiscal", "token", fiscal_token, K_SECRET),
	I("fiscal", "offline_days", fiscal_offline_days, 1, 365),
	I("fiscal", "wait", fiscal_wait, 0, 30),
};
#define NKEYS (sizeof keys / sizeof keys[0])

void
config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	snprintf(cfg->store, sizeof cfg->store, "kassa");
	snprintf(cfg->currency, sizeof cfg->currency, "UZS");
	cfg->lock_after_s = 5 * 60;
	cfg->sync_batch = 500;
	cfg->sync_backoff_base = 1;
	cfg->sync_backoff_cap = 300;
	cfg->sync_interval = 30;
	cfg->printer_baud = 19200;
	cfg->printer_width = 48;
	cfg->printer_codepage = 17;
	snprintf(cfg->printer_bits, sizeof cfg->printer_bits, "8N1");
	snprintf(cfg->printer_flow, sizeof cfg->printer_flow, "none");
	cfg->printer_max_wait = 900;
	cfg->scanner_baud = 9600;
	cfg->display_baud = 9600;
	barcode_layout_default(&cfg->weight);
	cfg->cashier_discount = 10;
	cfg->manager_discount = 100;
	snprintf(cfg->fiscal_mode, sizeof cfg->fiscal_mode, "none");
	cfg->fiscal_offline_days = 3;
	cfg->fiscal_wait = 2;
}

bool
config_fiscal(const struct config *cfg)
{
	return strcmp(cfg->fiscal_mode, "http") == 0;
}

static char *
trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' ||
	    end[-1] == '\n'))
		*--end = '\0';
	return s;
}

static bool
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The host part of an http(s) URL (after the scheme and any user@), into host. */
static void
url_host(const char *url, char *host, size_t size)
{
	const char *p = strstr(url, "://"), *end;
	size_t n;

	p = p != NULL ? p + 3 : url;
	end = p + strcspn(p, "/?#");
	for (const char *at = p; at < end; at++)
		if (*at == '@')
			p = at + 1;
	if (*p == '[') {
		p++;
		n = strcspn(p, "]");
	} else {
		n = strcspn(p, ":/?#");
	}
	if (n >= size)
		n = size - 1;
	memcpy(host, p, n);
	host[n] = '\0';
}

/* localhost, 127.0.0.0/8 or ::1: a connection that never leaves the machine. */
static bool
host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (strcasecmp(host, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

const char *
config_url_check(const char *url)
{
	const char *authority;
	char host[256];

	if (!has_prefix(url, "http://") && !has_prefix(url, "https://"))
		return "must start with https:// (http:// only to this machine: 127.0.0.1, ::1, "
		    "localhost)";
	url_host(url, host, sizeof host);
	if (host[0] == '\0')
		return "names no host";
	/* A password in the URL would be printed wherever the URL is (kassa status, errors). */
	authority = strstr(url, "://") + 3;
	if (memchr(authority, '@', strcspn(authority, "/?#")) != NULL)
		return "may not hold a user or password: give the secret as token";
	/* Over plain HTTP the bearer token and every sale travel in clear, and a man in the
	 * middle could answer that events were delivered. */
	if (has_prefix(url, "http://") && !host_is_loopback(host))
		return "must use https:// (plain http:// is only for this machine: 127.0.0.1, "
		    "::1, localhost), or the token and every sale would cross the network in clear";
	return NULL;
}

/* Whether a key that holds a secret has a value. */
static bool
holds_secret(const struct config *cfg)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (keys[i].type == K_SECRET && ((const char *)cfg + keys[i].offset)[0] != '\0')
			return true;
	return false;
}

/* Stores value into cfg for key k, or returns the reason it is bad. */
static const char *
set_value(struct config *cfg, const struct key *k, const char *value)
{
	char *field = (char *)cfg + k->offset;
	const char *why;
	char *end;
	long n;

	switch (k->type) {
	case K_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0')
			return "is not a whole number";
		if (n < k->lo || n > k->hi)
			return "is out of range";
		*(int *)(void *)field = (int)n;
		return NULL;
	case K_MINUTES:
		/* Minutes; "90s" in seconds (a short lock for a demo or a test). Kept as seconds. */
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || n < 0 || (*end != '\0' && strcmp(end, "s") != 0))
			return "is not a number of minutes (or of seconds with s: 90s)";
		if (*end == '\0') {
			if (n > k->hi)
				return "is out of range";
			n *= 60;
		} else if (n > k->hi * 60)
			return "is out of range";
		*(int *)(void *)field = (int)n;
		return NULL;
	case K_WIDTH:
		if (strcmp(value, "32") != 0 && strcmp(value, "42") != 0 &&
		    strcmp(value, "48") != 0)
			return "must be 32, 42 or 48 (characters per line)";
		*(int *)(void *)field = atoi(value);
		return NULL;
	case K_AMOUNT: {
		int64_t amount;

		if (money_parse(value, false, &amount, NULL) == -1)
			return "is not an amount like 50000 or 50000.50";
		memcpy(field, &amount, sizeof amount);
		return NULL;
	}
	case K_PERCENT: {
		int64_t bp;

		/* A percent reads like an amount: "1.5" is 150 hundredths, its basis points. */
		if (money_parse(value, false, &bp, NULL) == -1 || bp > 10000)
			return "is not a percent from 0 to 100 like 2 or 1.5";
		*(int *)(void *)field = (int)bp;
		return NULL;
	}
	case K_LAYOUT:
		if (barcode_layout_parse(value, (struct weight_layout *)(void *)field) == -1)
			return "is not a weight barcode layout like PPCCCCCWWWWWK (P prefix, C code, "
			    "W grams or $ price, K check digit)";
		return NULL;
	case K_URL:
		if (*value != '\0' && (why = config_url_check(value)) != NULL)
			return why;
		break;
	case K_DEVICE:
		if (*value != '\0' && !has_prefix(value, "serial:") &&
		    !has_prefix(value, "file:") && !has_prefix(value, "tcp:") &&
		    !has_prefix(value, "sim:") && strcmp(value, "none") != 0)
			return "must be serial:PATH, file:PATH, tcp:HOST:PORT, sim:PATH or none";
		if (strcmp(value, "none") == 0)
			value = "";
		break;
	case K_DISPLAY:
		/* The display is written from the till's own loop: a network one could hold the
		 * cashier up for seconds in connect() while it is down. */
		if (*value != '\0' && !has_prefix(value, "serial:") &&
		    !has_prefix(value, "file:") && !has_prefix(value, "sim:") &&
		    strcmp(value, "none") != 0)
			return "must be serial:PATH, file:PATH, sim:PATH or none";
		if (strcmp(value, "none") == 0)
			value = "";
		break;
	case K_LANGUAGE:
		if (strcmp(value, "uz") != 0 && strcmp(value, "ru") != 0 &&
		    strcmp(value, "en") != 0)
			return "must be uz, ru or en";
		break;
	case K_FLOW:
		/* libserialport has no DTR/DSR flow control on Linux (SP_ERR_SUPP at every open):
		 * refused here, with what to do, rather than a printer that never prints. */
		if (strcmp(value, "dtrdsr") == 0)
			return "is not available on Linux: set rtscts, with a cable that "
			    "takes the printer's DTR to the PC's CTS";
		if (strcmp(value, "none") != 0 && strcmp(value, "rtscts") != 0 &&
		    strcmp(value, "xonxoff") != 0)
			return "must be none, rtscts or xonxoff";
		break;
	case K_FISCAL_MODE:
		if (strcmp(value, "none") != 0 && strcmp(value, "http") != 0)
			return "must be none or http";
		break;
	case K_STRING:
	case K_SECRET:
		/* Text values (the store name above all: printed, and it may reach events)
		 * are UTF-8 on one line. */
		if (!text_valid_line(value))
			return "is not valid UTF-8 text on one line";
		break;
	}
	if (strlen(value) >= k->size)
		return "is too long";
	snprintf(field, k->size, "%s", value);
	return NULL;
}

static int
parse_file(FILE *f, const char *path, struct config *cfg, struct kerr *err)
{
	char line[2048], section[32] = "";
	long lineno = 0;

	while (fgets(line, sizeof line, f) != NULL) {
		char *s, *eq, *name, *value;
		const struct key *k = NULL;
		const char *why;
		size_t vlen;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f))
			return kerr_set(err, KERR_INPUT, "%s:%ld: line too long", path, lineno);
		s = trim(line);
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (close == NULL || *trim(close + 1) != '\0')
				return kerr_set(err, KERR_INPUT, "%s:%ld: bad section header '%s'",
				    path, lineno, s);
			*close = '\0';
			snprintf(section, sizeof section, "%s", trim(s + 1));
			for (size_t i = 0; i < NKEYS; i++) {
				if (strcmp(keys[i].section, section) == 0)
					k = &keys[i];
			}
			if (k == NULL)
				return kerr_set(err, KERR_INPUT, "%s:%ld: unknown section [%s]", path,
				    lineno, section);
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL)
			return kerr_set(err, KERR_INPUT, "%s:%ld: expected 'key = value', got '%s'",
			    path, lineno, s);
		*eq = '\0';
		name = trim(s);
		value = trim(eq + 1);
		vlen = strlen(value);
		if (vlen >= 2 && (value[0] == '"' || value[0] == '\'') && value[vlen - 1] == value[0]) {
			value[vlen - 1] = '\0';
			value++;
		}
		if (section[0] == '\0')
			return kerr_set(err, KERR_INPUT, "%s:%ld: key '%s' before any [section]", path,
			    lineno, name);
		for (size_t i = 0; i < NKEYS; i++) {
			if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0)
				k = &keys[i];
		}
		if (k == NULL)
			return kerr_set(err, KERR_INPUT, "%s:%ld: unknown key '%s' in [%s]", path,
			    lineno, name, section);
		why = set_value(cfg, k, value);
		/* A secret is never echoed, not even a bad one, nor a URL that may hold one. */
		if (why != NULL && (k->type == K_SECRET || (k->type == K_URL &&
		    strchr(value, '@') != NULL)))
			return kerr_set(err, KERR_INPUT, "%s:%ld: [%s] %s (not shown) %s", path,
			    lineno, section, name, why);
		if (why != NULL)
			return kerr_set(err, KERR_INPUT, "%s:%ld: [%s] %s = '%s' %s", path, lineno,
			    section, name, value, why);
	}
	if (ferror(f))
		return kerr_set(err, KERR_IO, "%s: read error", path);
	return 0;
}

int
config_load(const char *path, struct config *cfg, struct kerr *err)
{
	char buf[PATH_MAX];
	const char *env, *home;
	struct stat sb;
	bool named = path != NULL;
	FILE *f;
	int rc;

	config_defaults(cfg);
	if (path == NULL && (env = getenv("KASSA_CONFIG")) != NULL && *env != '\0') {
		path = env;
		named = true;
	}
	if (path == NULL) {
		env = getenv("XDG_CONFIG_HOME");
		home = getenv("HOME");
		if (env != NULL && *env != '\0')
			snprintf(buf, sizeof buf, "%s/kassa/kassa.conf", env);
		else if (home != NULL && *home != '\0')
			snprintf(buf, sizeof buf, "%s/.config/kassa/kassa.conf", home);
		else
			buf[0] = '\0';
		path = buf;
		if (buf[0] == '\0' || access(buf, F_OK) == -1)
			path = "/etc/kassa/kassa.conf";
	}
	f = fopen(path, "re");
	if (f == NULL) {
		if (!named && errno == ENOENT)
			return 0;	/* no config at all: the defaults serve */
		return kerr_set(err, KERR_INPUT, "cannot read config %s: %s", path,
		    strerror(errno));
	}
	rc = parse_file(f, path, cfg, err);
	/* Whoever owns it (root's 0644 /etc/kassa/kassa.conf too): a token that others can
	 * read is a token others can use, and a file others can write can send the till's
	 * sales elsewhere. */
	if (rc == 0 && holds_secret(cfg) && fstat(fileno(f), &sb) == -1)
		rc = kerr_set(err, KERR_IO, "%s: %s", path, strerror(errno));
	else if (rc == 0 && holds_secret(cfg) && (sb.st_mode & 0077) != 0)
		rc = kerr_set(err, KERR_INPUT, "%s holds a token but its group or others may read "
		    "or change it (mode %03o): chmod 600 %s (and chown it to the user the till "
		    "runs as)", path, (unsigned)(sb.st_mode & 0777), path);
	fclose(f);
	/* Fiscal mode without a gateway would queue documents that can never leave. */
	if (rc == 0 && config_fiscal(cfg) && cfg->fiscal_url[0] == '\0')
		rc = kerr_set(err, KERR_INPUT, "%s: [fiscal] mode = http needs url (the fiscal "
		    "gateway, https://...)", path);
	/* Only for messages: a path too long to keep is left out. */
	if (rc == 0 && snprintf(cfg->path, sizeof cfg->path, "%s", path) >= (int)sizeof cfg->path)
		cfg->path[0] = '\0';
	return rc;
}

char *
config_db_path(const char *explicit_path, struct kerr *err)
{
	const char *env = getenv("KASSA_DB"), *data, *home;
	char dir[PATH_MAX];

	if (explicit_path != NULL && *explicit_path != '\0')
		return xstrdup(explicit_path);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	data = getenv("XDG_DATA_HOME");
	home = getenv("HOME");
	if (data != NULL && *data != '\0')
		snprintf(dir, sizeof dir, "%s/kassa", data);
	else if (home != NULL && *home != '\0')
		snprintf(dir, sizeof dir, "%s/.local/share/kassa", home);
	else {
		kerr_set(err, KERR_INPUT, "no database path: set HOME, XDG_DATA_HOME or KASSA_DB, "
		    "or give -d PATH");
		return NULL;
	}
	/* mkdir -p, owner only */
	for (char *p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		kerr_set(err, KERR_IO, "cannot create %s: %s", dir, strerror(errno));
		return NULL;
	}
	return xasprintf("%s/kassa.db", dir);
}
