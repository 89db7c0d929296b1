// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: a JSON reader (RFC 8259) for what the Rust tools print as JSON:
 * rustdoc's list of a crate's examples (rkm doc), rustc's diagnostics
 * (rkm-compile-fail). Self-contained (json.h). The whole text becomes one
 * tree; strings are unescaped to UTF-8 (a \u0000 ends the string early: no
 * tool of ours prints one); numbers keep their text.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

struct reader {
	const char *p;
	const char *err;	/* the first error, or NULL */
	int depth;
};

#define JSON_MAX_DEPTH 64

static void *checked(void *p)
{
	if (!p) {
		fputs("json: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static void skip_ws(struct reader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')
		r->p++;
}

static bool fail(struct reader *r, const char *why)
{
	if (!r->err)
		r->err = why;
	return false;
}

static int hex4(const char *s)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		int c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

static size_t put_utf8(char *out, unsigned int cp)
{
	if (cp < 0x80) {
		out[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = 0xc0 | cp >> 6;
		out[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = 0xe0 | cp >> 12;
		out[1] = 0x80 | (cp >> 6 & 0x3f);
		out[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	out[0] = 0xf0 | cp >> 18;
	out[1] = 0x80 | (cp >> 12 & 0x3f);
	out[2] = 0x80 | (cp >> 6 & 0x3f);
	out[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* A string at r->p (its opening quote); the text unescaped, or NULL. */
static char *string(struct reader *r)
{
	const char *s = ++r->p;
	char *out, *o;

	/* Unescaped text is never longer than its escaped form. */
	o = out = checked(malloc(strlen(s) + 1));
	for (;;) {
		unsigned char c = *s++;

		if (c == '"')
			break;
		if (c < 0x20) {
			fail(r, c ? "a control character in a string" : "an unterminated string");
			free(out);
			return NULL;
		}
		if (c != '\\') {
			*o++ = c;
			continue;
		}
		c = *s++;
		switch (c) {
		case '"': case '\\': case '/':
			*o++ = c;
			break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			int cp = hex4(s), lo;

			if (cp < 0)
				goto bad;
			s += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				/* A high surrogate needs its low half. */
				if (s[0] != '\\' || s[1] != 'u' || (lo = hex4(s + 2)) < 0xdc00 ||
				    lo > 0xdfff)
					goto bad;
				s += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				goto bad;
			}
			o += put_utf8(o, cp);
			break;
		}
		default:
			goto bad;
		}
	}
	*o = '\0';
	r->p = s;
	return out;
bad:
	fail(r, "a bad escape in a string");
	free(out);
	return NULL;
}

static bool value(struct reader *r, struct json *v);

static void grow(struct json *v, size_t *cap)
{
	if ((size_t)v->n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 8;
	v->items = checked(realloc(v->items, *cap * sizeof(*v->items)));
	if (v->type == JSON_OBJ)
		v->keys = checked(realloc(v->keys, *cap * sizeof(*v->keys)));
}

/* An array or object at r->p (its bracket). */
static bool compound(struct reader *r, struct json *v, char close)
{
	size_t cap = 0;

	if (++r->depth > JSON_MAX_DEPTH)
		return fail(r, "nested too deep");
	r->p++;
	skip_ws(r);
	if (*r->p == close) {
		r->p++;
		r->depth--;
		return true;
	}
	for (;;) {
		grow(v, &cap);
		skip_ws(r);
		if (v->type == JSON_OBJ) {
			if (*r->p != '"')
				return fail(r, "an object member without a quoted name");
			v->keys[v->n] = string(r);
			if (!v->keys[v->n])
				return false;
			skip_ws(r);
			if (*r->p++ != ':') {
				free(v->keys[v->n]);
				return fail(r, "no ':' after an object member's name");
			}
		}
		if (!value(r, &v->items[v->n])) {
			json_free(&v->items[v->n]);
			if (v->type == JSON_OBJ)
				free(v->keys[v->n]);
			return false;
		}
		v->n++;
		skip_ws(r);
		if (*r->p == ',') {
			r->p++;
			continue;
		}
		if (*r->p++ == close)
			break;
		return fail(r, close == ']' ? "no ',' or ']' in an array" :
					      "no ',' or '}' in an object");
	}
	r->depth--;
	return true;
}

static bool literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(r->p, word, n))
		return fail(r, "not a JSON value");
	r->p += n;
	return true;
}

static bool number(struct reader *r, struct json *v)
{
	const char *s = r->p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return fail(r, "not a JSON value");
	if (*s == '.') {
		if (*++s < '0' || *s > '9')
			return fail(r, "a number without digits after '.'");
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return fail(r, "a number without an exponent");
		while (*s >= '0' && *s <= '9')
			s++;
	}
	v->type = JSON_NUM;
	v->str = checked(strndup(r->p, s - r->p));
	r->p = s;
	return true;
}

static bool value(struct reader *r, struct json *v)
{
	memset(v, 0, sizeof(*v));
	skip_ws(r);
	switch (*r->p) {
	case '{':
		v->type = JSON_OBJ;
		return compound(r, v, '}');
	case '[':
		v->type = JSON_ARR;
		return compound(r, v, ']');
	case '"':
		v->type = JSON_STR;
		v->str = string(r);
		return v->str != NULL;
	case 't':
		v->type = JSON_BOOL;
		v->b = true;
		return literal(r, "true");
	case 'f':
		v->type = JSON_BOOL;
		return literal(r, "false");
	case 'n':
		v->type = JSON_NULL;
		return literal(r, "null");
	default:
		return number(r, v);
	}
}

void json_free(struct json *v)
{
	int i;

	if (!v)
		return;
	for (i = 0; i < v->n; i++) {
		json_free(&v->items[i]);
		if (v->type == JSON_OBJ)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	memset(v, 0, sizeof(*v));
}

int json_parse(const char *text, struct json *out, const char **err)
{
	struct reader r = { .p = text };
	bool ok = value(&r, out);
	char *why;

	if (ok) {
		skip_ws(&r);
		if (*r.p)
			ok = fail(&r, "text after the JSON value");
	}
	if (!ok) {
		json_free(out);
		if (asprintf(&why, "%s at offset %zu", r.err, (size_t)(r.p - text)) < 0)
			why = NULL;
		*err = checked(why);
		return -1;
	}
	return 0;
}

const struct json *json_get(const struct json *obj, const char *key)
{
	int i;

	if (!obj || obj->type != JSON_OBJ)
		return NULL;
	for (i = 0; i < obj->n; i++)
		if (!strcmp(obj->keys[i], key))
			return &obj->items[i];
	return NULL;
}

const char *json_str(const struct json *v, const char *key)
{
	v = key ? json_get(v, key) : v;
	return v && v->type == JSON_STR ? v->str : NULL;
}

bool json_true(const struct json *obj, const char *key)
{
	const struct json *v = json_get(obj, key);

	return v && v->type == JSON_BOOL && v->b;
}
