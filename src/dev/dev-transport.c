/*
 * dev-transport.c: the file, tcp and simulated transports, and dev_open() which picks the
 * driver by the device's prefix. Serial is in dev-serial.c (the only libserialport user).
 *
 * sim:PATH appends every byte to PATH and answers DLE EOT from PATH.status (a file holding
 * "ok", "offline", "cover open", "paper out", "unplugged" or "slow" (32 bytes every 20 ms);
 * none means ok): tests and demos.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/file.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dev-int.h"

static int
fd_write(struct dev_conn *c, const void *buf, size_t len, struct kerr *err)
{
	const unsigned char *p = buf;

	while (len > 0) {
		/* A socket whose printer went away must fail the write, not raise SIGPIPE. */
		ssize_t n = c->drv == &dev_tcp_driver ? send(c->fd, p, len, MSG_NOSIGNAL) :
		    write(c->fd, p, len);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };

			int ms = c->write_timeout_ms > 0 ? c->write_timeout_ms : 10000;

			if (poll(&pfd, 1, ms) <= 0)
				return kerr_set(err, KERR_DEVICE, "%s: the device takes no data "
				    "(%d ms): is it offline?", c->path, ms);
			continue;
		}
		if (n <= 0)
			return kerr_set(err, KERR_DEVICE, "%s: %s", c->path,
			    n == 0 ? "wrote nothing" : strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
fd_read(struct dev_conn *c, void *buf, size_t len, int timeout_ms, struct kerr *err)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	ssize_t n;
	int rc;

	do
		rc = poll(&pfd, 1, timeout_ms);
	while (rc == -1 && errno == EINTR);
	if (rc <= 0)
		return 0;
	n = read(c->fd, buf, len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n == -1)
		return kerr_set(err, KERR_DEVICE, "%s: %s", c->path, strerror(errno));
	if (n == 0)
		return kerr_set(err, KERR_DEVICE, "%s: the printer went away", c->path);
	return (int)n;
}

static void
fd_close(struct dev_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int
dev_lock(struct dev_conn *c, int fd, struct kerr *err)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		return 0;
	return kerr_set(err, KERR_BUSY, "%s: in use by another kassa process (the till's "
	    "printer process, while the till runs)", c->path);
}

/* file: a character device such as /dev/usb/lp0 (read and write). */
static int
file_open(struct dev_conn *c, const char *arg, int baud, const char *bits, const char *flow,
    struct kerr *err)
{
	(void)baud; (void)bits; (void)flow;
	c->fd = open(arg, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd == -1)
		c->fd = open(arg, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (c->fd == -1)
		return kerr_set(err, KERR_DEVICE, "%s: %s: is the printer plugged in and "
		    "switched on?", arg, strerror(errno));
	if (dev_lock(c, c->fd, err) == -1) {
		fd_close(c);
		return -1;
	}
	return 0;
}

const struct dev_driver dev_file_driver = {
	.prefix = "file:", .open = file_open, .write = fd_write, .read = fd_read,
	.close = fd_close,
};

/* tcp:HOST:PORT, connected without blocking for more than 3 s. */
static int
tcp_open(struct dev_conn *c, const char *arg, int baud, const char *bits, const char *flow,
    struct kerr *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL, *ai;
	char host[256];
	const char *colon = strrchr(arg, ':');
	int rc;

	(void)baud; (void)bits; (void)flow;
	if (colon == NULL || colon == arg || (size_t)(colon - arg) >= sizeof host)
		return kerr_set(err, KERR_INPUT, "%s: a network printer is tcp:HOST:PORT "
		    "(usually port 9100)", arg);
	memcpy(host, arg, (size_t)(colon - arg));
	host[colon - arg] = '\0';
	if ((rc = getaddrinfo(host, colon + 1, &hints, &res)) != 0)
		return kerr_set(err, KERR_DEVICE, "%s: %s", arg, gai_strerror(rc));
	c->fd = -1;
	for (ai = res; ai != NULL && c->fd == -1; ai = ai->ai_next) {
		struct pollfd pfd;
		int soerr = 0;
		socklen_t sl = sizeof soerr;

		c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (c->fd == -1)
			continue;
		if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		pfd = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
		if (errno == EINPROGRESS && poll(&pfd, 1, 3000) == 1 &&
		    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
			break;
		close(c->fd);
		c->fd = -1;
	}
	freeaddrinfo(res);
	if (c->fd == -1)
		return kerr_set(err, KERR_DEVICE, "%s: no answer: is the printer switched on and "
		    "on the network?", arg);
	return 0;
}

const struct dev_driver dev_tcp_driver = {
	.prefix = "tcp:", .open = tcp_open, .write = fd_write, .read = fd_read,
	.close = fd_close,
};

/* sim:PATH, see the top of the file. */
static int
sim_open(struct dev_conn *c, const char *arg, int baud, const char *bits, const char *flow,
    struct kerr *err)
{
	(void)baud; (void)bits; (void)flow;
	if (strcmp(dev_sim_state(arg), "unplugged") == 0)
		return kerr_set(err, KERR_DEVICE, "%s: no such device (simulated)", arg);
	c->fd = open(arg, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (c->fd == -1)
		return kerr_set(err, KERR_DEVICE, "%s: %s", arg, strerror(errno));
	return 0;
}

/* The simulated printer's state from PATH.status. */
const char *
dev_sim_state(const char *path)
{
	static char state[32];
	char name[600];
	FILE *f;

	snprintf(name, sizeof name, "%s.status", path);
	snprintf(state, sizeof state, "ok");
	if ((f = fopen(name, "r")) != NULL) {
		if (fgets(state, sizeof state, f) == NULL)
			snprintf(state, sizeof state, "ok");
		state[strcspn(state, "\n")] = '\0';
		fclose(f);
	}
	return state;
}

static int
sim_write(struct dev_conn *c, const void *buf, size_t len, struct kerr *err)
{
	const char *p = buf;

	if (strcmp(dev_sim_state(c->path), "unplugged") == 0)
		return kerr_set(err, KERR_DEVICE, "%s: the printer went away (simulated)",
		    c->path);
	if (strcmp(dev_sim_state(c->path), "slow") != 0)
		return fd_write(c, buf, len, err);
	/* "slow": 32 bytes every 20 ms, about a 19200-baud line. */
	for (size_t off = 0; off < len; off += 32) {
		if (fd_write(c, p + off, len - off < 32 ? len - off : 32, err) == -1)
			return -1;
		poll(NULL, 0, 20);
	}
	return 0;
}

/* Answers the last DLE EOT n written (the simulated printer keeps it in c->query). */
static int
sim_read(struct dev_conn *c, void *buf, size_t len, int timeout_ms, struct kerr *err)
{
	const char *st = dev_sim_state(c->path);
	unsigned char *b = buf;

	(void)timeout_ms; (void)err;
	if (len == 0 || strcmp(st, "offline") == 0 || strcmp(st, "unplugged") == 0)
		return 0;
	switch (c->query) {
	case 1: b[0] = strcmp(st, "ok") == 0 || strcmp(st, "slow") == 0 ? 0x12 : 0x1A; break;
	case 2: b[0] = strcmp(st, "cover open") == 0 ? 0x16 :
	    strcmp(st, "paper out") == 0 ? 0x32 : 0x12; break;
	case 4: b[0] = strcmp(st, "paper out") == 0 ? 0x72 : 0x12; break;
	default: return 0;
	}
	return 1;
}

const struct dev_driver dev_sim_driver = {
	.prefix = "sim:", .open = sim_open, .write = sim_write, .read = sim_read,
	.close = fd_close,
};

static const struct dev_driver *const drivers[] = {
	&dev_serial_driver, &dev_file_driver, &dev_tcp_driver, &dev_sim_driver,
};

int
dev_open(struct dev_conn *c, const char *device, int baud, const char *bits, const char *flow,
    struct kerr *err)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	for (size_t i = 0; i < sizeof drivers / sizeof drivers[0]; i++) {
		size_t n = strlen(drivers[i]->prefix);

		if (strncmp(device, drivers[i]->prefix, n) != 0)
			continue;
		c->drv = drivers[i];
		snprintf(c->path, sizeof c->path, "%s", device + n);
		if (c->drv->open(c, c->path, baud, bits, flow, err) == -1) {
			c->drv = NULL;
			return -1;
		}
		return 0;
	}
	return kerr_set(err, KERR_INPUT, "%s: unknown printer device: use serial:PATH, "
	    "file:PATH, tcp:HOST:PORT or sim:PATH", device);
}

void
dev_close(struct dev_conn *c)
{
	if (c->drv != NULL)
		c->drv->close(c);
	c->drv = NULL;
}
