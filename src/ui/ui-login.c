/*
 * ui-login.c: the PIN prompt and, when no shift is open, the opening float.
 *
 * The login screen's state is who was logged in when the till locked itself ([till]
 * lock_after). The open sale stays with the till, stored: the same cashier resumes it; another
 * one takes it over as the core does for any open cart (the sale's events name who took the
 * money) but is told, with a beep, whose sale it was, so nobody pays someone else's cart
 * without knowing.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui-int.h"

struct login {
	struct user locked_by;         /* id 0: the till was not locked */
};

static void ask_pin(struct ui *ui);

static void ask_float(struct ui *ui);

static void
float_entered(struct ui *ui, const char *text)
{
	struct kerr err;
	money_t amount;

	if (money_parse(text[0] != '\0' ? text : "0", false, &amount, &err) == -1 ||
	    shift_open(ui->st, &ui->user, amount, NULL, &err) == -1) {
		ui_error(ui, &err);
		ask_float(ui);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("Shift opened"));
	ui_reset(ui, &ui_screen_sale, NULL);
}

static void
ask_float(struct ui *ui)
{
	ui_ask(ui, _("No shift is open. Opening cash (float), then Enter"), 0, float_entered,
	    ui_logout);
}

static void
float_draw(struct ui *ui)
{
	ui_draw_below(ui);
}

static const struct ui_binding float_keys[] = {
	{ 0, NULL, NULL, NULL }
};

/* The opening-cash question, as a flow over the login screen: its bar is the question's. */
static const struct ui_screen ui_screen_float = {
	.name = "float", .draw = float_draw, .bindings = float_keys, .flow = true,
};

void
ui_start_shift_or_sale(struct ui *ui)
{
	if (!shift_current(ui->st, NULL)) {
		ui_open(ui, &ui_screen_float, NULL);
		ask_float(ui);
		return;
	}
	ui_reset(ui, &ui_screen_sale, NULL);
	/* A return left by a crash, a kill or the lock is resumed as a cart is. */
	ui_return_resume(ui);
}

static void
pin_entered(struct ui *ui, const char *pin)
{
	struct login *l = ui_data(ui);
	struct user was = l->locked_by;
	struct kerr err;
	sale *s;

	if (user_login(ui->st, pin, &ui->user, &err) == -1) {
		ui_error(ui, &err);
		ask_pin(ui);
		return;
	}
	ui->logged_in = true;
	ui_message(ui, false, _("Welcome, %s"), ui->user.name);
	ui_start_shift_or_sale(ui);
	s = ui_sale(ui);
	if (was.id != 0 && was.id != ui->user.id && s != NULL && sale_totals(s)->lines > 0)
		ui_message(ui, true, _("%s's open sale is now yours: check it before payment "
		    "(F5 parks it, F9 voids it)"), was.name);
}

static void
ask_pin(struct ui *ui)
{
	ui_ask(ui, _("PIN, then Enter"), UI_ASK_MASKED | UI_ASK_DIGITS | UI_ASK_KEYS, pin_entered,
	    ask_pin);
	snprintf(ui->prompt.lead, sizeof ui->prompt.lead, "%s", _("Type your PIN"));
}

void
ui_login_start(struct ui *ui)
{
	ui_reset(ui, &ui_screen_login, NULL);
}

static void
login_open(struct ui *ui, void *data, const void *arg)
{
	struct login *l = data;

	if (arg != NULL)
		l->locked_by = *(const struct user *)arg;
	ask_pin(ui);
}

static void
login_resume(struct ui *ui)
{
	if (!ui->logged_in && !ui->prompt.active)
		ask_pin(ui);
}

static void
login_draw(struct ui *ui)
{
	ui_draw_status(ui);
	attron(A_BOLD);
	ui_put(4, 0, COLS, "kassa", 0);
	attroff(A_BOLD);
	ui_put(6, 0, COLS, ui->store_name, 0);
	ui_draw_bottom(ui, NULL);
}

static const struct ui_binding login_keys[] = {
	{ KEY_F(1), N_("help"), N_("help"), ui_show_help },
	{ KEY_F(12), N_("quit"), N_("quit the till (a manager's PIN)"), ui_quit_asked },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_login = {
	.name = "login",
	.size = sizeof(struct login),
	.open = login_open,
	.resume = login_resume,
	.draw = login_draw,
	.bindings = login_keys,
};
