/*
 * ui.c: the till's main loop. One poll() over the terminal, the sync and printer workers'
 * status pipes and a signal pipe, with a one-second tick for the clock. Keys go to the prompt
 * if one is open, else to the screen's key table, else to the screen. The screen is redrawn
 * once per pass when something changed. The terminal is restored on every way out.
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "journal.h"
#include "log.h"
#include "timestamp.h"
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

/*
 * A crash (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) must not leave the cashier's terminal in
 * raw mode on the alternate screen. endwin() is not safe in a signal handler, so what it does
 * is prepared at start: the terminal's own strings to leave the keypad mode, the attributes,
 * the hidden cursor and the alternate screen, and the terminal settings from before curses.
 * The handler writes and restores those (both async-signal-safe), puts back the action that
 * was there before (the default, or a sanitizer's report) and raises the signal again.
 */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
#define NCRASH (sizeof crash_signals / sizeof crash_signals[0])
static struct sigaction crash_saved[NCRASH];
static char crash_reset[256];
static size_t crash_reset_len;
static struct termios crash_termios;
static bool crash_termios_ok;

static void
on_crash(int sig)
{
	int saved = errno;

	if (curses_up && crash_reset_len > 0 && write(STDOUT_FILENO, crash_reset, crash_reset_len) == -1) {
		/* nothing more to do for the terminal */
	}
	if (crash_termios_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &crash_termios);
	for (size_t i = 0; i < NCRASH; i++) {
		if (crash_signals[i] == sig)
			sigaction(sig, &crash_saved[i], NULL);
	}
	errno = saved;
	raise(sig);
}

static void
crash_add(const char *cap)
{
	const char *s = tigetstr(cap);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (crash_reset_len + n < sizeof crash_reset) {
		memcpy(crash_reset + crash_reset_len, s, n);
		crash_reset_len += n;
	}
}

static void
crash_handlers_install(void)
{
	struct sigaction sa;

	crash_add("rmkx");
	crash_add("sgr0");
	crash_add("cnorm");
	crash_add("rmcup");
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_crash;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NODEFER | SA_RESETHAND;
	for (size_t i = 0; i < NCRASH; i++)
		sigaction(crash_signals[i], &sa, &crash_saved[i]);
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

/* ---- the screen stack ------------------------------------------------------------------ */

void *
ui_open(struct ui *ui, const struct ui_screen *screen, const void *arg)
{
	struct ui_entry *e;

	if (ui->depth == UI_STACK_MAX) {
		/* Screens open from a handful of places, never in a loop: a full stack is a bug. */
		log_info("ui: screen stack full opening %s", screen->name);
		ui_close(ui);
	}
	e = &ui->stack[ui->depth++];
	e->screen = screen;
	e->data = screen->size > 0 ? xcalloc(1, screen->size) : NULL;
	ui->dirty = true;
	if (screen->open != NULL)
		screen->open(ui, e->data, arg);
	return e->data;
}

static void
close_top(struct ui *ui)
{
	struct ui_entry *e = &ui->stack[ui->depth - 1];

	if (e->screen->close != NULL)
		e->screen->close(ui, e->data);
	free(e->data);
	e->data = NULL;
	e->screen = NULL;
	ui->depth--;
	ui->dirty = true;
}

void
ui_close(struct ui *ui)
{
	if (ui->depth == 0)
		return;
	close_top(ui);
	if (ui->depth > 0 && ui->stack[ui->depth - 1].screen->resume != NULL)
		ui->stack[ui->depth - 1].screen->resume(ui);
}

void
ui_reset(struct ui *ui, const struct ui_screen *screen, const void *arg)
{
	explicit_bzero(&ui->prompt, sizeof ui->prompt);
	while (ui->depth > 0)
		close_top(ui);
	ui_open(ui, screen, arg);
}

void *
ui_data(struct ui *ui)
{
	return ui->depth > 0 ? ui->stack[ui->depth - 1].data : NULL;
}

const struct ui_screen *
ui_top(const struct ui *ui)
{
	return ui->depth > 0 ? ui->stack[ui->depth - 1].screen : NULL;
}

void
ui_draw_below(struct ui *ui)
{
	/* The nearest screen under the flows draws itself as if it were on top. */
	for (int i = ui->depth - 1; i >= 0; i--) {
		if (!ui->stack[i].screen->flow) {
			int depth = ui->depth;

			ui->depth = i + 1;
			ui->stack[i].screen->draw(ui);
			ui->depth = depth;
			return;
		}
	}
}

/* A flow lives while it has a question open: after its last answer, an error or Esc it goes. */
static void
close_idle_flows(struct ui *ui)
{
	while (!ui->prompt.active && ui->depth > 0 && ui->stack[ui->depth - 1].screen->flow)
		ui_close(ui);
}

/* ---- messages, prompts, flows -------------------------------------------------------------- */

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
ui_ask(struct ui *ui, const char *title, int flags,
    void (*done)(struct ui *, const char *), void (*cancel)(struct ui *))
{
	struct ui_prompt *p = &ui->prompt;

	explicit_bzero(p, sizeof *p);
	p->active = true;
	snprintf(p->title, sizeof p->title, "%s", title);
	p->flags = flags;
	p->done = done;
	p->cancel = cancel;
	ui->dirty = true;
}

/* The approval flow: its state is the right asked for and what to do once granted. */
struct approval {
	enum user_right right;
	void (*retry)(struct ui *, const struct user *);
};

static void
approval_open(struct ui *ui, void *data, const void *arg)
{
	(void)ui;
	*(struct approval *)data = *(const struct approval *)arg;
}

static void
approval_draw(struct ui *ui)
{
	ui_draw_below(ui);
}

static const struct ui_binding no_keys[] = {
	{ 0, NULL, NULL, NULL }
};

static const struct ui_screen ui_screen_approval = {
	.name = "approval", .size = sizeof(struct approval), .open = approval_open,
	.draw = approval_draw, .bindings = no_keys, .flow = true,
};

static void
approval_pin(struct ui *ui, const char *pin)
{
	struct approval a = *(struct approval *)ui_data(ui);
	struct user approver;
	struct kerr err;

	if (user_approve(ui->st, pin, a.right, &approver, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	/* The asker on top again, with its own state, before it goes on. */
	ui_close(ui);
	a.retry(ui, &approver);
}

void
ui_need_approval(struct ui *ui, enum user_right right,
    void (*retry)(struct ui *, const struct user *))
{
	struct approval a = { right, retry };

	beep();
	ui_open(ui, &ui_screen_approval, &a);
	ui_ask(ui, _("Manager approval needed: manager PIN"), UI_ASK_MASKED | UI_ASK_DIGITS,
	    approval_pin, NULL);
}

/* Quitting: the core decides whose PIN may close the till (RIGHT_QUIT). */
static void
quit_pin(struct ui *ui, const char *pin)
{
	struct user approver;
	struct kerr err;

	if (user_approve(ui->st, pin, RIGHT_QUIT, &approver, &err) == -1) {
		ui_error(ui, &err);
		return;
	}
	log_info("till closed by %s", approver.name);
	ui->quit = true;
}

static const struct ui_screen ui_screen_quit = {
	.name = "quit", .draw = approval_draw, .bindings = no_keys, .flow = true,
};

void
ui_quit_asked(struct ui *ui)
{
	ui->prompt.active = false;
	ui_open(ui, &ui_screen_quit, NULL);
	ui_ask(ui, _("Quit the till: manager PIN"), UI_ASK_MASKED | UI_ASK_DIGITS, quit_pin, NULL);
}

void
ui_show_help(struct ui *ui)
{
	const struct ui_screen *screen = ui_top(ui);
	struct ui_text *t;
	char line[200];

	ui->prompt.active = false;	/* the PIN typed so far goes; the screen asks again */
	t = ui_text_open(ui, _("Keys"));
	for (const struct ui_binding *b = screen->bindings; b->key != 0; b++) {
		snprintf(line, sizeof line, "%-10s %s", ui_key_label(ui, b->key), _(b->help));
		ui_text_add(t, "%s", line);
	}
	ui_text_add(t, "%s", "");
	if (screen == &ui_screen_sale)
		ui_text_add(t, "%s", _("A code then Enter adds one; N*CODE adds N (3*4780001234567)."));
	ui_text_add(t, "%s: %s", _("Without F-keys"), "Alt-1..Alt-0 = F1..F10, Alt-- = F12");
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
	ui->logged_in = false;
	explicit_bzero(&ui->user, sizeof ui->user);
	ui_login_start(ui);
}

/* ---- the line editor --------------------------------------------------------------------- */

bool
ui_line_edit(char *buf, size_t size, wint_t ch)
{
	size_t len = strlen(buf);

	if (ch == UI_BACKSPACE) {
		if (len == 0)
			return false;
		/* The last UTF-8 character: its lead byte and its continuation bytes. */
		while (len > 0) {
			len--;
			if (((unsigned char)buf[len] & 0xc0) != 0x80)
				break;
		}
		buf[len] = '\0';
		return true;
	}
	if (ch < L' ' || ch == 127) {
		return false;
	} else {
		char mb[MB_LEN_MAX + 1];
		mbstate_t ps;
		size_t n;

		memset(&ps, 0, sizeof ps);
		n = wcrtomb(mb, (wchar_t)ch, &ps);
		if (n == (size_t)-1 || len + n + 1 > size)
			return false;
		memcpy(buf + len, mb, n);
		buf[len + n] = '\0';
		return true;
	}
}

/* ---- the prompt ------------------------------------------------------------------------- */

static void
prompt_answer(struct ui *ui)
{
	struct ui_prompt *p = &ui->prompt;
	void (*done)(struct ui *, const char *) = p->done;
	char answer[sizeof p->buf];

	memcpy(answer, p->buf, sizeof answer);
	explicit_bzero(p->buf, sizeof p->buf);
	p->active = false;
	if (done != NULL)
		done(ui, answer);
	explicit_bzero(answer, sizeof answer);
}

static void
prompt_cancel(struct ui *ui)
{
	struct ui_prompt *p = &ui->prompt;
	void (*cancel)(struct ui *) = p->cancel;

	explicit_bzero(p->buf, sizeof p->buf);
	p->active = false;
	if (cancel != NULL)
		cancel(ui);
}

/* The prompt's own keys: its bar is generated from this table like a screen's. */
static const struct ui_binding prompt_keys[] = {
	{ KEY_ENTER, N_("OK"), N_("answer"), prompt_answer },
	{ UI_KEY_ESC, N_("cancel"), N_("cancel"), prompt_cancel },
	{ 0, NULL, NULL, NULL }
};

static void
prompt_text(struct ui *ui, wint_t ch)
{
	struct ui_prompt *p = &ui->prompt;

	if ((p->flags & UI_ASK_DIGITS) && ch != UI_BACKSPACE && !(ch >= L'0' && ch <= L'9')) {
		beep();
		return;
	}
	if (!ui_line_edit(p->buf, sizeof p->buf, ch) && ch != UI_BACKSPACE)
		beep();
}

static void
draw_prompt(struct ui *ui)
{
	struct ui_prompt *p = &ui->prompt;
	int w = COLS - 8, y = LINES / 2 - 2, x = 4;
	char shown[sizeof p->buf];

	attron(A_REVERSE);
	for (int i = 0; i < 4; i++)
		mvhline(y + i, x, ' ', w);
	ui_put(y, x + 1, w - 2, p->title, -1);
	attroff(A_REVERSE);
	mvhline(y + 2, x + 1, ' ', w - 2);
	if (p->flags & UI_ASK_MASKED) {
		int n = ui_width(p->buf);

		memset(shown, '*', (size_t)n);
		shown[n] = '\0';
	} else
		snprintf(shown, sizeof shown, "%s", p->buf);
	ui_put(y + 2, x + 2, w - 4, shown, -1);
	attron(A_REVERSE);
	ui_put(y + 3, x + 1, w - 2, _("Enter: OK   Esc: cancel"), 1);
	attroff(A_REVERSE);
	move(y + 2, x + 2 + (ui_width(shown) < w - 4 ? ui_width(shown) : w - 4));
}

const struct ui_binding *
ui_bar_bindings(struct ui *ui)
{
	if (ui->prompt.active && !(ui->prompt.flags & UI_ASK_KEYS))
		return prompt_keys;
	return ui_top(ui)->bindings;
}

/* ---- keys ------------------------------------------------------------------------------- */

static const struct ui_binding *
find_binding(const struct ui_binding *b, int key)
{
	for (; b != NULL && b->key != 0; b++) {
		if (b->key == key && b->run != NULL)
			return b;
	}
	return NULL;
}

/*
 * One key, already normalised: Enter, Esc, Tab are KEY_ENTER, UI_KEY_ESC, UI_KEY_TAB and
 * Backspace is UI_BACKSPACE text, whatever the terminal sent.
 */
static void
dispatch(struct ui *ui, int key, bool is_char)
{
	const struct ui_screen *s = ui_top(ui);
	const struct ui_binding *b;

	if (ui->small || s == NULL)
		return;
	ui->dirty = true;
	if (ui->prompt.active) {
		if (!is_char && (b = find_binding(prompt_keys, key)) != NULL)
			b->run(ui);
		else if (is_char)
			prompt_text(ui, (wint_t)key);
		else if ((ui->prompt.flags & UI_ASK_KEYS) && (b = find_binding(s->bindings,
		    key)) != NULL)
			b->run(ui);
		else
			beep();
		close_idle_flows(ui);
		return;
	}
	if (!is_char && (b = find_binding(s->bindings, key)) != NULL) {
		ui->msg[0] = '\0';
		b->run(ui);
	} else if (is_char && s->text != NULL && s->text(ui, (wint_t)key)) {
		/* typed */
	} else if (s->other != NULL && s->other(ui, key, is_char)) {
		/* taken */
	} else
		beep();
	close_idle_flows(ui);
}

/* Alt-1 .. Alt-0 and Alt-- stand for F1 .. F10 and F12 on terminals without F-keys. */
static int
alt_chord(wint_t next)
{
	static const char fkeys[] = "1234567890-";
	const char *p = next < 128 && next != 0 ? strchr(fkeys, (int)next) : NULL;
	int n;

	if (p == NULL)
		return 0;
	n = (int)(p - fkeys) + 1;
	return KEY_F(n == 11 ? 12 : n);
}

static void
key_in(struct ui *ui, int key, bool is_char)
{
	ui->last_key_ms = timestamp_monotonic_ms();
	if (is_char && (key == '\r' || key == '\n'))
		dispatch(ui, KEY_ENTER, false);
	else if (is_char && key == '\t')
		dispatch(ui, UI_KEY_TAB, false);
	else if (is_char && (key == 127 || key == 8))
		dispatch(ui, UI_BACKSPACE, true);
	else if (!is_char && key == KEY_BACKSPACE)
		dispatch(ui, UI_BACKSPACE, true);
	else if (is_char && key < ' ')
		beep();		/* Ctrl-C, Ctrl-Z and the like do nothing at a till */
	else
		dispatch(ui, key, is_char);
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
			key_in(ui, (int)ch, false);
		} else if (ch == 27) {
			wint_t next;

			/* Esc alone is "back"; Esc followed at once by a key is an Alt chord. */
			nodelay(stdscr, TRUE);
			if (get_wch(&next) == OK) {
				int f = alt_chord(next);

				if (next == '[' || next == 'O') {
					/* A key this terminal description does not know: swallow the
					 * whole sequence rather than type it into the input. */
					while (get_wch(&next) == OK && !(next >= 0x40 && next <= 0x7e))
						;
					beep();
				} else if (f != 0)
					key_in(ui, f, false);
				else
					beep();
			} else
				key_in(ui, UI_KEY_ESC, false);
		} else
			key_in(ui, (int)ch, true);
		if (ui->quit)
			break;
	}
}

/*
 * Whether the terminal has a real Fn key: its terminfo names one (kfN), and it is not one of
 * the VT100 keypad's keys (ESC O followed by a lower-case letter) that old descriptions list as
 * F5..F10: a cashier on such a terminal has no key labelled F10, so the bar shows Alt-0.
 */
static void
find_fkeys(struct ui *ui)
{
	for (int n = 1; n <= 12; n++) {
		char cap[16];
		const char *s;

		snprintf(cap, sizeof cap, "kf%d", n);
		s = tigetstr(cap);
		ui->fkey[n] = s != NULL && s != (char *)-1 && s[0] != '\0' &&
		    !(s[0] == 27 && s[1] == 'O' && s[2] >= 'a' && s[2] <= 'z');
	}
}

const char *
ui_key_label(const struct ui *ui, int key)
{
	static const char *const chords[] = {
		"", "Alt-1", "Alt-2", "Alt-3", "Alt-4", "Alt-5", "Alt-6", "Alt-7", "Alt-8",
		"Alt-9", "Alt-0", "F11", "Alt--",
	};
	static const char *const fnames[] = {
		"", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12",
	};

	if (key >= KEY_F(1) && key <= KEY_F(12))
		return ui->fkey[key - KEY_F0] ? fnames[key - KEY_F0] : chords[key - KEY_F0];
	switch (key) {
	case KEY_ENTER: return "Enter";
	case UI_KEY_ESC: return "Esc";
	case UI_KEY_TAB: return "Tab";
	case KEY_UP: return _("Up");
	case KEY_DOWN: return _("Down");
	case KEY_PPAGE: return "PgUp";
	case KEY_NPAGE: return "PgDn";
	case KEY_DC: return "Del";
	default: return "?";
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
 * but only where a typed code means what was scanned: on the sale or return screen with no
 * question open (an item), or at a question that asks for a scan (a receipt's number). Elsewhere (a
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
	if (!ui->logged_in || ui->small ||
	    (ui->prompt.active && !(ui->prompt.flags & UI_ASK_SCAN)) ||
	    (!ui->prompt.active && !ui_top(ui)->scans)) {
		beep();
		ui_message(ui, true, _("Scanned %s: finish this step first, then scan again"), code);
		return;
	}
	for (const char *p = code; *p != '\0'; p++)
		key_in(ui, (unsigned char)*p, true);
	key_in(ui, '\n', true);
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


/*
 * The pole display follows the cart (the sale screen says what: the line just touched and the
 * total, or the change once paid). It is written only when the cart changed, so moving the
 * selection or the clock ticking sends nothing down the line.
 */
void
ui_display_show(struct ui *ui, uint64_t hash, const char *item, money_t price, money_t total)
{
	struct kerr err;

	if (ui->display == NULL || hash == ui->display_shown)
		return;
	/* Tried once per change: a display that fails is tried again at the next change, not at
	 * every redraw, so a stuck one costs the cashier at most 200 ms a scan. */
	ui->display_shown = hash;
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
	ui_top(ui)->draw(ui);
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
	crash_termios_ok = tcgetattr(STDIN_FILENO, &crash_termios) == 0;
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
	find_fkeys(ui);
	crash_handlers_install();
	return 0;
}

/*
 * [till] lock_after: a till left alone goes back to the PIN prompt. The open sale is stored
 * on every change, so nothing is lost: the next log-in resumes it (another cashier is told
 * whose it was, see ui-login.c).
 */
static void
lock_if_idle(struct ui *ui)
{
	struct user was;

	if (!ui->logged_in || ui->cfg->lock_after_s <= 0 ||
	    timestamp_monotonic_ms() - ui->last_key_ms < (int64_t)ui->cfg->lock_after_s * 1000)
		return;
	was = ui->user;
	ui->logged_in = false;
	explicit_bzero(&ui->user, sizeof ui->user);
	ui_reset(ui, &ui_screen_login, &was);
	ui_message(ui, false, _("Locked: nobody pressed a key for a while. PIN to go on"));
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
	ui->st = store_open(db_path, STORE_TILL, &err);	/* checkpoints only when idle */
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
	ui->last_key_ms = timestamp_monotonic_ms();
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
		lock_if_idle(ui);
		if (ui->dirty) {
			draw(ui);
			ui->dirty = false;
		}
		pr = poll(fds, (nfds_t)n, 1000);
		if (pr == -1 && errno != EINTR)
			break;
		if (pr == 0) {
			ui->dirty = true;	/* the clock in the status bar */
			/* A second without a key: the WAL goes into the database now, not
			 * in the middle of a scan (issue 17). A failure here shows again at
			 * the next sale's commit, where the cashier sees it. */
			if (store_checkpoint_idle(ui->st, &err) == -1)
				log_info("checkpoint: %s", err.msg);
		}
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
	ui->prompt.active = false;
	while (ui->depth > 0)
		close_top(ui);
	store_close(ui->st);
	free(ui);
	close(signal_pipe[0]);
	close(signal_pipe[1]);
	return rc;
}
