/*
 * ui.c: the till's main loop. One poll() over the terminal, the sync and printer workers'
 * status pipes and a signal pipe, with a one-second tick for the clock. Keys go to the prompt
 * if one is open, else to the screen's key table, else to the screen. The screen is redrawn
 * once per pass when something changed. The terminal is restored on every way out.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "ui-int.h"
#include "ui.h"
#include "xalloc.h"

static int signal_pipe[2] = { -1, -1 };
static int saved_stderr = -1;
static bool curses_up;

static void
restore_terminal(void)
{
	if (curses_up) {
		endwin();
		curses_up = false;
	}
	/* Messages after the screen is gone go to the real stderr again. */
	if (saved_stderr != -1) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (write(signal_pipe[1], &c, 1) == -1) {
		/* full pipe: a signal is already pending */
	}
	errno = saved;
}

void
ui_show(struct ui *ui, const struct ui_screen *screen)
{
	ui->screen = screen;
	ui->dirty = true;
}

void
ui_message(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->msg, sizeof ui->msg, fmt, ap);
	va_end(ap);
	ui->msg_error = error;
	ui->dirty = true;
	if (error)
		beep();
}

void
ui_error(struct ui *ui, const struct kerr *err)
{
	ui_message(ui, true, "%s", err->msg[0] != '\0' ? err->msg : _(kerr_name(err->code)));
}

void
ui_ask(struct ui *ui, const char *title, bool masked, bool digits_only,
    void (*done)(struct ui *, const char *), void (*cancel)(struct ui *))
{
	struct ui_prompt *p = &ui->prompt;

	memset(p, 0, sizeof *p);
	p->active = true;
	snprintf(p->title, sizeof p->title, "%s", title);
	p->masked = masked;
	p->digits_only = digits_only;
	p->done = done;
	p->cancel = cancel;
	ui->dirty = true;
}

static void
approval_pin(struct ui *ui, const char *pin)
{
	struct user approver;
	struct kerr err;

	if (user_approve(ui->st, pin, ui->want_right, &approver, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	if (ui->retry != NULL)
		ui->retry(ui, &approver);
}

void
ui_need_approval(struct ui *ui, enum user_right right,
    void (*retry)(struct ui *, const struct user *))
{
	ui->want_right = right;
	ui->retry = retry;
	beep();
	ui_ask(ui, _("Manager approval needed: manager PIN"), true, true, approval_pin, NULL);
}

void
ui_after_commit(struct ui *ui)
{
	/* Every commit may have queued events or a receipt: nudge the workers. */
	worker_wake(&ui->sync);
	worker_wake(&ui->printer);
}

void
ui_logout(struct ui *ui)
{
	sale_free(ui->sale);
	ui->sale = NULL;
	ui->logged_in = false;
	memset(&ui->user, 0, sizeof ui->user);
	ui->input[0] = '\0';
	ui->completed = false;
	ui_login_start(ui);
}

/* ---- the prompt ------------------------------------------------------------------------- */

static void
prompt_key(struct ui *ui, int key, bool is_char)
{
	struct ui_prompt *p = &ui->prompt;
	char answer[256];

	if (!is_char && (key == KEY_BACKSPACE || key == KEY_DC)) {
		if (p->len > 0)
			p->len--;
	} else if (is_char && (key == 127 || key == 8)) {
		if (p->len > 0)
			p->len--;
	} else if ((is_char && (key == '\n' || key == '\r')) || (!is_char && key == KEY_ENTER)) {
		void (*done)(struct ui *, const char *) = p->done;

		p->buf[p->len] = L'\0';
		if (wcstombs(answer, p->buf, sizeof answer) == (size_t)-1)
			answer[0] = '\0';
		p->active = false;
		explicit_bzero(p->buf, sizeof p->buf);
		p->len = 0;
		if (done != NULL)
			done(ui, answer);
		explicit_bzero(answer, sizeof answer);
	} else if (is_char && key == 27) {
		void (*cancel)(struct ui *) = p->cancel;

		p->active = false;
		explicit_bzero(p->buf, sizeof p->buf);
		p->len = 0;
		if (cancel != NULL)
			cancel(ui);
	} else if (is_char && key >= ' ' && p->len < (int)(sizeof p->buf / sizeof p->buf[0]) - 1) {
		if (!p->digits_only || (key >= '0' && key <= '9'))
			p->buf[p->len++] = (wchar_t)key;
		else
			beep();
	}
	ui->dirty = true;
}

static void
draw_prompt(struct ui *ui)
{
	struct ui_prompt *p = &ui->prompt;
	int w = COLS - 8, y = LINES / 2 - 2, x = 4;
	wchar_t shown[64];

	attron(A_REVERSE);
	for (int i = 0; i < 4; i++)
		mvhline(y + i, x, ' ', w);
	ui_put(y, x + 1, w - 2, p->title, -1);
	attroff(A_REVERSE);
	mvhline(y + 2, x + 1, ' ', w - 2);
	for (int i = 0; i < p->len; i++)
		shown[i] = p->masked ? L'*' : p->buf[i];
	shown[p->len] = L'\0';
	mvaddnwstr(y + 2, x + 2, shown, w - 4);
	attron(A_REVERSE);
	ui_put(y + 3, x + 1, w - 2, _("Enter: OK   Esc: cancel"), 1);
	attroff(A_REVERSE);
	move(y + 2, x + 2 + p->len);
}

/* ---- keys ------------------------------------------------------------------------------- */

static void
dispatch(struct ui *ui, int key, bool is_char)
{
	const struct ui_binding *b;

	if (ui->small)
		return;
	/* F12 at the PIN prompt closes the till (nothing is lost: the cart is stored). */
	if (ui->prompt.active && !ui->logged_in && !is_char && key == KEY_F(12)) {
		ui->quit = true;
		return;
	}
	if (ui->prompt.active) {
		prompt_key(ui, key, is_char);
		return;
	}
	/* After a sale, the next key (whatever it is) starts the next one. */
	if (ui->completed && ui->screen == &ui_screen_sale) {
		ui->screen->key(ui, key, is_char);
		ui->dirty = true;
		return;
	}
	if (!is_char || key == 27 || key == '\t') {
		for (b = ui->screen->bindings; b != NULL && b->key != 0; b++) {
			if (b->key == key && b->run != NULL) {
				ui->msg[0] = '\0';
				b->run(ui);
				ui->dirty = true;
				return;
			}
		}
	}
	if (ui->screen->key != NULL && ui->screen->key(ui, key, is_char)) {
		ui->dirty = true;
		return;
	}
	if (!is_char)
		beep();
}

/* Reads every key waiting; Alt-digit chords become F-keys. */
static void
read_keys(struct ui *ui)
{
	wint_t ch;
	int rc;

	for (;;) {
		rc = get_wch(&ch);
		if (rc == ERR)
			break;
		if (rc == KEY_CODE_YES) {
			if (ch == KEY_RESIZE) {
				ui->small = LINES < 24 || COLS < 80;
				ui->dirty = true;
				continue;
			}
			dispatch(ui, (int)ch, false);
		} else if (ch == 27) {
			wint_t next;

			/* Esc alone is "back"; Esc followed at once by a key is an Alt chord. */
			nodelay(stdscr, TRUE);
			if (get_wch(&next) == OK) {
				static const char fkeys[] = "1234567890-=";
				const char *p = next < 128 && next != 0 ? strchr(fkeys, (int)next) : NULL;

				if (next == '[' || next == 'O') {
					/* A key this terminal description does not know: swallow the
					 * whole sequence rather than type it into the input. */
					while (get_wch(&next) == OK && !(next >= 0x40 && next <= 0x7e))
						;
					beep();
				} else if (p != NULL)
					dispatch(ui, UI_KEY_F((int)(p - fkeys) + 1 == 11 ? 12 :
					    (int)(p - fkeys) + 1), false);
				else
					beep();
			} else
				dispatch(ui, 27, true);
		} else
			dispatch(ui, (int)ch, true);
		if (ui->quit)
			break;
	}
}

/* ---- workers ---------------------------------------------------------------------------- */

static void
on_sync_line(void *ctx, const char *line)
{
	struct ui *ui = ctx;

	sync_status_update(&ui->sync_state, line);
	ui->dirty = true;
}

static void
on_printer_line(void *ctx, const char *line)
{
	struct ui *ui = ctx;

	dev_printer_status_update(&ui->printer_state, line);
	ui->dirty = true;
}

/*
 * A code from the serial scanner is handled as if the cashier had typed it and pressed Enter,
 * but only where a typed code means what was scanned: on the sale screen with no question
 * open (an item), or at a question that asks for a scan (a receipt's number). Elsewhere (a
 * PIN, an amount, the payment screen) typing it would answer the wrong question, so it is
 * refused with a message and changes nothing.
 */
static void
on_scanner_line(void *ctx, const char *line)
{
	struct ui *ui = ctx;
	char code[128], state[32];

	ui->dirty = true;
	if (worker_field(line, "state", state, sizeof state)) {
		bool offline = strcmp(state, "ok") != 0;

		if (offline && !ui->scanner_offline)
			ui_message(ui, true, _("The scanner is not connected: type the code"));
		ui->scanner_offline = offline;
		return;
	}
	if (!dev_scanner_code(line, code, sizeof code))
		return;
	if (!ui->logged_in || ui->small || (ui->prompt.active && !ui->prompt.scan_ok) ||
	    (!ui->prompt.active && ui->screen != &ui_screen_sale)) {
		beep();
		ui_message(ui, true, _("Scanned %s: finish this step first, then scan again"), code);
		return;
	}
	for (const char *p = code; *p != '\0'; p++)
		dispatch(ui, (unsigned char)*p, true);
	dispatch(ui, '\n', true);
}

static void
start_workers(struct ui *ui)
{
	struct kerr err;

	if (sync_wanted(ui->cfg) && ui->sync.pid <= 0 && worker_may_restart(&ui->sync)) {
		if (sync_spawn(&ui->sync, ui->cfg, ui->db_path, &err) == -1)
			log_info("sync: %s", err.msg);
	}
	if (ui->cfg->printer_device[0] != '\0' && ui->printer.pid <= 0 &&
	    worker_may_restart(&ui->printer)) {
		if (dev_printer_spawn(&ui->printer, ui->cfg, ui->db_path, &err) == -1)
			log_info("printer: %s", err.msg);
	}
	if (ui->cfg->scanner_device[0] != '\0' && ui->scanner.pid <= 0 &&
	    worker_may_restart(&ui->scanner)) {
		if (dev_scanner_spawn(&ui->scanner, ui->cfg, &err) == -1)
			log_info("scanner: %s", err.msg);
	}
}

static void
poll_worker(struct worker *w, void (*fn)(void *, const char *), void *ctx)
{
	if (w->pid > 0 && worker_read(w, fn, ctx) == -1)
		worker_reap(w);
	else if (w->pid > 0)
		worker_reap(w);	/* a child that died without closing its pipe */
}

/* ---- the customer display ---------------------------------------------------------------- */

static uint64_t
mix(uint64_t h, int64_t v)
{
	return (h ^ (uint64_t)v) * 1099511628211u;	/* FNV-1a, a value at a time */
}

/*
 * The pole display follows the cart: the line just touched (the selected one) and the total,
 * or the change once the sale is paid. It is written only when the cart changed, so moving
 * the selection or the clock ticking sends nothing down the line.
 */
static void
update_display(struct ui *ui)
{
	const struct sale_line *l = NULL;
	const char *item = "";
	money_t price = 0, total = 0;
	uint64_t h = 14695981039346656037u;
	struct kerr err;

	if (ui->display == NULL)
		return;
	if (ui->completed) {
		h = mix(mix(h, -1), ui->last_number);
		item = _("Change");
		price = ui->last_change;
		total = ui->last_total;
	} else if (ui->logged_in && ui->sale != NULL) {
		int n = sale_line_count(ui->sale);

		h = mix(h, sale_id(ui->sale));
		for (int i = 0; i < n; i++) {
			const struct sale_line *x = sale_line(ui->sale, i);

			h = mix(mix(mix(h, x->qty), x->total), x->voided);
		}
		if (ui->sel >= 0 && ui->sel < n)
			l = sale_line(ui->sale, ui->sel);
		if (l != NULL && !l->voided) {
			item = l->name;
			price = l->total;
		}
		total = sale_totals(ui->sale)->total;
	}
	if (h == ui->display_shown)
		return;
	/* Tried once per change: a display that fails is tried again at the next change, not at
	 * every redraw, so a stuck one costs the cashier at most 200 ms a scan. */
	ui->display_shown = h;
	if (dev_display_show(ui->display, item, price, total, &err) == -1)
		log_info("display: %s", err.msg);
}

/* ---- drawing ---------------------------------------------------------------------------- */

static void
draw(struct ui *ui)
{
	erase();
	if (ui->small) {
		ui_put(LINES / 2, 0, COLS, _("Enlarge the window to at least 80x24"), 0);
		refresh();
		return;
	}
	ui->screen->draw(ui);
	if (ui->prompt.active)
		draw_prompt(ui);
	refresh();
}

/* ---- set-up and the loop ---------------------------------------------------------------- */

static int
setup_terminal(struct ui *ui)
{
	int devnull;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "kassa: the till needs a terminal (run it in a terminal, or use a "
		    "command: kassa --help)\n");
		return -1;
	}
	if (newterm(NULL, stdout, stdin) == NULL) {
		fprintf(stderr, "kassa: cannot use terminal type '%s': set TERM (e.g. "
		    "TERM=xterm-256color)\n", getenv("TERM") != NULL ? getenv("TERM") : "");
		return -1;
	}
	curses_up = true;
	/* Nothing may scribble on the screen: stderr goes to the log or nowhere. */
	saved_stderr = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull != -1) {
		dup2(devnull, STDERR_FILENO);
		close(devnull);
	}
	raw();		/* Ctrl-C, Ctrl-Z are keys at a till, not signals */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	if (has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_WHITE, COLOR_BLUE);	/* bars */
		init_pair(2, COLOR_WHITE, COLOR_RED);	/* errors */
		init_pair(3, COLOR_GREEN, -1);		/* totals */
	}
	ui->small = LINES < 24 || COLS < 80;
	return 0;
}

int
ui_run(const struct config *cfg, const char *db_path, int verbose)
{
	struct ui *ui;
	struct kerr err;
	struct sigaction sa;
	char *dev;
	int rc = 0;

	i18n_init(cfg->language);
	(void)verbose;

	ui = xcalloc(1, sizeof *ui);
	ui->cfg = cfg;
	ui_set_currency(cfg->currency);
	ui->db_path = db_path;
	ui->sync.wake_fd = ui->sync.status_fd = -1;
	ui->printer.wake_fd = ui->printer.status_fd = -1;
	ui->scanner.wake_fd = ui->scanner.status_fd = -1;
	ui->sync_state.configured = cfg->sync_url[0] != '\0';
	snprintf(ui->printer_state.state, sizeof ui->printer_state.state, "%s",
	    cfg->printer_device[0] != '\0' ? "..." : _("none"));
	ui->st = store_open(db_path, 0, &err);
	if (ui->st == NULL) {
		fprintf(stderr, "kassa: %s\n", err.msg);
		free(ui);
		return 1;
	}
	if (user_count(ui->st) == 0) {
		fprintf(stderr, "kassa: no users yet: add one with `kassa user add NAME --role "
		    "admin` (the PIN is read from standard input)\n");
		store_close(ui->st);
		free(ui);
		return 1;
	}
	dev = store_meta_get(ui->st, "store");
	/* The config names the store when it says so; else the name given at kassa init. */
	snprintf(ui->store_name, sizeof ui->store_name, "%s",
	    strcmp(cfg->store, "kassa") != 0 || dev == NULL ? cfg->store : dev);
	free(dev);
	dev = journal_device_id(ui->st);
	snprintf(ui->device, sizeof ui->device, "%.8s", dev != NULL ? dev : "?");
	free(dev);

	if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		fprintf(stderr, "kassa: pipe: %s\n", strerror(errno));
		store_close(ui->st);
		free(ui);
		return 1;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	xalloc_set_fatal_hook(restore_terminal);
	atexit(restore_terminal);
	if (setup_terminal(ui) == -1) {
		store_close(ui->st);
		free(ui);
		return 1;
	}
	ui->display = dev_display_open(cfg, &err);	/* NULL: none configured */
	ui_logout(ui);
	ui->dirty = true;

	while (!ui->quit) {
		struct pollfd fds[5];
		int n = 0, pr;

		start_workers(ui);
		fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = signal_pipe[0], .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = ui->sync.pid > 0 ? ui->sync.status_fd : -1,
		    .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = ui->printer.pid > 0 ? ui->printer.status_fd : -1,
		    .events = POLLIN };
		fds[n++] = (struct pollfd){ .fd = ui->scanner.pid > 0 ? ui->scanner.status_fd : -1,
		    .events = POLLIN };
		if (ui->dirty) {
			draw(ui);
			update_display(ui);
			ui->dirty = false;
		}
		pr = poll(fds, (nfds_t)n, 1000);
		if (pr == -1 && errno != EINTR)
			break;
		if (pr == 0)
			ui->dirty = true;	/* the clock in the status bar */
		if (fds[1].revents & POLLIN) {
			unsigned char sig;

			while (read(signal_pipe[0], &sig, 1) == 1) {
				/* SSH dropped or asked to stop: the cart is already stored. */
				if (sig == SIGHUP || sig == SIGTERM || sig == SIGINT)
					ui->quit = true;
			}
		}
		if (fds[0].revents & (POLLHUP | POLLERR))
			ui->quit = true;
		/* Also after EINTR: a resize (SIGWINCH) shows up as KEY_RESIZE from get_wch. */
		read_keys(ui);
		poll_worker(&ui->sync, on_sync_line, ui);
		poll_worker(&ui->printer, on_printer_line, ui);
		poll_worker(&ui->scanner, on_scanner_line, ui);
	}
	rc = ui->exit_code;
	worker_stop(&ui->sync, 2000);
	worker_stop(&ui->scanner, 2000);
	dev_display_close(ui->display);
	restore_terminal();
	/* The printer process finishes the receipt in hand (up to 10 s): a till closed right
	 * after a sale must not cut the customer's receipt in half. */
	worker_finish(&ui->printer, 10000, 2000);
	sale_free(ui->sale);
	store_close(ui->st);
	free(ui);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	return rc;
}
