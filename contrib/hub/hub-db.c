/*
 * hub-db.c: device tokens, stored only as SHA-256 hashes: a stolen hub database gives no
 * till's token away.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "hub-int.h"
#include "xalloc.h"

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

int
hub_device_for_token(struct hub *h, const char *token, char **device, struct kerr *err)
{
	char digest[65];
	const char *params[1] = { digest };
	struct hub_rows r;

	*device = NULL;
	if (token == NULL || *token == '\0')
		return 0;
	sha256_hex(token, digest);
	if (hub_sql(h, "SELECT device_id FROM hub_devices WHERE token_sha256 = $1", 1, params, &r,
	    err) == -1)
		return -1;
	if (r.nrows == 1 && hub_cell(&r, 0, 0) != NULL)
		*device = xstrdup(hub_cell(&r, 0, 0));
	hub_rows_free(&r);
	return 0;
}

int
hub_token_add(struct hub *h, const char *device, char *token_out, size_t size,
    struct kerr *err)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[24];
	char token[49], digest[65], now[32];
	const char *params[3] = { device, digest, now };

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
	store_now(now, sizeof now);
	if (hub_sql(h, "INSERT INTO hub_devices(device_id, token_sha256, created_at) VALUES ($1, "
	    "$2, $3) ON CONFLICT (device_id) DO UPDATE SET token_sha256 = excluded.token_sha256",
	    3, params, NULL, err) == -1)
		return -1;
	snprintf(token_out, size, "%s", token);
	return 0;
}
