/*
 * ui-login.c: the PIN prompt and, when no shift is open, the opening float.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "ui-int.h"

static void ask_pin(struct ui *ui);

static void
float_entered(struct ui *ui, const char *text)
{
	struct kerr err;
	money_t amount;

	if (money_parse(text[0] != '\0' ? text : "0", false, &amount, &err) == -1 ||
	    shift_open(ui->st, &ui->user, amount, NULL, &err) == -1) {
		ui_error(ui, &err);
		ui_start_shift_or_sale(ui);
		return;
	}
	ui_after_commit(ui);
	ui_message(ui, false, _("Shift opened"));
	ui_start_shift_or_sale(ui);
}

void
ui_start_shift_or_sale(struct ui *ui)
{
	if (!shift_current(ui->st, NULL)) {
		ui_show(ui, &ui_screen_login);
		ui_ask(ui, _("No shift is open. Opening cash (float), then Enter"), false, false,
		    float_entered, ui_logout);
		return;
	}
	ui_sale_reload(ui);
	ui_show(ui, &ui_screen_sale);
}

static void
pin_entered(struct ui *ui, const char *pin)
{
	struct kerr err;

	if (user_login(ui->st, pin, &ui->user, &err) == -1) {
		ui_error(ui, &err);
		ask_pin(ui);
		return;
	}
	ui->logged_in = true;
	ui_message(ui, false, _("Welcome, %s"), ui->user.name);
	ui_start_shift_or_sale(ui);
}

static void
ask_pin(struct ui *ui)
{
	ui_ask(ui, _("PIN, then Enter"), true, true, pin_entered, ask_pin);
}

void
ui_login_start(struct ui *ui)
{
	ui_show(ui, &ui_screen_login);
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
	ui_draw_bottom(ui, _("Type your PIN   F12 quit"));
}

static void
quit(struct ui *ui)
{
	ui->quit = true;
}

static const struct ui_binding login_keys[] = {
	{ KEY_F(1), "F1", N_("help"), NULL },
	{ KEY_F(12), "F12", N_("quit"), quit },
	{ 0, NULL, NULL, NULL }
};

const struct ui_screen ui_screen_login = {
	.name = "login",
	.draw = login_draw,
	.key = NULL,
	.bindings = login_keys,
};
