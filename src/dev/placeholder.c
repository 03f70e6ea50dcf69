/* PLACEHOLDER until the device layer lands (issue 5); the dev helper deletes this file. */
#include "dev.h"
int
dev_print_test(const struct config *cfg, const char *db_path, struct kerr *err)
{
	(void)cfg; (void)db_path;
	return kerr_set(err, KERR_STATE, "printing is not built yet");
}
int
dev_printer_spawn(struct worker *w, const struct config *cfg, const char *db_path,
    struct kerr *err)
{
	(void)w; (void)cfg; (void)db_path;
	return kerr_set(err, KERR_STATE, "printing is not built yet");
}
void
dev_printer_status_update(struct dev_printer_status *st, const char *line)
{
	(void)st; (void)line;
}
