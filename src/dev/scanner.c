/*
 * scanner.c: the serial barcode scanner (keyboard-wedge scanners need nothing: they type). A
 * small worker process (worker_spawn: it touches no database) reads the serial line through
 * libserialport (dev-serial.c); each CR- or LF-terminated code goes to the till as a status line
 * "code=4780001234567", which the till handles exactly as if the cashier had typed the code and
 * Enter. The line's state is reported as "state=ok" / "state=offline error=..."; an unplugged
 * scanner is opened again every 2 s.
 */
#include <stdio.h>
#include <string.h>

#include "dev-int.h"
#include "dev.h"

#define CODE_MAX 64

struct scanner_arg {
	char device[512];
	int baud;
};

static int
scanner_main(void *varg, int wake_fd, int status_fd)
{
	const struct scanner_arg *a = varg;
	struct dev_conn c = { .fd = -1 };
	char code[CODE_MAX + 1], last[16] = "";
	size_t len = 0;
	bool overlong = false;
	struct kerr err;

	for (;;) {
		unsigned char buf[128];
		int n;

		if (c.drv == NULL) {
			kerr_clear(&err);
			if (dev_open(&c, a->device, a->baud, "8N1", "none", &err) == -1) {
				if (strcmp(last, "offline") != 0)
					worker_report(status_fd, "state", "offline", "error", err.msg,
					    (char *)NULL);
				snprintf(last, sizeof last, "offline");
				if (worker_parent_gone(wake_fd, 2000))
					break;
				continue;
			}
			worker_report(status_fd, "state", "ok", (char *)NULL);
			snprintf(last, sizeof last, "ok");
			len = 0;
			overlong = false;
		}
		if (worker_parent_gone(wake_fd, 0))
			break;
		kerr_clear(&err);
		n = c.drv->read(&c, buf, sizeof buf, 200, &err);
		if (n == -1) {
			dev_close(&c);
			worker_report(status_fd, "state", "offline", "error", err.msg, (char *)NULL);
			snprintf(last, sizeof last, "offline");
			/* As after a failed open: a device that opens but fails every read (hung
			 * up, EOF) must not be reopened in a tight loop. */
			if (worker_parent_gone(wake_fd, 2000))
				break;
			continue;
		}
		for (int i = 0; i < n; i++) {
			if (buf[i] == '\r' || buf[i] == '\n') {
				code[len] = '\0';
				if (len > 0 && !overlong)
					worker_report(status_fd, "code", code, (char *)NULL);
				len = 0;
				overlong = false;
			} else if (buf[i] >= 0x20 && buf[i] < 0x7F) {
				/* Noise is skipped; an overlong code is dropped whole, never cut short
				 * into another product's code. */
				if (len < CODE_MAX)
					code[len++] = (char)buf[i];
				else
					overlong = true;
			}
		}
	}
	dev_close(&c);
	return 0;
}

int
dev_scanner_spawn(struct worker *w, const struct config *cfg, struct kerr *err)
{
	static struct scanner_arg a;  /* read by the forked child only */

	if (cfg->scanner_device[0] == '\0')
		return kerr_set(err, KERR_STATE, "no serial scanner configured");
	snprintf(a.device, sizeof a.device, "%s", cfg->scanner_device);
	a.baud = cfg->scanner_baud;
	return worker_spawn(w, "scanner", scanner_main, &a, err);
}

bool
dev_scanner_code(const char *line, char *buf, size_t size)
{
	return worker_field(line, "code", buf, size) && buf[0] != '\0';
}
