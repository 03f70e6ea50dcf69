/*
 * printer.c: the receipt printer as a device: open it, ask its state with DLE EOT (n = 1
 * printer, 2 offline cause, 4 paper), send it bytes, pulse the drawer. The queue it prints
 * (print_jobs) is read above dev, by the printer process in src/print/print-worker.c, which
 * the till starts here with worker_exec.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dev-int.h"
#include "dev.h"
#include "xalloc.h"

struct dev_printer {
	struct dev_conn c;
};

const char *
dev_pstate_name(enum dev_pstate s)
{
	switch (s) {
	case PSTATE_OK: return "ok";
	case PSTATE_COVER: return "cover open";
	case PSTATE_PAPER: return "paper out";
	default: return "offline";
	}
}

/* Sends DLE EOT n and returns the reply byte, or -1 when none came within 1 s. */
static int
query_byte(struct dev_conn *c, int n)
{
	unsigned char cmd[3] = { 0x10, 0x04, (unsigned char)n }, reply[16];
	struct kerr err;
	int got;

	kerr_clear(&err);
	c->query = n;
	if (c->drv->write(c, cmd, sizeof cmd, &err) == -1)
		return -1;
	got = c->drv->read(c, reply, sizeof reply, 1000, &err);
	if (got <= 0)
		return -1;
	return reply[got - 1];  /* the latest answer, past any stray byte */
}

enum dev_pstate
dev_printer_query(dev_printer *p)
{
	struct dev_conn *c = &p->c;
	int r1, r2, r4;

	r1 = query_byte(c, 1);
	if (r1 == -1) {
		/* A plain file or a USB printer that cannot answer: nothing to go by but the
		 * write itself. */
		return c->drv == &dev_file_driver ? PSTATE_OK : PSTATE_OFFLINE;
	}
	r4 = query_byte(c, 4);
	if (r4 != -1 && (r4 & 0x60) != 0)
		return PSTATE_PAPER;
	r2 = query_byte(c, 2);
	if (r2 != -1 && (r2 & 0x04) != 0)
		return PSTATE_COVER;
	if (r2 != -1 && (r2 & 0x20) != 0)
		return PSTATE_PAPER;
	if ((r1 & 0x08) != 0 || r2 == -1 || r4 == -1)
		return PSTATE_OFFLINE;
	return PSTATE_OK;
}

dev_printer *
dev_printer_open(const struct config *cfg, struct kerr *err)
{
	dev_printer *p = xcalloc(1, sizeof *p);

	p->c.fd = -1;
	if (dev_open(&p->c, cfg->printer_device, cfg->printer_baud, cfg->printer_bits,
	    cfg->printer_flow, err) == -1) {
		free(p);
		return NULL;
	}
	return p;
}

int
dev_printer_write(dev_printer *p, const void *buf, size_t len, struct kerr *err)
{
	return p->c.drv->write(&p->c, buf, len, err);
}

int
dev_printer_pulse(dev_printer *p, struct kerr *err)
{
	/* DLE DC4 1 0 5: pin 2, 500 ms, carried out at once whatever waits in the buffer. */
	static const unsigned char pulse[] = { 0x10, 0x14, 0x01, 0x00, 0x05 };

	return dev_printer_write(p, pulse, sizeof pulse, err);
}

void
dev_printer_close(dev_printer *p)
{
	if (p == NULL)
		return;
	dev_close(&p->c);
	free(p);
}

int
dev_printer_spawn(struct worker *w, const struct config *cfg, const char *db_path,
    struct kerr *err)
{
	char exe[PATH_MAX], *argv[10];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int k = 0;

	if (cfg->printer_device[0] == '\0')
		return kerr_set(err, KERR_STATE, "no printer configured");
	if (n <= 0)
		return kerr_set(err, KERR_INTERNAL, "cannot find the kassa program to start the "
		    "printer process");
	exe[n] = '\0';
	argv[k++] = (char *)"kassa";
	argv[k++] = (char *)"-d";
	argv[k++] = (char *)db_path;
	if (cfg->path[0] != '\0') {
		argv[k++] = (char *)"-c";
		argv[k++] = (char *)cfg->path;
	}
	argv[k++] = (char *)"print";
	argv[k++] = (char *)"worker";
	argv[k] = NULL;
	return worker_exec(w, "printer", exe, argv, err);
}

void
dev_printer_status_update(struct dev_printer_status *st, const char *line)
{
	char v[64];

	if (worker_field(line, "state", st->state, sizeof st->state) && worker_field(line, "queued",
	    v, sizeof v))
		st->queued = strtol(v, NULL, 10);
}
