/*
 * journal: the append-only, hash-chained log of every financial fact, and its outbox.
 *
 * An event is appended inside the caller's transaction together with the state it describes,
 * so the journal, the outbox and the derived tables can never disagree after a crash. The
 * events table refuses UPDATE and DELETE (triggers in schema.sql); journal_verify recomputes
 * the chain so a support engineer can prove nothing was edited.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "core-int.h"
#include "i18n.h"
#include "journal.h"
#include "text.h"
#include "xalloc.h"

/* True when every number in the JSON text json is an integer: outside strings, no '.' and no
 * exponent after a digit (SQLite writes a REAL, or an integer sum that overflowed, that way). */
static bool
integers_only(const char *json)
{
	bool in_string = false;

	for (const char *p = json; *p != '\0'; p++) {
		if (in_string) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				in_string = false;
		} else if (*p == '"') {
			in_string = true;
		} else if (*p == '.' || ((*p == 'e' || *p == 'E') && p > json &&
		    isdigit((unsigned char)p[-1]))) {
			return false;
		}
	}
	return true;
}

static const char zero_hash[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

void
journal_hash(const char *prev_hash, const char *id, int64_t seq, const char *type,
    const char *at, const char *payload, char out[JOURNAL_HASH_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char seqbuf[24];
	EVP_MD_CTX *ctx;

	snprintf(seqbuf, sizeof seqbuf, "%" PRId64, seq);
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		fatal("out of memory hashing an event");
	/* The canonical content: the fields joined by newlines, in this order (include/journal.h). */
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, prev_hash, strlen(prev_hash));
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, id, strlen(id));
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, seqbuf, strlen(seqbuf));
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, type, strlen(type));
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, at, strlen(at));
	EVP_DigestUpdate(ctx, "\n", 1);
	EVP_DigestUpdate(ctx, payload, strlen(payload));
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	for (unsigned int i = 0; i < mdlen && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

int
journal_head(store *st, int64_t *seq, char hash[JOURNAL_HASH_HEX], struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	q = store_cached(st, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1");
	if (q == NULL)
		return store_error(st, err, N_("reading the journal"));
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(q, 0);
		core_text(q, 1, hash, JOURNAL_HASH_HEX);
	} else if (rc == SQLITE_DONE) {
		*seq = 0;
		memcpy(hash, zero_hash, JOURNAL_HASH_HEX);
	}
	store_release(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("reading the journal"));
	return 0;
}

int
journal_append(store *st, const char *type, const char *payload, int64_t *seq_out,
    struct kerr *err)
{
	char prev[JOURNAL_HASH_HEX], hash[JOURNAL_HASH_HEX], id[40], at[32];
	sqlite3_stmt *q = NULL;
	int64_t seq;

	if (!store_in_tx(st))
		return kerr_set(err, KERR_INTERNAL, "journal: %s appended outside a transaction",
		    type);
	/* Only canonical JSON objects are chained; anything else is a bug in the caller. */
	q = store_cached(st, "SELECT json_valid(?1) AND json_type(?1) = 'object'");
	if (q == NULL)
		return store_error(st, err, N_("checking an event"));
	sqlite3_bind_text(q, 1, payload, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int(q, 0) != 1) {
		store_release(q);
		return kerr_set(err, KERR_INTERNAL, "journal: %s payload is not a JSON object",
		    type);
	}
	store_release(q);
	/* Defence in depth: whatever entered the till unchecked must not reach the chain, whose
	 * canonical form (and the hub) is UTF-8 with integers only. */
	if (!text_valid_utf8(payload))
		return kerr_set(err, KERR_INPUT, "journal: %s payload is not valid UTF-8: "
		    "nothing was saved", type);
	if (!integers_only(payload))
		return kerr_set(err, KERR_INPUT, "journal: %s payload holds a number that is not "
		    "an integer (too large?): nothing was saved", type);

	if (journal_head(st, &seq, prev, err) == -1)
		return -1;
	seq++;
	store_uuid(id);
	store_now(at, sizeof at);
	journal_hash(prev, id, seq, type, at, payload, hash);

	q = store_cached(st, "INSERT INTO events(seq, id, type, at, payload, prev_hash, hash) "
	    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	if (q == NULL)
		return store_error(st, err, N_("writing an event"));
	sqlite3_bind_int64(q, 1, seq);
	sqlite3_bind_text(q, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, at, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, payload, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_release(q);
		return store_error(st, err, N_("writing an event"));
	}
	store_release(q);

	q = store_cached(st, "INSERT INTO outbox(seq, state, updated_at) VALUES (?1, 'pending', "
	    "?2)");
	if (q == NULL)
		return store_error(st, err, N_("queueing an event"));
	sqlite3_bind_int64(q, 1, seq);
	sqlite3_bind_text(q, 2, at, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		store_release(q);
		return store_error(st, err, N_("queueing an event"));
	}
	store_release(q);
	if (seq_out != NULL)
		*seq_out = seq;
	return 0;
}

int
journal_append_sql(store *st, const char *type, const char *payload_sql, int64_t a,
    int64_t b, int64_t *seq, struct kerr *err)
{
	return journal_append_bind(st, type, payload_sql, a, b, 0, NULL, seq, err);
}

int
journal_append_bind(store *st, const char *type, const char *payload_sql, int64_t a,
    int64_t b, int64_t c, const char *text, int64_t *seq, struct kerr *err)
{
	sqlite3_stmt *q = store_cached(st, payload_sql);
	char *payload;
	int rc, n;

	if (q == NULL)
		return store_error(st, err, N_("building an event"));
	n = sqlite3_bind_parameter_count(q);
	if (n >= 1)
		sqlite3_bind_int64(q, 1, a);
	if (n >= 2 && b != 0)
		sqlite3_bind_int64(q, 2, b);
	if (n >= 3 && c != 0)
		sqlite3_bind_int64(q, 3, c);
	if (n >= 4 && text != NULL)
		sqlite3_bind_text(q, 4, text, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW || sqlite3_column_text(q, 0) == NULL) {
		store_release(q);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			return kerr_set(err, KERR_INTERNAL, "journal: %s payload query gave no row",
			    type);
		return store_error(st, err, N_("building an event"));
	}
	payload = xstrdup((const char *)sqlite3_column_text(q, 0));
	store_release(q);
	rc = journal_append(st, type, payload, seq, err);
	free(payload);
	return rc;
}

int
journal_verify(store *st, int64_t *count, int64_t *bad_seq, struct kerr *err)
{
	char prev[JOURNAL_HASH_HEX], hash[JOURNAL_HASH_HEX];
	sqlite3_stmt *q;
	int64_t expect = 1, n = 0;
	int rc, result = 0;

	*bad_seq = 0;
	memcpy(prev, zero_hash, JOURNAL_HASH_HEX);
	if (sqlite3_prepare_v2(store_db(st), "SELECT seq, id, type, at, payload, prev_hash, hash "
	    "FROM events ORDER BY seq", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading the journal"));
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t seq = sqlite3_column_int64(q, 0);
		const char *id = (const char *)sqlite3_column_text(q, 1);
		const char *type = (const char *)sqlite3_column_text(q, 2);
		const char *at = (const char *)sqlite3_column_text(q, 3);
		const char *payload = (const char *)sqlite3_column_text(q, 4);
		const char *stored_prev = (const char *)sqlite3_column_text(q, 5);
		const char *stored = (const char *)sqlite3_column_text(q, 6);

		if (id == NULL || type == NULL || at == NULL || payload == NULL ||
		    stored_prev == NULL || stored == NULL) {
			*bad_seq = seq;
			kerr_set(err, KERR_IO, "event %" PRId64 " has an empty field", seq);
			result = -1;
			break;
		}
		if (seq != expect) {
			*bad_seq = expect;
			kerr_set(err, KERR_IO, "event %" PRId64 " is missing (the next is %" PRId64
			    ")", expect, seq);
			result = -1;
			break;
		}
		if (strcmp(stored_prev, prev) != 0) {
			*bad_seq = seq;
			kerr_set(err, KERR_IO, "event %" PRId64 " (%s, id %s) does not link to the "
			    "event before it", seq, type, id);
			result = -1;
			break;
		}
		journal_hash(prev, id, seq, type, at, payload, hash);
		if (strcmp(hash, stored) != 0) {
			*bad_seq = seq;
			kerr_set(err, KERR_IO, "event %" PRId64 " (%s, id %s) does not match its "
			    "hash", seq, type, id);
			result = -1;
			break;
		}
		memcpy(prev, stored, JOURNAL_HASH_HEX);
		expect++;
		n++;
	}
	if (result == 0 && rc != SQLITE_DONE) {
		sqlite3_finalize(q);
		return store_error(st, err, N_("reading the journal"));
	}
	sqlite3_finalize(q);
	if (count != NULL)
		*count = n;
	/* Events deleted from the end leave a chain that holds: the hub's word says more. */
	if (result == 0)
		result = journal_check_acked(st, n, bad_seq, err);
	return result;
}

char *
journal_device_id(store *st)
{
	return store_meta_get(st, "device_id");
}
