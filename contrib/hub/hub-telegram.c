/*
 * hub-telegram.c: the shop owner's notifications on Telegram, through the Bot API
 * (`POST {api}/bot{token}/sendMessage` with `chat_id` and `text`). What is worth a message:
 * a shift closed (its Z summary and the cash variance), a product out of stock (stock.low), a
 * big discount approved (approval.granted for discount_big), a return without a receipt
 * (sale.returned with no_receipt), and a till silent for longer than [telegram] silent_after.
 *
 * A message is written in the store's language ([telegram] language: en, ru, uz) when its event
 * is stored, into hub_telegram in the same transaction, keyed by the event's id (a silence by
 * the till and its last event), so an event sent again by a till never makes a second message.
 * A sender thread with its own database connection posts what is due: 2xx with "ok": true marks
 * it sent and it is never sent again; 429 waits parameters.retry_after seconds (or Retry-After);
 * 5xx, time-outs and connection errors back off exponentially with full jitter (capped at 5
 * minutes); any other 4xx (a bad chat_id, a revoked token) marks it failed with Telegram's
 * description and it is not resent.
 *
 * The settings come from an INI file (--telegram FILE; it holds the bot's token, so it must not
 * be readable by others):
 *   [telegram]
 *   token = 123456:ABC...        chat_id = -1001234567890      language = en|ru|uz
 *   api = https://api.telegram.org   (tests point it at a local server)
 *   silent_after = 30m           (s, m or h; 0 or absent: off)
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "hub-int.h"
#include "money.h"
#include "timestamp.h"
#include "xalloc.h"

#define BACKOFF_CAP 300

enum msg { MSG_SHIFT, MSG_LOW, MSG_DISCOUNT, MSG_RETURN, MSG_SILENT, MSG_COUNT };

/* The templates: {N} is the N-th argument (formatted before), so a language may order them as
 * it needs. shift: till, number, user, sales count, sales total, refunds, expected, counted,
 * variance. low: till, product, stock. discount: till, approver, cashier. return: till,
 * return number, total, approver. silent: till, last time (local). */
static const char *const templates[3][MSG_COUNT] = {
	{	/* en */
		"{1}: shift {2} closed by {3}\nSales: {4}, {5}\nRefunds: {6}\n"
		    "Cash expected {7}, counted {8}, variance {9}",
		"{1}: {2} is out of stock ({3} left)",
		"{1}: {2} approved a big discount for {3}",
		"{1}: return {2} without a receipt, {3}, approved by {4}",
		"{1} has been silent since {2}",
	},
	{	/* ru */
		"{1}: смена {2} закрыта, кассир {3}\nПродажи: {4}, на сумму {5}\nВозвраты: {6}\n"
		    "Наличные: ожидалось {7}, пересчитано {8}, расхождение {9}",
		"{1}: товар «{2}» закончился (остаток {3})",
		"{1}: {2} одобрил(а) большую скидку кассиру {3}",
		"{1}: возврат {2} без чека на {3}, одобрил(а) {4}",
		"{1} молчит с {2}",
	},
	{	/* uz */
		"{1}: {2}-smena yopildi, kassir {3}\nSotuvlar: {4} ta, {5}\nQaytarishlar: {6}\n"
		    "Naqd pul: kutilgan {7}, sanalgan {8}, farq {9}",
		"{1}: «{2}» tugadi (qoldiq {3})",
		"{1}: {2} katta chegirmani tasdiqladi, kassir {3}",
		"{1}: cheksiz qaytarish {2}, {3}, tasdiqladi {4}",
		"{1} {2} dan beri jim",
	},
};

/* The template with {1}..{9} replaced by args[0..8] (caller frees). */
static char *
render(const char *tmpl, const char *const *args, int n)
{
	size_t len = 1;
	const char *p;
	char *out, *o;

	for (p = tmpl; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}' && p[1] - '1' < n) {
			len += strlen(args[p[1] - '1']);
			p += 2;
		} else
			len++;
	}
	out = o = xmalloc(len);
	for (p = tmpl; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] >= '1' && p[1] <= '9' && p[2] == '}' && p[1] - '1' < n) {
			size_t k = strlen(args[p[1] - '1']);

			memcpy(o, args[p[1] - '1'], k);
			o += k;
			p += 2;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

static const char *const currency[3] = { "so'm", "сум", "so'm" };

static int
lang_index(const struct hub *h)
{
	if (strcmp(h->tg_language, "ru") == 0)
		return 1;
	if (strcmp(h->tg_language, "uz") == 0)
		return 2;
	return 0;
}

/* Trims spaces at both ends, in place. */
static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* "30m", "90s", "2h", "45" (seconds) into seconds; -1 when it is none of them. */
static long
parse_duration(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v < 0)
		return -1;
	if (*end == 'h')
		v *= 3600, end++;
	else if (*end == 'm')
		v *= 60, end++;
	else if (*end == 's')
		end++;
	return *end == '\0' ? v : -1;
}

int
hub_telegram_load(struct hub *h, const char *path, struct kerr *err)
{
	char line[1024], section[64] = "";
	struct stat sb;
	int lineno = 0;
	FILE *f;

	snprintf(h->tg_api, sizeof h->tg_api, "https://api.telegram.org");
	snprintf(h->tg_language, sizeof h->tg_language, "en");
	if ((f = fopen(path, "r")) == NULL)
		return kerr_set(err, KERR_IO, "%s: %s", path, strerror(errno));
	/* It holds the bot's token: as the till refuses a kassa.conf others can read. */
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077) != 0) {
		fclose(f);
		return kerr_set(err, KERR_INPUT, "%s holds the bot's token: make it readable by the "
		    "hub alone (chmod 600 %s)", path, path);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		char *s = trim(line), *eq, *key, *val;

		lineno++;
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (close == NULL || close[1] != '\0')
				goto bad;
			*close = '\0';
			snprintf(section, sizeof section, "%s", trim(s + 1));
			continue;
		}
		if ((eq = strchr(s, '=')) == NULL)
			goto bad;
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (strcmp(section, "telegram") != 0) {
			fclose(f);
			return kerr_set(err, KERR_INPUT, "%s:%d: %s: only a [telegram] section is read "
			    "here", path, lineno, key);
		}
		if (strcmp(key, "token") == 0 && *val != '\0' && strlen(val) < sizeof h->tg_token)
			snprintf(h->tg_token, sizeof h->tg_token, "%s", val);
		else if (strcmp(key, "chat_id") == 0 && *val != '\0' &&
		    strlen(val) < sizeof h->tg_chat)
			snprintf(h->tg_chat, sizeof h->tg_chat, "%s", val);
		else if (strcmp(key, "api") == 0 && (strncmp(val, "https://", 8) == 0 ||
		    strncmp(val, "http://", 7) == 0) && strlen(val) < sizeof h->tg_api)
			snprintf(h->tg_api, sizeof h->tg_api, "%s", val);
		else if (strcmp(key, "language") == 0 && (strcmp(val, "en") == 0 ||
		    strcmp(val, "ru") == 0 || strcmp(val, "uz") == 0))
			snprintf(h->tg_language, sizeof h->tg_language, "%s", val);
		else if (strcmp(key, "silent_after") == 0 && parse_duration(val) >= 0)
			h->tg_silent_after = parse_duration(val);
		else {
			fclose(f);
			return kerr_set(err, KERR_INPUT, "%s:%d: %s: unknown key or bad value", path,
			    lineno, key);
		}
	}
	fclose(f);
	if (h->tg_token[0] == '\0' || h->tg_chat[0] == '\0')
		return kerr_set(err, KERR_INPUT, "%s: [telegram] needs token and chat_id", path);
	/* The base without a trailing slash: {api}/bot{token}/sendMessage. */
	while (h->tg_api[0] != '\0' && h->tg_api[strlen(h->tg_api) - 1] == '/')
		h->tg_api[strlen(h->tg_api) - 1] = '\0';
	h->tg_on = true;
	return 0;
bad:
	fclose(f);
	return kerr_set(err, KERR_INPUT, "%s:%d: not a [section] nor a key = value line", path,
	    lineno);
}

static const char *
jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "-";
}

static const char *
jmoney(json_t *o, const char *key, int lang, char *buf, size_t size)
{
	char b[40];

	snprintf(buf, size, "%s %s", money_format((money_t)json_integer_value(json_object_get(o,
	    key)), b, sizeof b), currency[lang]);
	return buf;
}

/* The message text for an event, or NULL when it is not worth one (caller frees). */
static char *
message_for(const struct hub *h, const char *device, const char *type, json_t *p)
{
	int lang = lang_index(h);
	char a[64], b[64], c[64], d[64], e[64], n1[32], n2[32], *text = NULL;

	if (strcmp(type, "shift.closed") == 0) {
		snprintf(n1, sizeof n1, "%lld", (long long)json_integer_value(json_object_get(p,
		    "number")));
		snprintf(n2, sizeof n2, "%lld", (long long)json_integer_value(json_object_get(p,
		    "sales")));
		{
			const char *args[9] = { device, n1, jstr(p, "user"), n2, jmoney(p, "total",
			    lang, a, sizeof a), jmoney(p, "refunds_total", lang, b, sizeof b),
			    jmoney(p, "expected", lang, c, sizeof c), jmoney(p, "counted", lang, d,
			    sizeof d), jmoney(p, "variance", lang, e, sizeof e) };

			text = render(templates[lang][MSG_SHIFT], args, 9);
		}
	} else if (strcmp(type, "stock.low") == 0) {
		qty_format((qty_t)json_integer_value(json_object_get(p, "stock")), false, n1,
		    sizeof n1);
		{
			const char *args[3] = { device, jstr(p, "name"), n1 };

			text = render(templates[lang][MSG_LOW], args, 3);
		}
	} else if (strcmp(type, "approval.granted") == 0 &&
	    strcmp(jstr(p, "right"), "discount_big") == 0) {
		const char *args[3] = { device, jstr(p, "approver"), jstr(p, "user") };

		text = render(templates[lang][MSG_DISCOUNT], args, 3);
	} else if (strcmp(type, "sale.returned") == 0 &&
	    json_is_true(json_object_get(p, "no_receipt"))) {
		snprintf(n1, sizeof n1, "R%lld", (long long)json_integer_value(json_object_get(p,
		    "number")));
		const char *args[4] = { device, n1, jmoney(p, "total", lang, a, sizeof a),
		    jstr(p, "approver") };

		text = render(templates[lang][MSG_RETURN], args, 4);
	}
	return text;
}

static int
queue_text(struct hub *h, const char *key, const char *text, struct kerr *err)
{
	const char *params[2] = { key, text };

	return hub_sql(h, "INSERT INTO hub_telegram(key, text) VALUES ($1, $2) ON CONFLICT (key) "
	    "DO NOTHING", 2, params, NULL, err);
}

int
hub_telegram_queue(struct hub *h, const char *device, const char *event_id, const char *type,
    const char *payload, struct kerr *err)
{
	json_error_t jerr;
	json_t *p;
	char *text;
	int rc = 0;

	if (!h->tg_on)
		return 0;
	if ((p = json_loads(payload, 0, &jerr)) == NULL)
		return 0;
	if ((text = message_for(h, device, type, p)) != NULL)
		rc = queue_text(h, event_id, text, err);
	free(text);
	json_decref(p);
	return rc;
}

/* A till whose last event arrived longer than silent_after ago: one message per silence (the
 * key names its last event, so the next silence, after it spoke again, gets its own). */
static void
queue_silences(struct hub *h)
{
	time_t cut = time(NULL) - h->tg_silent_after;
	char cutoff[32], key[160], when[TIMESTAMP_LOCAL_SIZE + 8];
	const char *params[1] = { cutoff };
	struct hub_rows r;
	struct kerr err;
	struct tm tm;

	if (h->tg_silent_after <= 0 || gmtime_r(&cut, &tm) == NULL)
		return;
	strftime(cutoff, sizeof cutoff, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	if (hub_sql(h, "SELECT device_id, max(received_at) FROM hub_events GROUP BY device_id "
	    "HAVING max(received_at) < $1", 1, params, &r, &err) == -1)
		return;
	for (int i = 0; i < r.nrows; i++) {
		const char *args[2] = { hub_cell(&r, i, 0), timestamp_local(hub_cell(&r, i, 1),
		    when, sizeof when) };
		char *text = render(templates[lang_index(h)][MSG_SILENT], args, 2);

		snprintf(key, sizeof key, "silent:%s:%s", hub_cell(&r, i, 0), hub_cell(&r, i, 1));
		queue_text(h, key, text, &err);
		free(text);
	}
	hub_rows_free(&r);
}

struct reply {
	char buf[4096];
	size_t len;
};

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	struct reply *r = arg;
	size_t len = size * n, room = sizeof r->buf - 1 - r->len;

	memcpy(r->buf + r->len, p, len < room ? len : room);
	r->len += len < room ? len : room;
	r->buf[r->len] = '\0';
	return len;
}

enum outcome { SENT, RETRY, FAILED };

/* Posts one message; *retry_after in seconds when Telegram said how long to wait. */
static enum outcome
post(const struct hub *h, CURL *curl, const char *text, long *retry_after, char *why,
    size_t size)
{
	struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
	json_t *body = json_pack("{s:s, s:s}", "chat_id", h->tg_chat, "text", text);
	char *json = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	struct reply rep = { .len = 0 };
	curl_off_t ra = 0;
	long status = 0;
	char *url = NULL;
	json_t *ans = NULL;
	CURLcode rc;
	enum outcome out = RETRY;

	*retry_after = 0;
	rep.buf[0] = '\0';
	url = xasprintf("%s/bot%s/sendMessage", h->tg_api, h->tg_token);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json != NULL ? json : "{}");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &rep);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(curl);
	curl_slist_free_all(hd);
	free(json);
	json_decref(body);
	/* The token is in the URL: never in a message. */
	free(url);
	if (rc != CURLE_OK) {
		snprintf(why, size, "%s", curl_easy_strerror(rc));
		return RETRY;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
		*retry_after = (long)ra;
	ans = json_loads(rep.buf, 0, NULL);
	{
		json_t *params = json_object_get(ans, "parameters");
		json_int_t v = json_integer_value(json_object_get(params, "retry_after"));

		if (v > 0)
			*retry_after = (long)v;
	}
	if (status >= 200 && status < 300 && json_is_true(json_object_get(ans, "ok")))
		out = SENT;
	else if (status == 429 || status >= 500 || (status >= 200 && status < 300))
		out = RETRY;
	else
		out = FAILED;
	if (out != SENT) {
		const char *desc = json_string_value(json_object_get(ans, "description"));

		snprintf(why, size, "HTTP %ld%s%s", status, desc != NULL ? ": " : "",
		    desc != NULL ? desc : "");
	}
	json_decref(ans);
	return out;
}

/* Sends what is due; returns the seconds until the next one is due. */
static long
send_due(struct hub *h, CURL *curl)
{
	long now = (long)time(NULL), next = 2;
	struct hub_rows r;
	struct kerr err;
	char why[512];

	queue_silences(h);
	if (hub_sql(h, "SELECT id, text, attempts, next_at FROM hub_telegram WHERE state = "
	    "'pending' ORDER BY id LIMIT 20", 0, NULL, &r, &err) == -1) {
		hub_db_reconnected(h);
		return 5;
	}
	for (int i = 0; i < r.nrows; i++) {
		long due = atol(hub_cell(&r, i, 3)), retry_after, wait, ceiling = 1;
		int attempts = atoi(hub_cell(&r, i, 2));
		char next_at[24], stamp[32];
		const char *params[3] = { hub_cell(&r, i, 0), next_at, why };
		enum outcome out;

		if (due > now) {
			if (due - now < next)
				next = due - now;
			continue;
		}
		out = post(h, curl, hub_cell(&r, i, 1), &retry_after, why, sizeof why);
		if (out == SENT) {
			params[1] = store_now(stamp, sizeof stamp);
			hub_sql(h, "UPDATE hub_telegram SET state = 'sent', attempts = attempts + 1, "
			    "sent_at = $2, error = NULL WHERE id = $1", 2, params, NULL, &err);
			continue;
		}
		if (out == FAILED) {
			fprintf(stderr, "kassa-hub: telegram: message %s refused: %s\n",
			    hub_cell(&r, i, 0), why);
			hub_sql(h, "UPDATE hub_telegram SET state = 'failed', attempts = attempts + 1, "
			    "error = $3 WHERE id = $1", 3, params, NULL, &err);
			continue;
		}
		for (int k = 0; k < attempts && ceiling < BACKOFF_CAP; k++)
			ceiling *= 2;
		if (ceiling > BACKOFF_CAP)
			ceiling = BACKOFF_CAP;
		wait = 1 + random() % ceiling;	/* full jitter */
		if (retry_after > 0)
			wait = retry_after;	/* Telegram says when: not sooner, not later */
		snprintf(next_at, sizeof next_at, "%ld", now + wait);
		hub_sql(h, "UPDATE hub_telegram SET attempts = attempts + 1, next_at = $2, error = $3 "
		    "WHERE id = $1", 3, params, NULL, &err);
		if (wait < next)
			next = wait;
		/* The rest wait with it: a 429 is for the whole bot, not this message. */
		if (retry_after > 0)
			break;
	}
	hub_rows_free(&r);
	return next > 0 ? next : 1;
}

static void *
sender(void *arg)
{
	struct hub *h = arg, mine = *h;		/* the same settings, a connection of its own */
	struct kerr err;
	CURL *curl = curl_easy_init();

	if (hub_db_connect(&mine, h->db_path, &err) == -1 || curl == NULL) {
		fprintf(stderr, "kassa-hub: telegram sender: %s\n", curl == NULL ?
		    "cannot start libcurl" : err.msg);
		if (curl != NULL)
			curl_easy_cleanup(curl);
		return NULL;
	}
	while (!h->stopping) {
		long next = send_due(&mine, curl);

		for (long i = 0; i < next * 10 && !h->stopping; i++)
			usleep(100 * 1000);
	}
	curl_easy_cleanup(curl);
	hub_db_close(&mine);
	return NULL;
}

int
hub_telegram_start(struct hub *h, struct kerr *err)
{
	if (!h->tg_on)
		return 0;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	srandom((unsigned)time(NULL));
	if (pthread_create(&h->tg_thread, NULL, sender, h) != 0)
		return kerr_set(err, KERR_INTERNAL, "cannot start the telegram sender");
	h->tg_running = true;
	return 0;
}

void
hub_telegram_stop(struct hub *h)
{
	if (!h->tg_running)
		return;
	h->stopping = 1;
	pthread_join(h->tg_thread, NULL);
	h->tg_running = false;
	curl_global_cleanup();
}
