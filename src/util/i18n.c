/*
 * i18n.c: the till's language for the programs that show or print text to people (the till
 * screen, the printer process). See include/i18n.h.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "i18n.h"

/* The catalogues: beside the program when it runs from a source or build tree, else the
 * installed LOCALEDIR. */
static void
find_locale_dir(char *buf, size_t size)
{
	char exe[512];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	snprintf(buf, size, "%s", LOCALEDIR);
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return;
	*slash = '\0';
	/* ./kassa beside build/locale, or a build tree with locale/. */
	snprintf(buf, size, "%s/build/locale", exe);
	if (access(buf, R_OK) == 0)
		return;
	snprintf(buf, size, "%s/locale", exe);
	if (access(buf, R_OK) == 0)
		return;
	snprintf(buf, size, "%s", LOCALEDIR);
}

void
i18n_init(const char *language)
{
	char dir[600];

	/*
	 * A till started by systemd or over an SSH session that passes no LANG runs in the C
	 * locale, where curses cannot draw Cyrillic or oʻ and gettext ignores the language.
	 * C.UTF-8 is built into glibc, so it is there on every Debian till.
	 */
	if (setlocale(LC_ALL, "") == NULL || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_ALL, "C.UTF-8");
	if (language != NULL && language[0] != '\0')
		setenv("LANGUAGE", language, 1);
	find_locale_dir(dir, sizeof dir);
	bindtextdomain("kassa", dir);
	bind_textdomain_codeset("kassa", "UTF-8");
	textdomain("kassa");
}
