/*
 * serialpty.so: an LD_PRELOAD library for the tests that lets Debian's libserialport 0.1.1 open
 * a pseudo-terminal as if it were a serial port, so the real sp_get_port_by_name / sp_open code
 * path runs end to end over a socat pty pair.
 *
 * libserialport's Linux port look-up lstat()s /sys/class/tty/NAME (glibc's __lxstat in that
 * build) and readlink()s it to tell the transport; ptys have no such entry ("Device not found").
 * sp_open then reads and sets the modem lines (TIOCMGET, TIOCMSET, TIOCMBIS, TIOCMBIC), which a
 * pty refuses. Here, for pty names only: the sysfs entry is a symlink to a platform serial
 * device, and those ioctls succeed (TIOCMGET reports DSR, CTS and CD up). Everything else goes
 * to the real functions (dlsym RTLD_NEXT).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#define SYS_PTS "/sys/class/tty/pts/"
#define FAKE_LINK "../../devices/platform/serial-pty/tty/ttyS99"

int __lxstat(int ver, const char *path, struct stat *st);
int lstat(const char *path, struct stat *st);
ssize_t readlink(const char *path, char *buf, size_t size);
int ioctl(int fd, unsigned long req, ...);

static int
is_pts_entry(const char *path)
{
	return path != NULL && strncmp(path, SYS_PTS, strlen(SYS_PTS)) == 0 &&
	    strchr(path + strlen(SYS_PTS), '/') == NULL;
}

static void
fake_link(struct stat *st)
{
	memset(st, 0, sizeof *st);
	st->st_mode = S_IFLNK | 0777;
	st->st_nlink = 1;
	st->st_size = (off_t)strlen(FAKE_LINK);
}

int
__lxstat(int ver, const char *path, struct stat *st)
{
	static int (*real)(int, const char *, struct stat *);

	if (is_pts_entry(path)) {
		fake_link(st);
		return 0;
	}
	if (real == NULL)
		real = (int (*)(int, const char *, struct stat *))dlsym(RTLD_NEXT, "__lxstat");
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real(ver, path, st);
}

int
lstat(const char *path, struct stat *st)
{
	static int (*real)(const char *, struct stat *);

	if (is_pts_entry(path)) {
		fake_link(st);
		return 0;
	}
	if (real == NULL)
		real = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "lstat");
	if (real == NULL)
		return __lxstat(1, path, st);
	return real(path, st);
}

ssize_t
readlink(const char *path, char *buf, size_t size)
{
	static ssize_t (*real)(const char *, char *, size_t);
	size_t n = strlen(FAKE_LINK);

	if (is_pts_entry(path)) {
		if (n > size)
			n = size;
		memcpy(buf, FAKE_LINK, n);
		return (ssize_t)n;
	}
	if (real == NULL)
		real = (ssize_t (*)(const char *, char *, size_t))dlsym(RTLD_NEXT, "readlink");
	return real(path, buf, size);
}

/* A pty slave: Unix98 ptys have majors 136-143. */
static int
is_pty(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) >= 136 &&
	    major(st.st_rdev) <= 143;
}

int
ioctl(int fd, unsigned long req, ...)
{
	static int (*real)(int, unsigned long, ...);
	va_list ap;
	void *arg;
	int rc;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (real == NULL)
		real = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	rc = real(fd, req, arg);
	if (rc == -1 && (errno == ENOTTY || errno == EINVAL) && is_pty(fd)) {
		if (req == TIOCMGET) {
			*(int *)arg = TIOCM_DSR | TIOCM_CTS | TIOCM_CD;
			return 0;
		}
		if (req == TIOCMSET || req == TIOCMBIS || req == TIOCMBIC)
			return 0;
	}
	return rc;
}
