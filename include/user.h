/*
 * user: cashiers, managers and admins; PINs as yescrypt hashes (libcrypt); the rights each role
 * has, enforced here in the core (the UI only asks for a manager's PIN when told to).
 */
#ifndef KASSA_USER_H
#define KASSA_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "kerr.h"
#include "store.h"

enum user_role { ROLE_CASHIER = 0, ROLE_MANAGER = 1, ROLE_ADMIN = 2 };

struct user {
	int64_t id;
	char name[64];
	enum user_role role;
};

/* What a role may do without a manager's approval. */
enum user_right {
	RIGHT_SELL,            /* ring up, pay: every role */
	RIGHT_VOID_LINE,       /* void a line before payment started: every role */
	RIGHT_VOID_PAID,       /* void a line or a sale after a payment was tendered: manager */
	RIGHT_DISCOUNT_BIG,    /* a discount above the cashier limit: manager */
	RIGHT_NO_SALE,         /* open the drawer without a sale: manager */
	RIGHT_CASH_MOVE,       /* cash in / out: manager */
	RIGHT_SHIFT_CLOSE,     /* close the shift: every role (the Z report is the record) */
	RIGHT_ADMIN,           /* add users, import: admin */
	RIGHT_REFUND,          /* refund a return against a receipt: manager */
	RIGHT_REFUND_NO_RECEIPT, /* refund goods brought back without a receipt: manager */
	RIGHT_CREDIT_LIMIT,    /* set a customer's credit limit: manager */
	RIGHT_QUIT,            /* close the till program (PIN screen, menu): manager */
	RIGHT_STOCK_ADJUST     /* adjust stock, post a stock-take's variance: manager */
};

bool user_can(const struct user *u, enum user_right right);

/* "void_paid", "discount_big", ...: how events name a right. Static string. */
const char *user_right_name(enum user_right right);

enum user_role user_role_parse(const char *s, bool *ok);
const char *user_role_name(enum user_role role);

/* A PIN is 4-12 ASCII digits. */
bool user_pin_valid(const char *pin);

/* yescrypt hash of pin into a malloc'd string (caller frees), NULL with err on failure. */
char *user_pin_hash(const char *pin, struct kerr *err);
bool user_pin_check(const char *pin, const char *hash);

/* Adds a user (and a user.added event). KERR_INPUT for a bad name/PIN or a PIN another user
 * already has (the PIN alone identifies the user at the till). */
int user_add(store *st, const char *name, enum user_role role, const char *pin,
    struct kerr *err);

/*
 * Disables (active false) or enables again the user called name, with a user.disabled or
 * user.enabled event (name, role, user_id, active; never the PIN). A disabled user cannot log
 * in or approve. KERR_NOTFOUND for no such user, KERR_STATE when it is so already.
 */
int user_set_active(store *st, const char *name, bool active, struct kerr *err);

/*
 * Gives the user called name a new PIN (4-12 digits, not one another user has, disabled users
 * included), with a user.pin_changed event that says whose PIN changed, never the PIN or its
 * hash. KERR_INPUT for a bad or taken PIN, KERR_NOTFOUND for no such user.
 */
int user_set_pin(store *st, const char *name, const char *pin, struct kerr *err);

/*
 * Applies a user change from the hub (docs/protocol.md), inside the caller's transaction:
 * key is the user's name on the till; name (rename), role ("cashier", "manager", "admin")
 * and disabled (1 disabled, 0 enabled) change what they give (NULL or -1: unchanged),
 * last-write-wins by at (canonical UTC, timestamp.h) against the user's updated_at. A user
 * the till does not have is ignored (a PIN is only ever set at the till). KERR_INPUT for a bad
 * name or role, or a rename onto another user's name.
 */
int user_apply_change(store *st, const char *key, const char *name, const char *role,
    int disabled, const char *at, struct kerr *err);

/*
 * Logs in by PIN alone (the till has no user name prompt). A disabled user's PIN is refused
 * (KERR_DENIED, "disabled"; not counted as a wrong PIN). After 5 wrong PINs in a row the till
 * refuses every PIN for 30 s, doubling with each further failure up to 15 min (KERR_DENIED,
 * "locked for N s"). The counter lives in the database, so restarting does not reset it.
 */
int user_login(store *st, const char *pin, struct user *out, struct kerr *err);

/* Seconds left of a lock-out (0 when none). */
int user_lockout_left(store *st);

int user_get(store *st, int64_t id, struct user *out, struct kerr *err);

/* The user the command line acts as where a change names one (kassa stock ...): the shop's
 * first active admin (lowest id); whoever runs kassa on the till's file is its administrator.
 * KERR_NOTFOUND ("add one with kassa user add NAME --role admin") when there is none. */
int user_admin(store *st, struct user *out, struct kerr *err);
int64_t user_count(store *st);

/*
 * Checks a manager's PIN for an approval of right by the logged-in user u. On success fills
 * *approver. The approval event (approval.granted: user, approver, right) is written by the call
 * that uses it.
 */
int user_approve(store *st, const char *pin, enum user_right right, struct user *approver,
    struct kerr *err);

/* One user as `kassa user list` shows it (user-list.c). */
struct user_info {
	int64_t id;
	char name[64];
	enum user_role role;
	bool active;
	char updated_at[32];
};

/* Called once per user; returning -1 stops the walk. */
typedef int (*user_list_fn)(void *ctx, const struct user_info *u);

/* Calls fn for every user, by name. Returns 0, or -1 with err on a database error or when fn
 * stopped the walk. PIN hashes are never handed out. */
int user_list(store *st, user_list_fn fn, void *ctx, struct kerr *err);

/* The users as one JSON array of {id, name, role, active, updated_at}, by name; malloc'd
 * (caller frees), NULL with err on failure. Never a PIN or its hash. */
char *user_list_json(store *st, struct kerr *err);

#endif
