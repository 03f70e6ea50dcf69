/*
 * sync-http.c: the one place the sync process talks HTTP (libcurl). Timeouts are short so a dead
 * link is noticed in seconds; TLS is always verified; every request carries the bearer token.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "sync-int.h"
#include "xalloc.h"

#define MAX_REPLY (16 * 1024 * 1024)

static size_t
on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sync_http *r = arg;
	size_t n = size * nmemb;

	if (r->len + n > MAX_REPLY)
		return 0;	/* a reply this large is not ours: fail the transfer */
	r->body = xrealloc(r->body, r->len + n + 1);
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

void
sync_http_free(struct sync_http *reply)
{
	free(reply->body);
	memset(reply, 0, sizeof *reply);
}

int
sync_http_request(struct sync_ctx *c, const char *url, const char *body,
    struct sync_http *reply, struct kerr *err)
{
	CURL *curl = c->curl;
	struct curl_slist *headers = NULL;
	char auth[320], errbuf[CURL_ERROR_SIZE] = "";
	curl_off_t retry = 0;
	CURLcode rc;

	memset(reply, 0, sizeof *reply);
	curl_easy_reset(curl);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
	headers = curl_slist_append(headers, auth);
	headers = curl_slist_append(headers, "Accept: application/json");
	if (body != NULL)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_USERAGENT, "kassa-sync/1");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	/* A dead link shows in seconds, not minutes. */
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 10L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, c->timeout_s > 0 ? c->timeout_s : 60L);
	/* TLS is verified, always; a shop's own CA may be given. */
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
	if (c->cfg->sync_cafile[0] != '\0')
		curl_easy_setopt(curl, CURLOPT_CAINFO, c->cfg->sync_cafile);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, reply);
	if (body != NULL) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	}
	rc = curl_easy_perform(curl);
	curl_slist_free_all(headers);
	c->last_status = 0;
	c->last_retry_after = 0;
	if (rc != CURLE_OK) {
		sync_http_free(reply);
		return kerr_set(err, KERR_NET, "%s: %s", c->url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply->status);
	if (curl_easy_getinfo(curl, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK && retry > 0)
		reply->retry_after = retry > SYNC_RETRY_AFTER_MAX ? SYNC_RETRY_AFTER_MAX :
		    (long)retry;
	c->last_status = reply->status;
	c->last_retry_after = reply->retry_after;
	if (reply->body == NULL)
		reply->body = xstrdup("");
	return 0;
}
