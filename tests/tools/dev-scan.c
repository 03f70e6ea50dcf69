/*
 * dev-scan: runs the serial scanner worker (dev_scanner_spawn) the way the till does and prints
 * each code it reports, one per line, flushed; for tests/regress/dev-serial.sh.
 *
 *   dev-scan DEVICE BAUD COUNT    e.g. dev-scan serial:/dev/pts/3 9600 2
 *
 * Exits 0 after COUNT codes, 1 if the worker dies first.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"

static int seen;

static void
on_line(void *ctx, const char *line)
{
	char code[128];

	(void)ctx;
	if (dev_scanner_code(line, code, sizeof code)) {
		printf("code %s\n", code);
		seen++;
	} else {
		printf("status %s\n", line);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct config cfg;
	struct worker w;
	struct kerr err;
	int want;

	if (argc != 4) {
		fprintf(stderr, "usage: dev-scan DEVICE BAUD COUNT\n");
		return 2;
	}
	memset(&cfg, 0, sizeof cfg);
	memset(&w, 0, sizeof w);
	kerr_clear(&err);
	snprintf(cfg.scanner_device, sizeof cfg.scanner_device, "%s", argv[1]);
	cfg.scanner_baud = atoi(argv[2]);
	want = atoi(argv[3]);
	if (dev_scanner_spawn(&w, &cfg, &err) == -1) {
		fprintf(stderr, "dev-scan: %s\n", err.msg);
		return 1;
	}
	while (seen < want) {
		struct pollfd pfd = { .fd = w.status_fd, .events = POLLIN };

		if (poll(&pfd, 1, -1) == -1)
			continue;
		if (worker_read(&w, on_line, NULL) == -1) {
			worker_reap(&w);
			fprintf(stderr, "dev-scan: the scanner worker died\n");
			return 1;
		}
	}
	worker_stop(&w, 2000);
	return 0;
}
