/*
 * dev-int.h: private to src/dev. The transport drivers (one const struct of operations each),
 * the printer and display share (the ESC/POS encoder is public: escpos.h).
 */
#ifndef KASSA_DEV_INT_H
#define KASSA_DEV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "escpos.h"
#include "kerr.h"

struct sp_port;

/* An open device. */
struct dev_conn {
	const struct dev_driver *drv;
	int fd;                 /* file, tcp, sim */
	int query;              /* sim: the DLE EOT n just sent */
	int write_timeout_ms;   /* 0: 10 s (a printer); the display uses 200 ms */
	struct sp_port *port;   /* serial */
	char path[512];
};

/*
 * One transport. write sends all of len or fails; read waits up to timeout_ms and returns the
 * bytes read (0 when nothing came in time), -1 on an error.
 */
struct dev_driver {
	const char *prefix;     /* "serial:", "file:", "tcp:", "sim:" */
	int (*open)(struct dev_conn *c, const char *arg, int baud, const char *bits,
	    const char *flow, struct kerr *err);
	int (*write)(struct dev_conn *c, const void *buf, size_t len, struct kerr *err);
	int (*read)(struct dev_conn *c, void *buf, size_t len, int timeout_ms, struct kerr *err);
	void (*close)(struct dev_conn *c);
};

extern const struct dev_driver dev_serial_driver;
extern const struct dev_driver dev_file_driver;
extern const struct dev_driver dev_tcp_driver;
extern const struct dev_driver dev_sim_driver;

/* Opens "prefix:arg" with the right driver. */
int dev_open(struct dev_conn *c, const char *device, int baud, const char *bits,
    const char *flow, struct kerr *err);
void dev_close(struct dev_conn *c);

/*
 * Takes an exclusive advisory lock (flock) on a device just opened, so two kassa processes
 * never write one printer at once (their bytes would interleave and one would read the
 * other's status replies). -1 with KERR_BUSY when another process holds it; a device that
 * cannot be locked is used unlocked.
 */
int dev_lock(struct dev_conn *c, int fd, struct kerr *err);

/* sim: the simulated printer state in PATH.status ("ok" when absent). */
const char *dev_sim_state(const char *path);

/* serial: the descriptor under a serial port (for poll), or -1. */
int dev_serial_fd(struct dev_conn *c);

#endif
