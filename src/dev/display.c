/*
 * display.c: the customer pole display (2 lines of 20, ESC/POS-compatible, [display] device and
 * baud): the last item and its price on the top line, the total below. Writes are a few dozen
 * bytes with a short time-out (200 ms), so the till's loop never waits on the display; a failed
 * write closes it and the next update opens it again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev-int.h"
#include "dev.h"
#include "i18n.h"
#include "money.h"
#include "xalloc.h"

#define DISPLAY_COLS 20

struct dev_display {
	struct dev_conn c;
	char device[512];
	int baud;
	int codepage;
};

dev_display *
dev_display_open(const struct config *cfg, struct kerr *err)
{
	dev_display *d;

	if (cfg->display_device[0] == '\0') {
		kerr_set(err, KERR_STATE, "no customer display configured");
		return NULL;
	}
	d = xcalloc(1, sizeof *d);
	d->c.fd = -1;
	snprintf(d->device, sizeof d->device, "%s", cfg->display_device);
	d->baud = cfg->display_baud;
	d->codepage = cfg->printer_codepage;
	return d;
}

/*
 * One row of exactly 20 columns: left, then right flush right. The left is cut to fit; a right
 * part of 20 columns or more (an amount that long) takes the whole row.
 */
static void
row(struct dev_buf *out, const char *left, const char *right, int codepage)
{
	struct dev_buf l = { 0 }, r = { 0 };
	size_t room;

	escpos_text(left, codepage, &l);
	escpos_text(right, codepage, &r);
	if (r.len > DISPLAY_COLS)
		r.len = DISPLAY_COLS;
	room = r.len == 0 ? DISPLAY_COLS : r.len < DISPLAY_COLS ? DISPLAY_COLS - r.len - 1 : 0;
	if (l.len > room)
		l.len = room;
	dev_buf_add(out, l.p, l.len);
	for (size_t i = l.len + r.len; i < DISPLAY_COLS; i++)
		dev_buf_add(out, " ", 1);
	dev_buf_add(out, r.p, r.len);
	dev_buf_free(&l);
	dev_buf_free(&r);
}

int
dev_display_show(dev_display *d, const char *item, money_t price, money_t total,
    struct kerr *err)
{
	static const unsigned char init[] = { 0x1B, 0x40, 0x0C };  /* ESC @, clear */
	unsigned char cp[3] = { 0x1B, 0x74, 0 };
	struct dev_buf b = { 0 };
	char p[48], t[48];
	int rc;

	if (d->c.drv == NULL && dev_open(&d->c, d->device, d->baud, "8N1", "none", err) == -1)
		return -1;
	cp[2] = (unsigned char)d->codepage;
	dev_buf_add(&b, init, sizeof init);
	dev_buf_add(&b, cp, sizeof cp);
	row(&b, item ? item : "", item && item[0] ? money_format(price, p, sizeof p) : "",
	    d->codepage);
	row(&b, _("TOTAL"), money_format(total, t, sizeof t), d->codepage);
	d->c.write_timeout_ms = 200;
	rc = d->c.drv->write(&d->c, b.p, b.len, err);
	dev_buf_free(&b);
	if (rc == -1)
		dev_close(&d->c);
	return rc;
}

void
dev_display_close(dev_display *d)
{
	if (d == NULL)
		return;
	dev_close(&d->c);
	free(d);
}
