/*
 * slowsync.so: an LD_PRELOAD library that makes every flush to disk slow, to stand in for the
 * SD card a till really has (issue 17): fsync, fdatasync, syncfs, sync_file_range and msync
 * sleep KASSA_SLOWSYNC_MS milliseconds (default 20; 0 passes through at full speed) and then
 * do the real flush (dlsym RTLD_NEXT). The sleep comes first, as on a card, where the flush
 * returns only once the card has written.
 *
 * `make bench` runs its slow-disk profile under it; by hand:
 *
 *   LD_PRELOAD=build/tests/slowsync.so KASSA_SLOWSYNC_MS=20 build/kassa -d till.db
 *
 * SQLite (3.40, Debian) flushes with fdatasync for the WAL and the database and fsync for a
 * directory; it uses neither sync_file_range nor msync for its files (checked with strace -f
 * -e trace=fsync,fdatasync,sync_file_range,msync on a sale), which are delayed all the same
 * so that nothing gets through fast.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int fsync(int fd);
int fdatasync(int fd);
int syncfs(int fd);
int sync_file_range(int fd, off64_t off, off64_t n, unsigned int flags);
int msync(void *addr, size_t len, int flags);

static long
delay_ms(void)
{
	static long ms = -1;

	if (ms < 0) {
		const char *v = getenv("KASSA_SLOWSYNC_MS");
		char *end;
		long n = 20;

		if (v != NULL && *v != '\0') {
			n = strtol(v, &end, 10);
			if (*end != '\0' || n < 0 || n > 60000)
				n = 20;
		}
		ms = n;
	}
	return ms;
}

static void
card_write(void)
{
	long ms = delay_ms();
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	int saved = errno;

	while (ms > 0 && nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	errno = saved;
}

static void *
real(const char *name)
{
	void *fn = dlsym(RTLD_NEXT, name);

	if (fn == NULL)
		abort();  /* a flush that cannot be done must not look done */
	return fn;
}

int
fsync(int fd)
{
	static int (*fn)(int);

	if (fn == NULL)
		fn = (int (*)(int))(uintptr_t)real("fsync");
	card_write();
	return fn(fd);
}

int
fdatasync(int fd)
{
	static int (*fn)(int);

	if (fn == NULL)
		fn = (int (*)(int))(uintptr_t)real("fdatasync");
	card_write();
	return fn(fd);
}

int
syncfs(int fd)
{
	static int (*fn)(int);

	if (fn == NULL)
		fn = (int (*)(int))(uintptr_t)real("syncfs");
	card_write();
	return fn(fd);
}

int
sync_file_range(int fd, off64_t off, off64_t n, unsigned int flags)
{
	static int (*fn)(int, off64_t, off64_t, unsigned int);

	if (fn == NULL)
		fn = (int (*)(int, off64_t, off64_t, unsigned int))(uintptr_t)
		    real("sync_file_range");
	if (flags & SYNC_FILE_RANGE_WAIT_AFTER)
		card_write();
	return fn(fd, off, n, flags);
}

int
msync(void *addr, size_t len, int flags)
{
	static int (*fn)(void *, size_t, int);

	if (fn == NULL)
		fn = (int (*)(void *, size_t, int))(uintptr_t)real("msync");
	if (flags & MS_SYNC)
		card_write();
	return fn(addr, len, flags);
}
