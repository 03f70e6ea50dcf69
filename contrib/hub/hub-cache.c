/*
 * hub-cache.c: /v1/changes pages kept by their request (cursor and limit) for one change
 * generation, so a fleet of tills polling an unchanged catalogue costs a lookup of the change
 * counter per request instead of a query and a JSON page each.
 *
 * A page depends only on the changes numbered after the cursor, and every change takes the
 * next number of the counter (hub_next_change_seq), so while the counter stands still a page
 * stays right. A page asked for at a newer generation empties the cache: whatever publishes
 * (an import, another hub process on the same PostgreSQL database, any entity of the feed)
 * invalidates it by moving the counter. Bounded: CACHE_SLOTS pages, CACHE_BYTES in all.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hub-int.h"
#include "xalloc.h"

#define CACHE_SLOTS 64
#define CACHE_BYTES (8 * 1024 * 1024)

struct page {
	char *key, *body;            /* owned */
	size_t size;
	unsigned long used;          /* when last served, for eviction */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct page pages[CACHE_SLOTS];
static int64_t generation = -1;
static size_t bytes;
static unsigned long clock_tick;

static void
drop(struct page *p)
{
	bytes -= p->size;
	free(p->key);
	free(p->body);
	memset(p, 0, sizeof *p);
}

char *
hub_cache_get(const char *key, int64_t gen)
{
	char *copy = NULL;

	pthread_mutex_lock(&lock);
	if (gen == generation) {
		for (int i = 0; i < CACHE_SLOTS; i++) {
			if (pages[i].key != NULL && strcmp(pages[i].key, key) == 0) {
				pages[i].used = ++clock_tick;
				copy = xstrdup(pages[i].body);
				break;
			}
		}
	}
	pthread_mutex_unlock(&lock);
	return copy;
}

void
hub_cache_put(const char *key, int64_t gen, const char *body)
{
	size_t size = strlen(key) + strlen(body) + 2;
	struct page *slot = NULL;

	if (size > CACHE_BYTES / 4)
		return;
	pthread_mutex_lock(&lock);
	if (gen < generation)
		goto out;	/* computed before a publish another request has seen: stale */
	if (gen > generation) {
		for (int i = 0; i < CACHE_SLOTS; i++)
			if (pages[i].key != NULL)
				drop(&pages[i]);
		generation = gen;
	}
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (pages[i].key != NULL && strcmp(pages[i].key, key) == 0)
			goto out;	/* another worker was first */
	/* The least recently served page goes until there is a free slot and room. */
	for (;;) {
		struct page *old = NULL;

		slot = NULL;
		for (int i = 0; i < CACHE_SLOTS; i++) {
			if (pages[i].key == NULL)
				slot = &pages[i];
			else if (old == NULL || pages[i].used < old->used)
				old = &pages[i];
		}
		if (slot != NULL && bytes + size <= CACHE_BYTES)
			break;
		drop(old);
	}
	slot->key = xstrdup(key);
	slot->body = xstrdup(body);
	slot->size = size;
	slot->used = ++clock_tick;
	bytes += size;
out:
	pthread_mutex_unlock(&lock);
}
