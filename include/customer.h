/*
 * customer: shop customers (loyalty cards), read at the till, flowing down from upstream
 * (last-write-wins by updated_at).
 */
#ifndef KASSA_CUSTOMER_H
#define KASSA_CUSTOMER_H

#include <stdint.h>

#include "kerr.h"
#include "store.h"

struct customer {
	int64_t id;
	char key[64];
	char name[256];
	char phone[32];
	char card[48];
};

/* Finds customers by card number, phone (digits, any suffix) or name (prefix, any word).
 * Fills up to max into out; returns the count or -1. */
int customer_search(store *st, const char *query, struct customer *out, int max,
    struct kerr *err);

/* Inserts or updates by key unless the stored updated_at is later (last-write-wins; an equal
 * time applies); deleted marks it gone. updated_at is any RFC 3339 time, stored in the
 * canonical UTC form (timestamp.h); another string is KERR_INPUT. Must run inside a
 * transaction. */
int customer_upsert(store *st, const struct customer *c, const char *updated_at, int deleted,
    struct kerr *err);

#endif
