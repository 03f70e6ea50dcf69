/* PLACEHOLDER until the sync process lands (issue 4); the sync helper deletes this file. */
#include <stdio.h>
#include "sync.h"
int
sync_run(const struct config *cfg, const char *db_path, bool once, int verbose)
{
	(void)cfg; (void)db_path; (void)once; (void)verbose;
	fprintf(stderr, "kassa: sync is not built yet\n");
	return 1;
}
int
sync_spawn(struct worker *w, const struct config *cfg, const char *db_path, struct kerr *err)
{
	(void)w; (void)cfg; (void)db_path;
	return kerr_set(err, KERR_STATE, "sync is not built yet");
}
void
sync_status_update(struct sync_status *st, const char *line)
{
	(void)st; (void)line;
}
