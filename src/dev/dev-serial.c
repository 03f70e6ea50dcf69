/*
 * dev-serial.c: the serial transport through libserialport (the only file that includes it):
 * baud, data bits, parity and stop bits ("8N1") and flow control ("none", "rtscts",
 * "xonxoff"; libserialport has no DTR/DSR flow control on Linux) from the config. Used by
 * the printer, the scanner and the pole display.
 */
#include <errno.h>
#include <limits.h>
#include <libserialport.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dev-int.h"
#include "timestamp.h"

/* Only SP_ERR_FAIL carries an OS error; the others would print errno's stale "Success". */
static int
sp_fail(struct dev_conn *c, enum sp_return rc, const char *what, struct kerr *err)
{
	char *msg = rc == SP_ERR_FAIL ? sp_last_error_message() : NULL;
	const char *why = msg != NULL ? msg : rc == SP_ERR_ARG ? "not a serial port" :
	    rc == SP_ERR_SUPP ? "not supported by this port" : rc == SP_ERR_MEM ? "out of memory" :
	    "failed";

	kerr_set(err, KERR_DEVICE, "%s: %s: %s: is the cable plugged in?", c->path, what, why);
	sp_free_error_message(msg);
	if (c->port != NULL) {
		sp_close(c->port);
		sp_free_port(c->port);
		c->port = NULL;
	}
	return -1;
}

/* "8N1" -> bits, parity, stop bits. */
static int
parse_bits(const char *s, int *bits, enum sp_parity *par, int *stop)
{
	if (s == NULL || s[0] == '\0')
		s = "8N1";
	if (strlen(s) != 3 || s[0] < '5' || s[0] > '8' || (s[2] != '1' && s[2] != '2'))
		return -1;
	*bits = s[0] - '0';
	*stop = s[2] - '0';
	switch (s[1]) {
	case 'N': case 'n': *par = SP_PARITY_NONE; break;
	case 'E': case 'e': *par = SP_PARITY_EVEN; break;
	case 'O': case 'o': *par = SP_PARITY_ODD; break;
	default: return -1;
	}
	return 0;
}

static void serial_close(struct dev_conn *c);

static int
serial_open(struct dev_conn *c, const char *arg, int baud, const char *bits, const char *flow,
    struct kerr *err)
{
	enum sp_flowcontrol fc = SP_FLOWCONTROL_NONE;
	enum sp_parity par;
	char real[PATH_MAX];
	enum sp_return rc;
	int nbits, stop;

	if (parse_bits(bits, &nbits, &par, &stop) == -1)
		return kerr_set(err, KERR_INPUT, "%s: bad serial format '%s' (e.g. 8N1)", arg, bits);
	if (flow != NULL && strcmp(flow, "rtscts") == 0)
		fc = SP_FLOWCONTROL_RTSCTS;
	else if (flow != NULL && strcmp(flow, "xonxoff") == 0)
		fc = SP_FLOWCONTROL_XONXOFF;
	/*
	 * Resolved afresh at every open: libserialport 0.1.1 looks the name up in /sys/class/tty
	 * as written, so a stable link (/dev/serial/by-id/usb-..., what support staff configure,
	 * since ttyUSB numbers swap between boots) is "not found" unless resolved; and a replugged
	 * adapter's link may now point at another ttyUSB.
	 */
	if (realpath(arg, real) == NULL)
		return kerr_set(err, KERR_DEVICE, "%s: %s: is the cable plugged in?", arg,
		    strerror(errno));
	if ((rc = sp_get_port_by_name(real, &c->port)) != SP_OK)
		return sp_fail(c, rc, "cannot use it", err);
	if ((rc = sp_open(c->port, SP_MODE_READ_WRITE)) != SP_OK)
		return sp_fail(c, rc, "cannot open", err);
	if (dev_lock(c, dev_serial_fd(c), err) == -1) {
		serial_close(c);
		return -1;
	}
	if ((rc = sp_set_baudrate(c->port, baud > 0 ? baud : 9600)) != SP_OK ||
	    (rc = sp_set_bits(c->port, nbits)) != SP_OK || (rc = sp_set_parity(c->port, par)) != SP_OK ||
	    (rc = sp_set_stopbits(c->port, stop)) != SP_OK ||
	    (rc = sp_set_flowcontrol(c->port, fc)) != SP_OK)
		return sp_fail(c, rc, "cannot set the line settings", err);
	return 0;
}

/*
 * Waits until the bytes written have left the port, for at most timeout_ms. Not sp_drain():
 * it has no time-out, and a printer holding the line busy (flow control while out of paper or
 * with its cover open) would stop the printer process for good. Bytes still waiting at the
 * time-out are thrown away: the job is sent again whole.
 */
static int
wait_sent(struct dev_conn *c, unsigned timeout_ms, struct kerr *err)
{
	int64_t deadline = timestamp_monotonic_ms() + timeout_ms;
	int n;

	while ((n = sp_output_waiting(c->port)) > 0) {
		if (timestamp_monotonic_ms() >= deadline) {
			sp_flush(c->port, SP_BUF_OUTPUT);
			return kerr_set(err, KERR_DEVICE, "%s: the device takes no data (%u ms): "
			    "is it offline?", c->path, timeout_ms);
		}
		poll(NULL, 0, 10);
	}
	if (n < 0)
		return kerr_set(err, KERR_DEVICE, "%s: write failed: is the cable plugged in?",
		    c->path);
	return 0;
}

static int
serial_write(struct dev_conn *c, const void *buf, size_t len, struct kerr *err)
{
	unsigned timeout = c->write_timeout_ms > 0 ? (unsigned)c->write_timeout_ms : 10000;
	enum sp_return rc = sp_blocking_write(c->port, buf, len, timeout);

	if (rc < 0)
		return kerr_set(err, KERR_DEVICE, "%s: write failed: is the cable plugged in?",
		    c->path);
	if ((size_t)rc != len)
		return kerr_set(err, KERR_DEVICE, "%s: the device takes no data (%u ms): is it "
		    "offline?", c->path, timeout);
	/* The printer waits until the bytes left; the display must not wait. */
	if (c->write_timeout_ms == 0)
		return wait_sent(c, timeout, err);
	return 0;
}

static int
serial_read(struct dev_conn *c, void *buf, size_t len, int timeout_ms, struct kerr *err)
{
	struct pollfd p = { .fd = dev_serial_fd(c), .events = POLLIN };
	enum sp_return rc;
	int n;

	/*
	 * Our own poll() rather than sp_blocking_read_next: on a line that hung up (a USB adapter
	 * pulled out, the far end of a pty gone) libserialport 0.1.1 sees "readable" with nothing
	 * to read and spins until the time-out, never reporting the loss.
	 */
	n = poll(&p, 1, timeout_ms);
	if (n == -1 && errno == EINTR)
		return 0;
	if (n == -1)
		return kerr_set(err, KERR_DEVICE, "%s: poll: %s", c->path, strerror(errno));
	if (n == 0)
		return 0;
	if ((p.revents & POLLIN) == 0)
		return kerr_set(err, KERR_DEVICE, "%s: the line hung up: is the cable plugged in?",
		    c->path);
	rc = sp_nonblocking_read(c->port, buf, len);
	if (rc <= 0)
		return kerr_set(err, KERR_DEVICE, "%s: read failed: is the cable plugged in?",
		    c->path);
	return (int)rc;
}

static void
serial_close(struct dev_conn *c)
{
	if (c->port != NULL) {
		struct kerr ignored;

		/* Half a second for what is still going out (a display update, then exit); the
		 * rest is thrown away, or close() would wait for it (up to 30 s on a serial
		 * driver) when the device holds the line busy. */
		wait_sent(c, 500, &ignored);
		sp_close(c->port);
		sp_free_port(c->port);
	}
	c->port = NULL;
}

/* The descriptor to poll() on (the scanner's loop), or -1. */
int
dev_serial_fd(struct dev_conn *c)
{
	int fd = -1;

	if (c->port == NULL || sp_get_port_handle(c->port, &fd) != SP_OK)
		return -1;
	return fd;
}

const struct dev_driver dev_serial_driver = {
	.prefix = "serial:", .open = serial_open, .write = serial_write, .read = serial_read,
	.close = serial_close,
};
