/*
 * curl-floor: the least a program must do to post one batch with Debian's libcurl, for the
 * bench's sync peak-RSS row. It links libcurl alone, posts BODYFILE to URL once with the
 * token, and prints its own VmHWM in kB (read at exit, so a short life is no problem).
 *
 *   curl-floor URL TOKEN BODYFILE
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p; (void)arg;
	return size * n;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) != NULL) {
		if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

static long
vmhwm_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "VmHWM:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return kb;
}

int
main(int argc, char **argv)
{
	struct curl_slist *h = NULL;
	char auth[256], *body;
	long status = 0;
	CURL *curl;
	int rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: curl-floor URL TOKEN BODYFILE\n");
		return 2;
	}
	if ((body = slurp(argv[3])) == NULL) {
		perror(argv[3]);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || (curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "curl-floor: libcurl did not start\n");
		free(body);
		return 1;
	}
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", argv[2]);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, argv[1]);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(curl) == CURLE_OK &&
	    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status == 200)
		rc = 0;
	else
		fprintf(stderr, "curl-floor: the post failed (HTTP %ld)\n", status);
	curl_slist_free_all(h);
	curl_easy_cleanup(curl);
	curl_global_cleanup();
	free(body);
	printf("%ld\n", vmhwm_kb());
	return rc;
}
