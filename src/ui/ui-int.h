/*
 * ui-int.h: what the files of the till screen share (private to src/ui).
 *
 * One struct ui holds the session: the store, the logged-in user, the open sale, the workers'
 * states and what is on screen. A screen is a const struct of functions and a key table; the
 * help screen is generated from the same table. A prompt (a one-line question: an amount, a
 * PIN, a reason) sits on top of any screen and takes the keys until it is answered or
 * cancelled.
 */
#ifndef KASSA_UI_INT_H
#define KASSA_UI_INT_H

#include <stdbool.h>
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

/* Alt-1 .. Alt-0 and Alt-- stand for F1 .. F10 and F12 on terminals without F-keys. */
#define UI_KEY_F(n) (KEY_F0 + (n))

struct ui;

struct ui_binding {
	int key;                  /* a curses key code (KEY_F(2), KEY_UP, '\n', ...) */
	const char *label;        /* "F2" as shown in the help */
	const char *help;         /* N_("search by name") */
	void (*run)(struct ui *ui);
};

struct ui_screen {
	const char *name;
	void (*draw)(struct ui *ui);
	/* Keys the table does not bind (typing, arrows); true when used. */
	bool (*key)(struct ui *ui, int key, bool is_char);
	const struct ui_binding *bindings;   /* ends with key 0 */
};

/* A one-line question on top of the screen. */
struct ui_prompt {
	bool active;
	char title[160];
	wchar_t buf[64];
	int len;
	bool masked;             /* PINs */
	bool digits_only;
	bool scan_ok;            /* a serial scanner's code answers it (a receipt number) */
	void (*done)(struct ui *ui, const char *answer);   /* Enter */
	void (*cancel)(struct ui *ui);                      /* Esc; may be NULL */
};

#define UI_LIST_MAX 12
#define UI_TEXT_MAX 60

struct ui {
	const struct config *cfg;
	const char *db_path;
	store *st;
	bool logged_in;
	struct user user;
	sale *sale;
	int sel;                       /* selected cart line */
	int top;                       /* first cart line shown */
	const struct ui_screen *screen;
	struct ui_prompt prompt;
	char input[128];               /* the sale screen's input line (UTF-8) */
	char msg[256];                 /* the message line */
	bool msg_error;
	bool dirty;
	bool quit;
	int exit_code;
	bool small;                    /* below 80x24 */
	char device[16];               /* short device id */
	char store_name[128];          /* [till] store, else the name given at kassa init */

	/* F2 search */
	char query[128];
	struct product found[UI_LIST_MAX];
	int nfound, fsel;

	/* pay */
	enum pay_method method;
	bool completed;                /* a sale just completed: show the change */
	money_t last_change, last_total;
	int64_t last_number;

	/* lists: parked sales, customers, menu */
	struct sale_summary parked[UI_LIST_MAX];
	struct customer customers[UI_LIST_MAX];
	int nlist, lsel;
	bool list_parked;              /* the list shows parked sales, else customers */

	/* text view: reports, stock, help */
	char text[UI_TEXT_MAX][96];
	int ntext;
	char text_title[96];
	const struct ui_screen *back;  /* where Esc from the text view returns */
	bool after_close;              /* the Z report was shown: log out after it */

	/* approvals: the action to retry once a manager typed a PIN */
	enum user_right want_right;
	void (*retry)(struct ui *ui, const struct user *approver);
	char pending[128];             /* what the retried action needs (an amount, a reason) */
	money_t pending_amount;

	/* workers */
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
extern const struct ui_screen ui_screen_search;
extern const struct ui_screen ui_screen_pay;
extern const struct ui_screen ui_screen_menu;
extern const struct ui_screen ui_screen_list;
extern const struct ui_screen ui_screen_text;

/* ui.c: switching, messages, prompts, the frame */
void ui_show(struct ui *ui, const struct ui_screen *screen);
void ui_message(struct ui *ui, bool error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ui_error(struct ui *ui, const struct kerr *err);
void ui_ask(struct ui *ui, const char *title, bool masked, bool digits_only,
    void (*done)(struct ui *, const char *), void (*cancel)(struct ui *));
void ui_need_approval(struct ui *ui, enum user_right right,
    void (*retry)(struct ui *, const struct user *));
void ui_after_commit(struct ui *ui);
void ui_logout(struct ui *ui);

/* ui-draw.c: width-aware text, money, frame parts */
int ui_width(const char *utf8);
void ui_put(int y, int x, int width, const char *utf8, int align);  /* align: -1 0 1 */
char *ui_money(money_t amount, char *buf, size_t size);             /* "12 500 so'm" */
void ui_set_currency(const char *code);                             /* [till] currency */
void ui_draw_status(struct ui *ui);
void ui_draw_bottom(struct ui *ui, const char *hint);
void ui_draw_big(int y, int x, const char *text);
void ui_text_clear(struct ui *ui, const char *title);
void ui_text_add(struct ui *ui, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ui-login.c */
void ui_login_start(struct ui *ui);

/* ui-sale.c */
void ui_sale_reload(struct ui *ui);
void ui_start_shift_or_sale(struct ui *ui);

/* ui-customer.c: the customer screen (F7, the menu's Customers row) and the line the sale
 * and pay screens show for the sale's customer (s may be NULL: nothing is drawn). */
extern const struct ui_screen ui_screen_customer;
void ui_customer_find(struct ui *ui);
void ui_customer_menu(struct ui *ui);
void ui_customer_line(struct ui *ui, sale *s, int y);

/* ui-menu.c */
void ui_report_text(struct ui *ui, const struct shift_report *r, const char *title);
void ui_help_for(struct ui *ui, const struct ui_screen *screen);

#endif
