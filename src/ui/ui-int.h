/*
 * ui-int.h: what the files of the till screen share (private to src/ui).
 *
 * struct ui holds only what every screen shares: the store, the config, the logged-in user,
 * the terminal, the message line, the status bars' data, the workers, the stack of open
 * screens and the one prompt. Everything else belongs to a screen. A screen is a const
 * struct ui_screen (its functions, its key table, the size of its state); opening it pushes
 * an instance on the stack with its own zeroed state (ui_data()), closing it frees that
 * state, the way tmux's window modes keep theirs behind wme->data. The screen below keeps
 * its state meanwhile (the sale under the payment), and what one screen hands to the next
 * goes through the argument of ui_open(), never through a field of struct ui.
 *
 * A flow (cash in/out, an approval, the whole-sale void, quitting) is a screen without a
 * picture of its own: it draws the screen below, asks its questions one after another with
 * ui_ask(), and is closed by the loop as soon as no question is open (after its last answer,
 * an error or Esc), so no path can leave it behind.
 *
 * Every key goes through the key table of the screen on top (or the prompt's): Enter, Esc,
 * Tab, arrows and F-keys are rows of the table; typed text and Backspace go to the screen's
 * text() function, which edits a line with ui_line_edit(), the one line editor. The bottom
 * bar and F1 help are both generated from the table, with the chord (Alt-0, Alt--) in place
 * of a function key the terminal lacks.
 *
 * Adding a screen (returns, customers, stock, reports): write src/ui/ui-NAME.c with a struct
 * for its state, its draw() (ending with ui_draw_bottom()), a text() if it takes typing, and
 * a key table whose rows are in the order the cashier needs them (the bar shows as many as fit,
 * first rows first; a row with bar NULL is only in the help; Esc should close it with
 * ui_close); define `const struct ui_screen ui_screen_NAME = { .name, .size = sizeof (struct
 * NAME_state), .open, .close, .draw, .text, .bindings }`, declare it below, and open it with
 * ui_open(ui, &ui_screen_NAME, arg) from a menu row or a key of another screen. struct ui does
 * not change; the Makefile picks up every .c file in src/ui.
 */
#ifndef KASSA_UI_INT_H
#define KASSA_UI_INT_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "catalog.h"
#include "config.h"
#include "customer.h"
#include "dev.h"
#include "i18n.h"
#include "kerr.h"
#include "sale.h"
#include "shift.h"
#include "store.h"
#include "sync.h"
#include "user.h"
#include "worker.h"

/* Keys as the tables name them: curses codes, and two of our own above KEY_MAX. Enter, Esc,
 * Tab and Backspace arrive as these whatever the terminal sends. */
#define UI_KEY_ESC (KEY_MAX + 1)
#define UI_KEY_TAB (KEY_MAX + 2)
/* Backspace as text() sees it. */
#define UI_BACKSPACE L'\b'

struct ui;

struct ui_binding {
	int key;                  /* KEY_F(2), KEY_UP, KEY_ENTER, UI_KEY_ESC, ... */
	const char *bar;          /* N_("find"): the word on the bottom bar; NULL: help only */
	const char *help;         /* N_("search by name"): the line in F1 help */
	void (*run)(struct ui *ui);
};

struct ui_screen {
	const char *name;
	size_t size;              /* bytes of state per instance (0: none), zeroed at open */
	/* Sets the state up from arg (what the opener hands over; may be NULL). */
	void (*open)(struct ui *ui, void *data, const void *arg);
	/* Frees what the state points to (the state itself is freed by ui_close). */
	void (*close)(struct ui *ui, void *data);
	/* On top again after the screen above closed. */
	void (*resume)(struct ui *ui);
	void (*draw)(struct ui *ui);
	/* A typed character or UI_BACKSPACE; true when used. NULL: the screen takes no text. */
	bool (*text)(struct ui *ui, wint_t ch);
	/* Keys neither the table nor text() took (the change screen: any key); may be NULL. */
	bool (*other)(struct ui *ui, int key, bool is_char);
	const struct ui_binding *bindings;   /* ends with key 0 */
	bool flow;                /* draws the screen below; closed when no question is open */
	bool scans;               /* a serial scanner's code is typed into it, then Enter */
};

/* ui_ask() flags. */
#define UI_ASK_MASKED 0x1     /* a PIN: shown as stars */
#define UI_ASK_DIGITS 0x2     /* digits only */
#define UI_ASK_SCAN 0x4       /* a serial scanner's code answers it (a receipt number) */
#define UI_ASK_KEYS 0x8       /* the screen's key table works meanwhile (the PIN's F12) */

/* A one-line question on top of the screen. */
struct ui_prompt {
	bool active;
	char title[160];
	char lead[64];            /* the bar's first words ("Type your PIN"), or "" */
	char buf[128];            /* the answer so far (UTF-8) */
	int flags;
	void (*done)(struct ui *ui, const char *answer);   /* Enter */
	void (*cancel)(struct ui *ui);                      /* Esc; may be NULL */
};

#define UI_STACK_MAX 8

struct ui_entry {
	const struct ui_screen *screen;
	void *data;
};

struct ui {
	const struct config *cfg;
	const char *db_path;
	store *st;
	char device[16];               /* short device id */
	char store_name[128];          /* [till] store, else the name given at kassa init */

	bool logged_in;
	struct user user;

	/* the terminal */
	bool small;                    /* below 80x24 */
	bool fkey[13];                 /* fkey[n]: the terminal has a real Fn key */
	bool dirty;
	bool quit;
	int exit_code;
	int64_t last_key_ms;           /* monotonic; for [till] lock_after */

	/* what is on screen */
	struct ui_entry stack[UI_STACK_MAX];
	int depth;
	struct ui_prompt prompt;
	char msg[256];                 /* the message line */
	bool msg_error;

	/* workers and the status bars */
	struct worker sync;
	struct sync_status sync_state;
	struct worker printer;
	struct dev_printer_status printer_state;
	struct worker scanner;         /* the serial scanner ([scanner] device), if any */
	bool scanner_offline;
	dev_display *display;          /* the customer pole display ([display] device), if any */
	uint64_t display_shown;        /* what it shows (a hash of the cart), to write only changes */
};

/* Screens. */
extern const struct ui_screen ui_screen_login;
extern const struct ui_screen ui_screen_sale;
extern const struct ui_screen ui_screen_menu;
extern const struct ui_screen ui_screen_report;    /* arg NULL: the day's report, else the audit */
extern const struct ui_screen ui_screen_stock;      /* ui-stock.c: F12, Stock */

/* ui.c: the screen stack. ui_open returns the new instance's state (owned by the stack). */
void *ui_open(struct ui *ui, const struct ui_screen *screen, const void *arg);
void ui_close(struct ui *ui);                          /* the top one; resumes the one below */
void ui_reset(struct ui *ui, const struct ui_screen *screen, const void *arg);   /* all, then open */
void *ui_data(struct ui *ui);                          /* the top one's state */
const struct ui_screen *ui_top(const struct ui *ui);
void ui_draw_below(struct ui *ui);                     /* a flow's picture */

/* ui.c: messages, prompts, flows */
void ui_message(struct ui *ui, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_error(struct ui *ui, const struct kerr *err);
void ui_ask(struct ui *ui, const char *title, int flags,
    void (*done)(struct ui *, const char *), void (*cancel)(struct ui *));
/*
 * Asks for a manager's PIN for right and calls retry with the approver, with the screen (or
 * flow) that asked on top again, so retry finds its own state with ui_data(). Refused or
 * cancelled: retry is not called.
 */
void ui_need_approval(struct ui *ui, enum user_right right,
    void (*retry)(struct ui *, const struct user *));
void ui_quit_asked(struct ui *ui);                     /* a manager's PIN, then quit */
void ui_show_help(struct ui *ui);                      /* F1 on any screen */
void ui_after_commit(struct ui *ui);
void ui_logout(struct ui *ui);
/* The line editor: ch typed (or UI_BACKSPACE) into buf. True when buf changed. */
bool ui_line_edit(char *buf, size_t size, wint_t ch);
/* The table the keys and the bar follow now: the prompt's, or the top screen's. */
const struct ui_binding *ui_bar_bindings(struct ui *ui);
/* "F10", or "Alt-0" where the terminal has no F10; "Esc", "Enter", ... */
const char *ui_key_label(const struct ui *ui, int key);
/* The pole display shows item/price/total when hash differs from what it shows. */
void ui_display_show(struct ui *ui, uint64_t hash, const char *item, money_t price,
    money_t total);

/* ui-draw.c: width-aware text, money, frame parts */
int ui_width(const char *utf8);
void ui_put(int y, int x, int width, const char *utf8, int align);  /* align: -1 0 1 */
char *ui_money(money_t amount, char *buf, size_t size);             /* "12 500 so'm" */
void ui_set_currency(const char *code);                             /* [till] currency */
/* An RFC 3339 UTC time as the people at the till read it: local time, "2026-12-03 13:24". */
char *ui_local_time(const char *rfc3339, char *buf, size_t size);
void ui_draw_status(struct ui *ui);
/* The message line and the bottom bar: lead, then the keys of the top screen's table (or
 * the prompt's) that fit before the printer's and scanner's state, whole words only. */
void ui_draw_bottom(struct ui *ui, const char *lead);
/* The bar's text for bindings, as ui_draw_bottom lays it out within width columns. */
void ui_bar_text(struct ui *ui, const char *lead, const struct ui_binding *b, int width,
    char *out, size_t size);
void ui_draw_big(int y, int x, const char *text);

/* ui-text.c: the text view (reports, stock, help). Open it, then add lines. */
struct ui_text;
struct ui_text *ui_text_open(struct ui *ui, const char *title);
void ui_text_add(struct ui_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ui_text_logout_after(struct ui_text *t);          /* Esc logs out (after the Z report) */
void ui_report_text(struct ui *ui, const struct shift_report *r, const char *title);

/* ui-login.c */
void ui_login_start(struct ui *ui);
void ui_start_shift_or_sale(struct ui *ui);

/* ui-sale.c: the open sale of the sale screen in the stack (NULL when none). */
sale *ui_sale(struct ui *ui);
void ui_sale_select_last(struct ui *ui);               /* after a recall */

/* ui-return.c: F6 (a return in progress is resumed, else the receipt is asked for); the
 * return in progress, if any, opened over the sale screen (true when there was one); the
 * menu's return without a receipt. */
void ui_return_start(struct ui *ui);
bool ui_return_resume(struct ui *ui);
void ui_return_no_receipt(struct ui *ui);

/* ui-customer.c: the customer screen (F7, the menu's Customers row) and the line the sale
 * and pay screens show for the sale's customer (s may be NULL: nothing is drawn). */
extern const struct ui_screen ui_screen_customer;
void ui_customer_find(struct ui *ui);
void ui_customer_menu(struct ui *ui);                  /* closes the menu first */
void ui_customer_line(struct ui *ui, sale *s, int y);

/* ui-menu.c: the pick lists */
void ui_list_parked(struct ui *ui);
void ui_list_customers(struct ui *ui, const char *query);

#endif
