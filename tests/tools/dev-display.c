/*
 * dev-display: shows one update on the customer display the way the till would
 * (dev_display_open + dev_display_show); for tests/regress/dev-serial.sh.
 *
 *   dev-display DEVICE CODEPAGE ITEM PRICE TOTAL    (amounts in minor units)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"

int
main(int argc, char **argv)
{
	struct config cfg;
	struct kerr err;
	dev_display *d;
	int rc;

	if (argc != 6) {
		fprintf(stderr, "usage: dev-display DEVICE CODEPAGE ITEM PRICE TOTAL\n");
		return 2;
	}
	memset(&cfg, 0, sizeof cfg);
	kerr_clear(&err);
	snprintf(cfg.display_device, sizeof cfg.display_device, "%s", argv[1]);
	cfg.display_baud = 9600;
	cfg.printer_codepage = atoi(argv[2]);
	if ((d = dev_display_open(&cfg, &err)) == NULL) {
		fprintf(stderr, "dev-display: %s\n", err.msg);
		return 1;
	}
	rc = dev_display_show(d, argv[3], strtoll(argv[4], NULL, 10), strtoll(argv[5], NULL, 10),
	    &err);
	if (rc == -1)
		fprintf(stderr, "dev-display: %s\n", err.msg);
	dev_display_close(d);
	return rc == 0 ? 0 : 1;
}
