/*
 * hub-db.c: the hub's tables on top of the till's schema, and device tokens (stored only as
 * SHA-256 hashes: a stolen hub database gives no till's token away).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "hub-int.h"
#include "xalloc.h"

static const char hub_schema[] =
	"CREATE TABLE IF NOT EXISTS hub_devices ("
	"  device_id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS hub_events ("
	"  device_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE,"
	"  type TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL, prev_hash TEXT NOT NULL,"
	"  hash TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('accepted', 'rejected')),"
	"  error TEXT, received_at TEXT NOT NULL, PRIMARY KEY (device_id, seq));"
	"CREATE INDEX IF NOT EXISTS hub_events_type ON hub_events(type, at);";

int
hub_db_open(struct hub *h, const char *path, struct kerr *err)
{
	h->st = store_open(path, STORE_CREATE, err);
	if (h->st == NULL)
		return -1;
	if (sqlite3_exec(store_db(h->st), hub_schema, NULL, NULL, NULL) != SQLITE_OK)
		return store_error(h->st, err, "creating the hub's tables");
	return 0;
}

static void
sha256_hex(const char *s, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	EVP_Digest(s, strlen(s), md, &len, EVP_sha256(), NULL);
	for (unsigned int i = 0; i < len && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[64] = '\0';
}

char *
hub_device_for_token(struct hub *h, const char *token)
{
	char digest[65], *device = NULL;
	sqlite3_stmt *q;

	if (token == NULL || *token == '\0')
		return NULL;
	sha256_hex(token, digest);
	if (sqlite3_prepare_v2(store_db(h->st), "SELECT device_id FROM hub_devices WHERE "
	    "token_sha256 = ?1", -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(q, 1, digest, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		device = xstrdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return device;
}

int
hub_token_add(struct hub *h, const char *device, char *token_out, size_t size,
    struct kerr *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[24];
	char token[49], digest[65], now[32];
	sqlite3_stmt *q;
	int rc;

	if (device == NULL || *device == '\0' || strlen(device) > 64)
		return kerr_set(err, KERR_INPUT, "a device id is 1 to 64 characters");
	if (RAND_bytes(raw, sizeof raw) != 1)
		return kerr_set(err, KERR_INTERNAL, "no randomness for a token");
	for (size_t i = 0; i < sizeof raw; i++) {
		token[2 * i] = hex[raw[i] >> 4];
		token[2 * i + 1] = hex[raw[i] & 0xf];
	}
	token[48] = '\0';
	sha256_hex(token, digest);
	if (sqlite3_prepare_v2(store_db(h->st), "INSERT INTO hub_devices(device_id, token_sha256, "
	    "created_at) VALUES (?1, ?2, ?3) ON CONFLICT(device_id) DO UPDATE SET token_sha256 = "
	    "excluded.token_sha256", -1, &q, NULL) != SQLITE_OK)
		return store_error(h->st, err, "adding the token");
	sqlite3_bind_text(q, 1, device, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(h->st, err, "adding the token");
	snprintf(token_out, size, "%s", token);
	return 0;
}
