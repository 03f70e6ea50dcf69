/*
 * i18n: marking strings for translation (gettext, text domain "kassa", catalogues in po/).
 *
 * _() looks a string up in the "kassa" domain by name (dgettext) rather than in the program's
 * default domain: the core is linked into the till, the command line, kassa-sync, the hub and
 * the tests, and its messages must not depend on which of them called textdomain(). The till
 * binds "kassa" to its catalogues in src/ui/ui.c (bindtextdomain); a program that never calls
 * setlocale() stays in the C locale and gets the English msgid back.
 *
 * N_() only marks a string for xgettext (a table entry, an argument translated later with _()).
 * P_() picks the singular or a plural form for n by the catalogue's Plural-Forms.
 */
#ifndef KASSA_I18N_H
#define KASSA_I18N_H

#include <libintl.h>

#define _(s) dgettext("kassa", s)
#define N_(s) (s)
#define P_(s, p, n) dngettext("kassa", s, p, n)

/*
 * For the programs whose text people read (the till, the printer process): a UTF-8 locale
 * (the environment's, else C.UTF-8), the language ([till] language; NULL or "": the
 * environment's) and the "kassa" catalogues bound. Call once at start.
 */
void i18n_init(const char *language);

#endif
