// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: json.c, a JSON text as a tree: what the Rust tools print as JSON
 * (rustdoc's list of examples for rkm doc, rustc's diagnostics for
 * rkm-compile-fail). Self-contained: both programs link it.
 */
#ifndef RKM_JSON_H
#define RKM_JSON_H

#include <stdbool.h>

struct json {
	enum { JSON_NULL, JSON_BOOL, JSON_NUM, JSON_STR, JSON_ARR, JSON_OBJ } type;
	char *str;		/* JSON_STR: unescaped, UTF-8; JSON_NUM: as written */
	bool b;			/* JSON_BOOL */
	int n;			/* JSON_ARR: elements; JSON_OBJ: members */
	struct json *items;	/* the elements, or the members' values */
	char **keys;		/* JSON_OBJ: the members' names */
};
/* 0, or -1 with *err saying what and where (out is then empty). */
int json_parse(const char *text, struct json *out, const char **err);
void json_free(struct json *v);
/* obj's member key (NULL: none, or obj is no object). */
const struct json *json_get(const struct json *obj, const char *key);
/* v's member key (v itself if key is NULL) if it is a string, else NULL. */
const char *json_str(const struct json *v, const char *key);
bool json_true(const struct json *obj, const char *key);

#endif
