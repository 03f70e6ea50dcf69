/*
 * user: cashiers, managers and admins. A PIN alone identifies the user at the till, so PINs are
 * unique per till; they are stored only as yescrypt hashes (libcrypt). Wrong PINs lock the PIN
 * prompt for a while; the counter is in the database so a restart does not reset it. The rights
 * of each role are decided here, in the core, never only in the UI.
 */
#include <crypt.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <sqlite3.h>

#include "core-int.h"
#include "i18n.h"
#include "journal.h"
#include "timestamp.h"
#include "text.h"
#include "user.h"
#include "xalloc.h"

#define LOCK_AFTER 5          /* wrong PINs in a row */
#define LOCK_FIRST_S 30
#define LOCK_MAX_S 900

bool
user_can(const struct user *u, enum user_right right)
{
	if (u == NULL)
		return false;
	switch (right) {
	case RIGHT_SELL:
	case RIGHT_VOID_LINE:
	case RIGHT_SHIFT_CLOSE:
		return true;
	case RIGHT_VOID_PAID:
	case RIGHT_DISCOUNT_BIG:
	case RIGHT_NO_SALE:
	case RIGHT_CASH_MOVE:
	case RIGHT_REFUND:
	case RIGHT_REFUND_NO_RECEIPT:
	case RIGHT_CREDIT_LIMIT:
	case RIGHT_QUIT:
	case RIGHT_STOCK_ADJUST:
		return u->role >= ROLE_MANAGER;
	case RIGHT_ADMIN:
		return u->role == ROLE_ADMIN;
	}
	return false;
}

const char *
user_right_name(enum user_right right)
{
	switch (right) {
	case RIGHT_SELL: return "sell";
	case RIGHT_VOID_LINE: return "void_line";
	case RIGHT_VOID_PAID: return "void_paid";
	case RIGHT_DISCOUNT_BIG: return "discount_big";
	case RIGHT_NO_SALE: return "no_sale";
	case RIGHT_CASH_MOVE: return "cash_move";
	case RIGHT_SHIFT_CLOSE: return "shift_close";
	case RIGHT_ADMIN: return "admin";
	case RIGHT_REFUND: return "refund";
	case RIGHT_REFUND_NO_RECEIPT: return "refund_no_receipt";
	case RIGHT_CREDIT_LIMIT: return "credit_limit";
	case RIGHT_QUIT: return "quit";
	case RIGHT_STOCK_ADJUST: return "stock_adjust";
	}
	return "unknown";
}

enum user_role
user_role_parse(const char *s, bool *ok)
{
	*ok = true;
	if (strcmp(s, "cashier") == 0)
		return ROLE_CASHIER;
	if (strcmp(s, "manager") == 0)
		return ROLE_MANAGER;
	if (strcmp(s, "admin") == 0)
		return ROLE_ADMIN;
	*ok = false;
	return ROLE_CASHIER;
}

const char *
user_role_name(enum user_role role)
{
	switch (role) {
	case ROLE_CASHIER: return "cashier";
	case ROLE_MANAGER: return "manager";
	case ROLE_ADMIN: return "admin";
	}
	return "cashier";
}

bool
user_pin_valid(const char *pin)
{
	size_t len = strlen(pin);

	if (len < 4 || len > 12)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)pin[i]))
			return false;
	}
	return true;
}

#define PIN_HASH_COST 4

char *
user_pin_hash(const char *pin, struct kerr *err)
{
	struct crypt_data *cd;
	char *setting, *hash, *out = NULL;

	/*
	 * yescrypt with a random salt from the kernel, at cost 4: 8 MiB and ~15 ms a check on a
	 * 2 GHz core (libcrypt's default, 5, takes 16 MiB and twice the time, which on a 1 GB
	 * Raspberry Pi class till is the largest thing the till ever allocates). A short PIN
	 * falls to an offline search at any cost; what keeps it is the database's 0600 mode and
	 * the lock-out after wrong PINs, both in the core. Old hashes keep their own cost.
	 */
	setting = crypt_gensalt_ra("$y$", PIN_HASH_COST, NULL, 0);
	if (setting == NULL) {
		kerr_set(err, KERR_INTERNAL, "cannot make a salt for the PIN");
		return NULL;
	}
	cd = xcalloc(1, sizeof *cd);
	hash = crypt_r(pin, setting, cd);
	if (hash == NULL || hash[0] == '*')
		kerr_set(err, KERR_INTERNAL, "cannot hash the PIN");
	else
		out = xstrdup(hash);
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	free(setting);
	return out;
}

bool
user_pin_check(const char *pin, const char *hash)
{
	struct crypt_data *cd;
	const char *h;
	bool ok = false;

	if (hash == NULL || strncmp(hash, "$y$", 3) != 0)
		return false;
	cd = xcalloc(1, sizeof *cd);
	h = crypt_r(pin, hash, cd);
	if (h != NULL && h[0] != '*' && strlen(h) == strlen(hash))
		ok = CRYPTO_memcmp(h, hash, strlen(hash)) == 0;
	explicit_bzero(cd, sizeof *cd);
	free(cd);
	return ok;
}

static void
fill_user(sqlite3_stmt *q, struct user *u)
{
	bool ok;

	u->id = sqlite3_column_int64(q, 0);
	core_text(q, 1, u->name, sizeof u->name);
	u->role = user_role_parse((const char *)sqlite3_column_text(q, 2), &ok);
}

/*
 * Finds the user, active or disabled, whose hash matches pin, leaving out user id except (0:
 * none). Returns 1 and fills *out (and *active) for an active one, 2 for a disabled one, 0
 * when none matches, -1 on a database error. Every user is tried, so a PIN costs the same
 * whoever types it. Disabled users count, so enabling one again never makes two share a PIN.
 */
static int
find_by_pin(store *st, const char *pin, int64_t except, struct user *out, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc, found = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT id, name, role, pin_hash, active FROM users "
	    "WHERE id <> ?1 ORDER BY id", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading users"));
	sqlite3_bind_int64(q, 1, except);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (user_pin_check(pin, (const char *)sqlite3_column_text(q, 3)) && !found) {
			if (out != NULL)
				fill_user(q, out);
			found = sqlite3_column_int(q, 4) != 0 ? 1 : 2;
		}
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE)
		return store_error(st, err, N_("reading users"));
	return found;
}

int
user_add(store *st, const char *name, enum user_role role, const char *pin, struct kerr *err)
{
	char clean[sizeof ((struct user *)0)->name];
	char now[32], *hash;
	sqlite3_stmt *q;
	int64_t id;
	int rc;

	if (name == NULL || *name == '\0' || strlen(name) >= sizeof ((struct user *)0)->name)
		return kerr_set(err, KERR_INPUT, _("a user name is 1 to 63 bytes"));
	/* A name reaches the user.added event: UTF-8 without control characters, checked here
	 * whoever calls (the command line, a test tool, a later screen). */
	if (text_check_line(name, _("the user name"), err) == -1)
		return -1;
	/* The name rule (core-int.h): spaces around a name are not part of it. */
	snprintf(clean, sizeof clean, "%s", name);
	core_name_clean(clean);
	if (clean[0] == '\0')
		return kerr_set(err, KERR_INPUT, _("a user name is 1 to 63 bytes"));
	name = clean;
	if (!user_pin_valid(pin))
		return kerr_set(err, KERR_INPUT, _("a PIN is 4 to 12 digits"));
	if (store_begin(st, err) == -1)
		return -1;
	/* The PIN alone logs in, so two users may not share one. */
	rc = find_by_pin(st, pin, 0, NULL, err);
	if (rc != 0) {
		store_rollback(st);
		if (rc < 0)
			return -1;
		return kerr_set(err, KERR_INPUT, _("another user already has this PIN: choose "
		    "another"));
	}
	hash = user_pin_hash(pin, err);
	if (hash == NULL) {
		store_rollback(st);
		return -1;
	}
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO users(name, role, pin_hash, active, "
	    "updated_at) VALUES (?1, ?2, ?3, 1, ?4)", -1, &q, NULL) != SQLITE_OK) {
		free(hash);
		store_error(st, err, N_("adding the user"));
		store_rollback(st);
		return -1;
	}
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, user_role_name(role), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, store_now(now, sizeof now), -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	free(hash);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(store_db(st)) & 0xff) == SQLITE_CONSTRAINT)
			kerr_set(err, KERR_INPUT, _("there is already a user called %s"), name);
		else
			store_error(st, err, N_("adding the user"));
		store_rollback(st);
		return -1;
	}
	id = sqlite3_last_insert_rowid(store_db(st));
	/* Keys in sorted order: the payload is canonical JSON (journal.h). */
	if (journal_append_sql(st, "user.added", "SELECT json_object('name', name, 'role', role, "
	    "'user_id', id) FROM users WHERE id = ?1", id, 0, NULL, err) == -1) {
		store_rollback(st);
		return -1;
	}
	return store_commit(st, err);
}

int
user_lockout_left(store *st)
{
	int64_t until = store_meta_get_int(st, "login_locked_until", 0);
	time_t now = time(NULL);

	return until > now ? (int)(until - now) : 0;
}

/* A PIN typed, for the audit trail (the logins table, schema.sql says why not events): u is
 * who it named, NULL for a wrong PIN. */
static int
record_pin(store *st, const struct user *u, bool ok, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];

	if (core_prepare(st, "INSERT INTO logins(at, user_id, name, ok) VALUES (?1, nullif(?2, 0), "
	    "?3, ?4)", &q, err, N_("recording the log-in")) == -1)
		return -1;
	sqlite3_bind_text(q, 1, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, u != NULL ? u->id : 0);
	if (u != NULL)
		sqlite3_bind_text(q, 3, u->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 4, ok);
	return core_run(st, q, err, N_("recording the log-in"));
}

static int
record_failure(store *st, struct kerr *err)
{
	int64_t fails = store_meta_get_int(st, "login_failures", 0) + 1;
	int64_t lock = 0;

	if (store_begin(st, err) == -1)
		return -1;
	if (record_pin(st, NULL, false, err) == -1)
		goto fail;
	if (store_meta_set_int(st, "login_failures", fails, err) == -1)
		goto fail;
	if (fails >= LOCK_AFTER) {
		lock = LOCK_FIRST_S;
		for (int64_t i = LOCK_AFTER; i < fails && lock < LOCK_MAX_S; i++)
			lock *= 2;
		if (lock > LOCK_MAX_S)
			lock = LOCK_MAX_S;
		if (store_meta_set_int(st, "login_locked_until", (int64_t)time(NULL) + lock,
		    err) == -1)
			goto fail;
	}
	if (store_commit(st, err) == -1)
		return -1;
	if (lock > 0)
		return kerr_set(err, KERR_DENIED, _("too many wrong PINs: locked for %d s"),
		    (int)lock);
	return kerr_set(err, KERR_DENIED, P_("wrong PIN (%d try left before a lock-out)",
	    "wrong PIN (%d tries left before a lock-out)", (unsigned long)(LOCK_AFTER - fails)),
	    (int)(LOCK_AFTER - fails));
fail:
	store_rollback(st);
	return -1;
}

int
user_login(store *st, const char *pin, struct user *out, struct kerr *err)
{
	int left = user_lockout_left(st), rc;

	if (left > 0)
		return kerr_set(err, KERR_DENIED, _("too many wrong PINs: locked for %d s"), left);
	if (!user_pin_valid(pin))
		return record_failure(st, err);
	rc = find_by_pin(st, pin, 0, out, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return record_failure(st, err);
	if (rc == 2) {
		/* Not a guess (the PIN is right), so not a failure; but no entry, nor approval. */
		if (out != NULL) {
			if (record_pin(st, out, false, err) == -1)
				return -1;
			memset(out, 0, sizeof *out);
		}
		return kerr_set(err, KERR_DENIED, _("this user is disabled: ask the manager"));
	}
	if (store_begin(st, err) == -1)
		return -1;
	if ((out != NULL && record_pin(st, out, true, err) == -1) ||
	    (store_meta_get_int(st, "login_failures", 0) != 0 &&
	    (store_meta_set_int(st, "login_failures", 0, err) == -1 ||
	    store_meta_set_int(st, "login_locked_until", 0, err) == -1))) {
		store_rollback(st);
		return -1;
	}
	if (store_commit(st, err) == -1)
		return -1;
	return 0;
}

int
user_approve(store *st, const char *pin, enum user_right right, struct user *approver,
    struct kerr *err)
{
	struct user u;

	if (user_login(st, pin, &u, err) == -1)
		return -1;
	if (!user_can(&u, right))
		return kerr_set(err, KERR_DENIED, _("%s may not approve this: a manager's PIN is "
		    "needed"), u.name);
	*approver = u;
	return 0;
}

int
user_get(store *st, int64_t id, struct user *out, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT id, name, role FROM users WHERE id = ?1",
	    -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading a user"));
	sqlite3_bind_int64(q, 1, id);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		fill_user(q, out);
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KERR_NOTFOUND, _("no user %lld"), (long long)id);
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading a user"));
	return 0;
}

int
user_admin(store *st, struct user *out, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (core_prepare(st, "SELECT id, name, role FROM users WHERE role = 'admin' AND active = 1 "
	    "ORDER BY id LIMIT 1", &q, err, N_("reading a user")) == -1)
		return -1;
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		fill_user(q, out);
	core_release(q);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KERR_NOTFOUND, _("this till has no admin: add one with `kassa "
		    "user add NAME --role admin`"));
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading a user"));
	return 0;
}

int64_t
user_count(store *st)
{
	sqlite3_stmt *q;
	int64_t n = 0;

	if (sqlite3_prepare_v2(store_db(st), "SELECT count(*) FROM users WHERE active = 1", -1,
	    &q, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	return n;
}

/* The id of the user called name, into *id; KERR_NOTFOUND when there is none. */
static int
id_by_name(store *st, const char *name, int64_t *id, bool *active, struct kerr *err)
{
	sqlite3_stmt *q;
	int rc;

	if (sqlite3_prepare_v2(store_db(st), "SELECT id, active FROM users WHERE name = ?1", -1,
	    &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading users"));
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(q, 0);
		if (active != NULL)
			*active = sqlite3_column_int(q, 1) != 0;
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return kerr_set(err, KERR_NOTFOUND, _("there is no user called %s"), name);
	if (rc != SQLITE_ROW)
		return store_error(st, err, N_("reading users"));
	return 0;
}

/* One statement with ?1 = id, ?2 = text (may be NULL), ?3 = now. */
static int
update_user(store *st, const char *sql, int64_t id, const char *text, struct kerr *err)
{
	sqlite3_stmt *q;
	char now[32];
	int rc;

	if (sqlite3_prepare_v2(store_db(st), sql, -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("changing the user"));
	sqlite3_bind_int64(q, 1, id);
	if (text != NULL)
		sqlite3_bind_text(q, 2, text, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, store_now(now, sizeof now), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	return rc == SQLITE_DONE ? 0 : store_error(st, err, N_("changing the user"));
}

/* Keys in sorted order: canonical JSON (journal.h). Never the PIN or its hash. */
static const char user_event_sql[] =
	"SELECT json_object('active', json(CASE active WHEN 0 THEN 'false' ELSE 'true' END), "
	"'name', name, 'role', role, 'user_id', id) FROM users WHERE id = ?1";

int
user_set_active(store *st, const char *name, bool active, struct kerr *err)
{
	int64_t id;
	bool was;

	if (name == NULL || *name == '\0')
		return kerr_set(err, KERR_INPUT, _("name the user"));
	if (store_begin(st, err) == -1)
		return -1;
	if (id_by_name(st, name, &id, &was, err) == -1)
		goto fail;
	if (was == active) {
		kerr_set(err, KERR_STATE, active ? _("%s is already active") :
		    _("%s is already disabled"), name);
		goto fail;
	}
	if (update_user(st, "UPDATE users SET active = ?2, updated_at = ?3 WHERE id = ?1", id,
	    active ? "1" : "0", err) == -1)
		goto fail;
	if (journal_append_sql(st, active ? "user.enabled" : "user.disabled", user_event_sql, id,
	    0, NULL, err) == -1)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

int
user_set_pin(store *st, const char *name, const char *pin, struct kerr *err)
{
	char *hash = NULL;
	int64_t id;
	int rc;

	if (name == NULL || *name == '\0')
		return kerr_set(err, KERR_INPUT, _("name the user"));
	if (pin == NULL || !user_pin_valid(pin))
		return kerr_set(err, KERR_INPUT, _("a PIN is 4 to 12 digits"));
	if (store_begin(st, err) == -1)
		return -1;
	if (id_by_name(st, name, &id, NULL, err) == -1)
		goto fail;
	rc = find_by_pin(st, pin, id, NULL, err);
	if (rc < 0)
		goto fail;
	if (rc > 0) {
		kerr_set(err, KERR_INPUT, _("another user already has this PIN: choose another"));
		goto fail;
	}
	hash = user_pin_hash(pin, err);
	if (hash == NULL)
		goto fail;
	rc = update_user(st, "UPDATE users SET pin_hash = ?2, updated_at = ?3 WHERE id = ?1", id,
	    hash, err);
	explicit_bzero(hash, strlen(hash));
	free(hash);
	if (rc == -1)
		goto fail;
	/* That it changed, and whose: the hub keeps who could log in when; the PIN stays here. */
	if (journal_append_sql(st, "user.pin_changed", user_event_sql, id, 0, NULL, err) == -1)
		goto fail;
	return store_commit(st, err);
fail:
	store_rollback(st);
	return -1;
}

int
user_apply_change(store *st, const char *key, const char *name, const char *role, int disabled,
    const char *at, struct kerr *err)
{
	char clean[sizeof ((struct user *)0)->name];
	sqlite3_stmt *q;
	const char *stored;
	int64_t id = 0;
	bool ok = true;
	int rc;

	if (key == NULL || *key == '\0')
		return kerr_set(err, KERR_INPUT, "a user change without a key");
	if (name != NULL && (*name == '\0' || strlen(name) >= sizeof ((struct user *)0)->name))
		return kerr_set(err, KERR_INPUT, "user change %.64s: a name is 1 to 63 bytes", key);
	for (const unsigned char *p = (const unsigned char *)(name != NULL ? name : "");
	    *p != '\0'; p++)
		if (*p < ' ' || *p == 0x7f)
			return kerr_set(err, KERR_INPUT, "user change %.64s: the name holds control "
			    "characters", key);
	/* The name rule (core-int.h), as for a user added at the till. */
	if (name != NULL) {
		snprintf(clean, sizeof clean, "%s", name);
		core_name_clean(clean);
		if (clean[0] == '\0')
			return kerr_set(err, KERR_INPUT, "user change %.64s: a name is 1 to 63 bytes",
			    key);
		name = clean;
	}
	if (role != NULL)
		user_role_parse(role, &ok);
	if (!ok)
		return kerr_set(err, KERR_INPUT, "user change %.64s: unknown role '%.16s'", key,
		    role);
	if (sqlite3_prepare_v2(store_db(st), "SELECT id, updated_at FROM users WHERE name = ?1",
	    -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("reading users"));
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		stored = (const char *)sqlite3_column_text(q, 1);
		/* Last write wins: an older change than what the till has is ignored. */
		if (timestamp_cmp_stored(at, stored) >= 0)
			id = sqlite3_column_int64(q, 0);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(st, err, N_("reading users"));
	/* A user the till does not have is not made here: a PIN is only ever set at the till. */
	if (id == 0)
		return 0;
	if (sqlite3_prepare_v2(store_db(st), "UPDATE users SET name = coalesce(?2, name), role = "
	    "coalesce(?3, role), active = CASE ?4 WHEN 1 THEN 0 WHEN 0 THEN 1 ELSE active END, "
	    "updated_at = ?5 WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
		return store_error(st, err, N_("changing the user"));
	sqlite3_bind_int64(q, 1, id);
	if (name != NULL)
		sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	if (role != NULL)
		sqlite3_bind_text(q, 3, role, -1, SQLITE_STATIC);
	if (disabled >= 0)
		sqlite3_bind_int(q, 4, disabled != 0);
	sqlite3_bind_text(q, 5, at, -1, SQLITE_STATIC);
	rc = sqlite3_step(q);
	sqlite3_finalize(q);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(store_db(st)) & 0xff) == SQLITE_CONSTRAINT)
			return kerr_set(err, KERR_INPUT, "user change %.64s: another user is "
			    "called %.64s", key, name != NULL ? name : "");
		return store_error(st, err, N_("changing the user"));
	}
	return 0;
}
