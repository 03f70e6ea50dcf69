/*
 * hub-fault.c: the test faults of `kassa-hub serve --fault KIND:N`, behind one seam.
 *
 * The request path asks this module at the two moments a fault can act (before a batch is
 * read, and when its answer is about to go out) and whether an event is to be refused on its
 * merits; with no --fault given every answer is "no fault", so production requests take the
 * same path with nothing changed. The faults prove that the tills cope with a bad hub.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub-int.h"

int
hub_fault_parse(struct hub_faults *f, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char *end;
	long long n;

	if (colon == NULL || colon[1] == '\0')
		return -1;
	n = strtoll(colon + 1, &end, 10);
	if (*end != '\0' || n < 0)
		return -1;
	if (strncmp(spec, "503:", 4) == 0)
		f->fail503 = (int)n;
	else if (strncmp(spec, "429:", 4) == 0)
		f->fail429 = (int)n;
	else if (strncmp(spec, "badjson:", 8) == 0)
		f->badjson = (int)n;
	else if (strncmp(spec, "drop:", 5) == 0)
		f->drop = (int)n;
	else if (strncmp(spec, "reject:", 7) == 0)
		f->reject_seq = n;
	else
		return -1;
	return 0;
}

/* The counts are the process's (hub_root's), taken by every worker thread. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* Takes one of a counted fault: true when it fires for this request. */
static bool
take(int *left)
{
	bool fires;

	pthread_mutex_lock(&lock);
	fires = *left > 0;
	if (fires)
		(*left)--;
	pthread_mutex_unlock(&lock);
	return fires;
}

bool
hub_fault_answer(struct hub_faults *f, enum hub_fault_stage stage, struct hub_answer *a)
{
	if (stage == HUB_FAULT_BEFORE && take(&f->fail503))
		return hub_answer_set(a, 503, "{\"error\":\"unavailable (test fault)\"}", 0);
	if (stage == HUB_FAULT_BEFORE && take(&f->fail429))
		return hub_answer_set(a, 429, "{\"error\":\"slow down (test fault)\"}", 1);
	if (stage == HUB_FAULT_REPLY && take(&f->drop)) {
		/* The batch is stored, but the answer never reaches the till. */
		hub_answer_set(a, 0, "", 0);
		a->drop = true;
		return true;
	}
	if (stage == HUB_FAULT_REPLY && take(&f->badjson))
		return hub_answer_set(a, 200, "<html>proxy error</html>", 0);
	return false;
}

const char *
hub_fault_verdict(const struct hub_faults *f, int64_t seq)
{
	return f->reject_seq != 0 && f->reject_seq == seq ? "rejected by the hub (test fault)" :
	    NULL;
}
