// SPDX-License-Identifier: GPL-2.0
/*
 * abi_drift - compares the Rust declarations bindgen generates from
 * include/rkm_abi.h with the hand-written rust/src/abi.rs, item by item.
 *
 * Usage: abi_drift HEADER_RS ABI_RS [RUST_SRC...] (tests/abi_drift.sh runs
 * bindgen first and passes the crate's other sources).
 *
 * Both files are reduced to one canonical line per item, keyed by its C name:
 *
 *   fn rkm_mutex_lock: fn(*mut rkm_mutex)          argument types and result,
 *                                                  not argument names
 *   static rkm_abi_version_6: c_int
 *   const RKM_POLLIN: 1                            the value only (a #define
 *                                                  has no type bindgen can see;
 *                                                  abi.rs picks the type its
 *                                                  callers need)
 *   struct rkm_file_ops: { open, release, ... }    field names in order
 *   rkm_file_ops.open: fn(*const c_void, *mut *mut c_void) -> c_int
 *   struct rkm_mutex: opaque                       no public fields
 *
 * Naming: abi.rs writes constants without RKM_ (POLLIN) and types in
 * CamelCase without rkm_ (FileOps, PciDriver); functions and statics keep
 * their C names. Types are compared exactly after these rules: paths are
 * dropped (core::ffi::c_int and $crate::__private::c_int are c_int), type
 * aliases are replaced by what they name, `unsafe extern "C"` is dropped
 * from function pointer types and so is the Option around them (every C
 * function pointer may be NULL; whether Rust accepts None is Rust's choice).
 * *mut c_void and *mut rkm_mutex differ.
 *
 * What bindgen cannot derive is handled here, explicitly:
 * - abi.rs declares its opaque types with `opaque!(Name, ...)`: each name is
 *   an opaque struct (the macro's shape is bindgen's, a zero-sized
 *   #[repr(C)] struct, plus markers against Send, Sync and Unpin).
 * - The functions the Rust side implements (rkm_rust_*) are not in abi.rs
 *   but defined, #[no_mangle] extern "C" fn rkm_...(...) { }, in the
 *   crate's other sources (module!): every such definition found in
 *   RUST_SRC counts as declared by abi.rs.
 * - rkm_abi_version_<N>: the symbol's name carries the version. Each side
 *   must declare exactly one, with N equal to its RKM_ABI_VERSION.
 * - Any other macro invocation, enum, module or unreadable item in abi.rs is
 *   reported as a drift: it would escape the comparison. Rust helpers with a
 *   body (fn, impl, macro_rules) and use items are not declarations of the
 *   header and are skipped.
 * - A struct in abi.rs with fields must be #[repr(C)].
 *
 * Prints one "abi drift: NAME: header has X, abi.rs has Y" line per
 * difference, then "abi drift: N difference(s) (...)". Exit 0 if none,
 * 1 on drift, 2 if a file cannot be read.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ITEMS 1024
#define SIG_MAX 2048

struct tok {
	char *s;
	int line;
};

enum kind { K_FN, K_STATIC, K_CONST, K_TYPE, K_FIELD };

struct item {
	enum kind kind;
	char *name;		/* the C name */
	char *sig;		/* canonical, or NULL until resolved */
	const char *path;
	int line;
	int first, last;	/* the tokens of its type or fields */
	bool opaque;
};

struct alias {
	char *name;
	int first, last;	/* the aliased type's tokens */
};

struct side {
	const char *label;	/* "header" or "abi.rs" */
	const char *path;
	bool is_abi_rs;		/* apply abi.rs naming rules */
	struct tok *t;
	int nt;
	struct item items[MAX_ITEMS];
	int nitems;
	struct alias aliases[MAX_ITEMS];
	int naliases;
	char *rust_types[MAX_ITEMS];	/* abi.rs: its own type names, for renaming */
	int ntypes;
};

static int differences;

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		perror("abi drift");
		exit(2);
	}
	return p;
}

static char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

static void drift(const char *fmt, ...)
{
	va_list ap;

	fputs("abi drift: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	differences++;
}

/* Tokens of Rust source: words (identifiers, numbers), strings, punctuation. */
static void tokenize(struct side *sd)
{
	FILE *f = fopen(sd->path, "r");
	size_t cap = 1 << 16, len = 0, n;
	char *b;
	const char *p;
	int line = 1, tcap = 1024;

	if (!f) {
		printf("abi drift: cannot read %s: %s\n", sd->path, strerror(errno));
		exit(2);
	}
	b = xmalloc(cap + 1);
	while ((n = fread(b + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			cap *= 2;
			b = realloc(b, cap + 1);
			if (!b)
				exit(2);
		}
	}
	fclose(f);
	b[len] = 0;
	sd->t = xmalloc(tcap * sizeof(*sd->t));
	for (p = b; *p;) {
		const char *s = p;

		if (*p == '\n') {
			line++;
			p++;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			int depth = 0;

			do {
				if (p[0] == '/' && p[1] == '*')
					depth++, p++;
				else if (p[0] == '*' && p[1] == '/')
					depth--, p++;
				else if (*p == '\n')
					line++;
				p++;
			} while (*p && depth);
			continue;
		}
		if (isalnum((unsigned char)*p) || *p == '_') {
			while (isalnum((unsigned char)*p) || *p == '_')
				p++;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++)
				if (*p == '\\' && p[1])
					p++;
			if (*p)
				p++;
		} else if ((p[0] == ':' && p[1] == ':') || (p[0] == '-' && p[1] == '>')) {
			p += 2;
		} else {
			p++;
		}
		if (sd->nt + 1 >= tcap) {
			tcap *= 2;
			sd->t = realloc(sd->t, tcap * sizeof(*sd->t));
			if (!sd->t)
				exit(2);
		}
		sd->t[sd->nt].s = xstrndup(s, p - s);
		sd->t[sd->nt].line = line;
		sd->nt++;
	}
	sd->t[sd->nt].s = "";	/* end marker */
	sd->t[sd->nt].line = line;
	free(b);
}

static bool is(const struct side *sd, int i, const char *s)
{
	return i < sd->nt && !strcmp(sd->t[i].s, s);
}

static bool is_word(const char *s)
{
	return isalnum((unsigned char)*s) || *s == '_';
}

/* Index after the bracket matching the one at @i. */
static int skip_group(const struct side *sd, int i)
{
	int depth = 0;

	for (; i < sd->nt; i++) {
		const char *s = sd->t[i].s;

		if (!strcmp(s, "(") || !strcmp(s, "[") || !strcmp(s, "{"))
			depth++;
		else if (!strcmp(s, ")") || !strcmp(s, "]") || !strcmp(s, "}"))
			if (--depth == 0)
				return i + 1;
	}
	return i;
}

/* Skips #[...] and #![...]; tells whether one of them was #[repr(C...)]. */
static int skip_attrs(const struct side *sd, int i, bool *repr_c)
{
	*repr_c = false;
	while (is(sd, i, "#")) {
		i++;
		if (is(sd, i, "!"))
			i++;
		if (is(sd, i, "[") && is(sd, i + 1, "repr") && is(sd, i + 2, "(") &&
		    is(sd, i + 3, "C"))
			*repr_c = true;
		i = skip_group(sd, i);
	}
	return i;
}

static int skip_vis(const struct side *sd, int i)
{
	if (is(sd, i, "pub")) {
		i++;
		if (is(sd, i, "("))
			i = skip_group(sd, i);
	}
	return i;
}

/*
 * The end of a type starting at @i: the first , ; ) = { or } outside brackets
 * (a > closing a < counts as a bracket).
 */
static int type_end(const struct side *sd, int i)
{
	int depth = 0;

	for (; i < sd->nt; i++) {
		const char *s = sd->t[i].s;

		if (!strcmp(s, "(") || !strcmp(s, "[") || !strcmp(s, "<"))
			depth++;
		else if (!strcmp(s, ")") || !strcmp(s, "]") || !strcmp(s, ">")) {
			if (depth-- == 0)
				return i;
		} else if (depth == 0 && (!strcmp(s, ",") || !strcmp(s, ";") ||
					  !strcmp(s, "=") || !strcmp(s, "{") || !strcmp(s, "}")))
			return i;
	}
	return i;
}

/* PciDriver -> rkm_pci_driver. */
static char *c_type_name(const char *rust)
{
	char *out = xmalloc(4 + 2 * strlen(rust) + 1), *o = out;
	const char *p;

	o += sprintf(o, "rkm");
	for (p = rust; *p; p++) {
		if (isupper((unsigned char)*p)) {
			*o++ = '_';
			*o++ = tolower((unsigned char)*p);
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return out;
}

static char *c_const_name(const char *rust)
{
	char *out = xmalloc(strlen(rust) + 5);

	sprintf(out, "RKM_%s", rust);
	return out;
}

static struct item *add_item(struct side *sd, enum kind k, char *name, int line)
{
	struct item *it;

	if (sd->nitems == MAX_ITEMS) {
		printf("abi drift: %s: too many items\n", sd->path);
		exit(2);
	}
	it = &sd->items[sd->nitems++];
	memset(it, 0, sizeof(*it));
	it->kind = k;
	it->name = name;
	it->path = sd->path;
	it->line = line;
	return it;
}

static void add_rust_type(struct side *sd, const char *name)
{
	if (sd->ntypes < MAX_ITEMS)
		sd->rust_types[sd->ntypes++] = (char *)name;
}

static void unreadable(const struct side *sd, int i, const char *what)
{
	drift("%s:%d: %s `%s`: not compared with the header", sd->path, sd->t[i].line, what,
	      sd->t[i].s);
}

/* fn name(args) -> ret;  or  static name: type;  inside extern "C" { }. */
static int parse_extern_block(struct side *sd, int i)
{
	bool repr_c;

	i++;	/* { */
	while (i < sd->nt && !is(sd, i, "}")) {
		int line;
		struct item *it;

		i = skip_attrs(sd, i, &repr_c);
		i = skip_vis(sd, i);
		if (is(sd, i, "}"))
			break;
		if (is(sd, i, "safe") || is(sd, i, "unsafe"))
			i++;
		line = sd->t[i].line;
		if (is(sd, i, "fn") && is_word(sd->t[i + 1].s)) {
			it = add_item(sd, K_FN, sd->t[i + 1].s, line);
			it->first = i;	/* fn name ( ... ) [-> ret] */
			for (i += 2; i < sd->nt && !is(sd, i, ";"); i++)
				if (is(sd, i, "("))
					i = skip_group(sd, i) - 1;
			it->last = i;
			i++;
		} else if (is(sd, i, "static")) {
			i++;
			if (is(sd, i, "mut"))
				i++;
			it = add_item(sd, K_STATIC, sd->t[i].s, line);
			it->first = i + 2;	/* name : type ; */
			it->last = type_end(sd, it->first);
			i = it->last + 1;
		} else {
			unreadable(sd, i, "extern item");
			while (i < sd->nt && !is(sd, i, ";") && !is(sd, i, "}"))
				i++;
			if (is(sd, i, ";"))
				i++;
		}
	}
	return i + 1;
}

static void parse(struct side *sd)
{
	int i = 0;
	bool repr_c;

	while (i < sd->nt) {
		int start, line;
		struct item *it;

		i = skip_attrs(sd, i, &repr_c);
		if (i >= sd->nt)
			break;
		start = i;
		i = skip_vis(sd, i);
		line = sd->t[i].line;
		if (is(sd, i, "use")) {
			while (i < sd->nt && !is(sd, i, ";"))
				i++;
			i++;
		} else if ((is(sd, i, "unsafe") && is(sd, i + 1, "extern") && is(sd, i + 3, "{")) ||
			   (is(sd, i, "extern") && is(sd, i + 2, "{"))) {
			while (!is(sd, i, "{"))
				i++;
			i = parse_extern_block(sd, i);
		} else if (is(sd, i, "const") && is(sd, i + 2, ":")) {
			char *name = sd->t[i + 1].s;

			it = add_item(sd, K_CONST, sd->is_abi_rs ? c_const_name(name) : name, line);
			it->first = type_end(sd, i + 3) + 1;	/* after = */
			it->last = type_end(sd, it->first);
			i = it->last + 1;
		} else if (is(sd, i, "type") && is(sd, i + 2, "=")) {
			struct alias *a = &sd->aliases[sd->naliases++];

			a->name = sd->t[i + 1].s;
			a->first = i + 3;
			a->last = type_end(sd, a->first);
			i = a->last + 1;
		} else if (is(sd, i, "struct")) {
			char *name = sd->t[i + 1].s;

			if (sd->is_abi_rs)
				add_rust_type(sd, name);
			it = add_item(sd, K_TYPE, sd->is_abi_rs ? c_type_name(name) : name, line);
			i += 2;
			if (is(sd, i, "{")) {
				it->first = i + 1;
				it->last = skip_group(sd, i) - 1;
				i = it->last + 1;
			} else {
				unreadable(sd, start, "struct without named fields");
				it->sig = "?";
				i = type_end(sd, i) + 1;
			}
			if (sd->is_abi_rs && !repr_c)
				drift("%s: abi.rs:%d: struct %s is not #[repr(C)]", it->name, line,
				      name);
		} else if (is(sd, i, "opaque") && is(sd, i + 1, "!") && sd->is_abi_rs) {
			for (i += 3; i < sd->nt && !is(sd, i, ")"); i++) {
				if (!is_word(sd->t[i].s))
					continue;
				add_rust_type(sd, sd->t[i].s);
				it = add_item(sd, K_TYPE, c_type_name(sd->t[i].s), sd->t[i].line);
				it->opaque = true;
			}
			i += 2;	/* ) ; */
		} else if (is(sd, i, "macro_rules") || is(sd, i, "fn") || is(sd, i, "impl") ||
			   (is(sd, i, "unsafe") && (is(sd, i + 1, "impl") || is(sd, i + 1, "fn")))) {
			/* Rust helpers with a body: not declarations of the header. */
			while (i < sd->nt && !is(sd, i, "{") && !is(sd, i, ";"))
				i++;
			i = is(sd, i, "{") ? skip_group(sd, i) : i + 1;
		} else {
			unreadable(sd, i, "item");
			while (i < sd->nt && !is(sd, i, ";") && !is(sd, i, "{"))
				i++;
			i = is(sd, i, "{") ? skip_group(sd, i) : i + 1;
		}
	}
}

/* Canonical text of tokens [first, last), appended to @out. */
struct buf {
	char s[SIG_MAX];
	size_t len;
	const char *prev;
};

static void emit(struct buf *b, const char *s)
{
	const char *p = b->prev;
	bool space = p && ((is_word(p) && is_word(s)) ||
			   ((!strcmp(p, "mut") || !strcmp(p, "const")) && !strcmp(s, "*")) ||
			   !strcmp(p, ",") || !strcmp(p, ";") || !strcmp(p, ":") ||
			   !strcmp(p, "->") || !strcmp(s, "->"));
	size_t n = strlen(s);

	if (b->len + n + 2 >= sizeof(b->s))
		return;
	if (space)
		b->s[b->len++] = ' ';
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
	b->prev = s;
}

static void canon(const struct side *sd, int first, int last, struct buf *b, int depth);

static bool resolve_name(const struct side *sd, const char *s, struct buf *b, int depth)
{
	int k;

	for (k = 0; k < sd->naliases; k++)
		if (!strcmp(sd->aliases[k].name, s)) {
			canon(sd, sd->aliases[k].first, sd->aliases[k].last, b, depth + 1);
			return true;
		}
	if (sd->is_abi_rs)
		for (k = 0; k < sd->ntypes; k++)
			if (!strcmp(sd->rust_types[k], s)) {
				char *c = c_type_name(s);

				emit(b, c);	/* emit keeps the pointer: leak it */
				return true;
			}
	return false;
}

static void canon(const struct side *sd, int first, int last, struct buf *b, int depth)
{
	int i, opt_depth[64], nopt = 0, angle = 0;

	if (depth > 16)
		return;
	for (i = first; i < last; i++) {
		const char *s = sd->t[i].s;

		/* a::b::c -> c; $crate::a::c -> c (module!'s paths are $crate's) */
		if (is(sd, i + 1, "::") || !strcmp(s, "::") ||
		    (!strcmp(s, "$") && is(sd, i + 2, "::")))
			continue;
		if (!strcmp(s, "unsafe") || !strcmp(s, "extern") || !strcmp(s, "\"C\""))
			continue;
		/* Option<fn(...)> -> fn(...) */
		if (!strcmp(s, "Option") && is(sd, i + 1, "<")) {
			int j = i + 2;

			while (j < last && (is(sd, j, "unsafe") || is(sd, j, "extern") ||
					    is(sd, j, "\"C\"")))
				j++;
			if (is(sd, j, "fn") && nopt < 64) {
				opt_depth[nopt++] = ++angle;
				i++;	/* and the < */
				continue;
			}
		}
		/* trailing commas (rustfmt's) */
		if (!strcmp(s, ",") && (is(sd, i + 1, ">") || is(sd, i + 1, ")") || is(sd, i + 1, "]")))
			continue;
		if (!strcmp(s, "<"))
			angle++;
		if (!strcmp(s, ">")) {
			if (nopt && opt_depth[nopt - 1] == angle) {
				nopt--;
				angle--;
				continue;
			}
			angle--;
		}
		/* argument names in fn types: name : */
		if (is_word(s) && is(sd, i + 1, ":") && !is(sd, i + 1, "::"))
			if (i > first && (is(sd, i - 1, "(") || is(sd, i - 1, ","))) {
				i++;
				continue;
			}
		if (is_word(s) && !isdigit((unsigned char)*s) && resolve_name(sd, s, b, depth))
			continue;
		emit(b, s);
	}
}

/* An integer literal (with _ separators, 0x/0o/0b, a type suffix), maybe negated. */
static bool eval_const(const struct side *sd, int first, int last, long long *v)
{
	bool neg = false;
	char digits[128], *d = digits, *end;
	const char *s;
	int base = 10;

	if (first < last && is(sd, first, "-"))
		neg = true, first++;
	if (last - first != 1)
		return false;
	s = sd->t[first].s;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		s += 2;
	}
	for (; *s && d < digits + sizeof(digits) - 1; s++)
		if (*s != '_')
			*d++ = *s;
	*d = 0;
	errno = 0;
	*v = strtoll(digits, &end, base);
	if (errno || end == digits)
		return false;
	/* What is left must be a Rust integer suffix. */
	if (*end && !strchr("iu", *end))
		return false;
	if (neg)
		*v = -*v;
	return true;
}

/* extern "C" fn rkm_NAME(...) [-> T] { anywhere, even in a macro's body. */
static void scan_exports(struct side *sd)
{
	int i, j;

	for (i = 0; i + 4 < sd->nt; i++) {
		struct item *it;

		if (!is(sd, i, "extern") || !is(sd, i + 1, "\"C\"") || !is(sd, i + 2, "fn") ||
		    strncmp(sd->t[i + 3].s, "rkm_", 4) || !is(sd, i + 4, "("))
			continue;
		for (j = skip_group(sd, i + 4); j < sd->nt && !is(sd, j, "{") && !is(sd, j, ";"); j++)
			;
		if (!is(sd, j, "{"))
			continue;	/* a declaration, not a definition */
		it = add_item(sd, K_FN, sd->t[i + 3].s, sd->t[i + 3].line);
		it->first = i + 2;
		it->last = j;
	}
}

static void resolve(struct side *sd)
{
	int k;

	for (k = 0; k < sd->nitems; k++) {
		struct item *it = &sd->items[k];
		struct buf b = { .len = 0 };

		if (it->sig)
			continue;
		switch (it->kind) {
		case K_FN:
			/* fn name ( args ) [-> ret]: render as fn(args) -> ret */
			emit(&b, "fn");
			canon(sd, it->first + 2, it->last, &b, 0);
			break;
		case K_STATIC:
			emit(&b, "static");
			canon(sd, it->first, it->last, &b, 0);
			break;
		case K_CONST: {
			long long v;

			if (eval_const(sd, it->first, it->last, &v))
				snprintf(b.s, sizeof(b.s), "const %lld", v);
			else
				snprintf(b.s, sizeof(b.s), "const ? (not an integer literal, line %d)",
					 it->line);
			break;
		}
		case K_TYPE: {
			int i = it->first, fields = 0;

			if (it->opaque) {
				snprintf(b.s, sizeof(b.s), "struct opaque");
				break;
			}
			/*
			 * Field names here, each field's type as an item of its
			 * own; private fields (_unused, _p, _m) make it opaque.
			 */
			emit(&b, "struct {");
			while (i < it->last) {
				bool repr_c;
				int name, end;

				i = skip_attrs(sd, i, &repr_c);
				i = skip_vis(sd, i);
				if (i >= it->last)
					break;
				name = i;
				end = type_end(sd, i + 2);
				if (sd->t[name].s[0] != '_') {
					char *fname = xmalloc(strlen(it->name) + strlen(sd->t[name].s) + 2);
					struct item *f;
					struct buf fb = { .len = 0 };

					if (fields++)
						emit(&b, ",");
					emit(&b, sd->t[name].s);
					sprintf(fname, "%s.%s", it->name, sd->t[name].s);
					canon(sd, name + 2, end, &fb, 0);
					f = add_item(sd, K_FIELD, fname, sd->t[name].line);
					it = &sd->items[k];	/* (the array does not move) */
					f->sig = xstrndup(fb.s, fb.len);
				}
				i = end + 1;
			}
			if (!fields) {
				snprintf(b.s, sizeof(b.s), "struct opaque");
				break;
			}
			emit(&b, " }");
			break;
		}
		case K_FIELD:	/* resolved with their struct */
			break;
		}
		it->sig = xstrndup(b.s, strlen(b.s));
	}
}

static struct item *find(struct side *sd, enum kind k, const char *name)
{
	int i;

	for (i = 0; i < sd->nitems; i++)
		if (sd->items[i].kind == k && !strcmp(sd->items[i].name, name))
			return &sd->items[i];
	return NULL;
}

/* rkm_abi_version_<N>: exactly one, N equal to RKM_ABI_VERSION. */
static void check_version(struct side *sd)
{
	struct item *v = find(sd, K_CONST, "RKM_ABI_VERSION");
	const char *pfx = "rkm_abi_version_";
	int i, n = 0;

	for (i = 0; i < sd->nitems; i++) {
		struct item *it = &sd->items[i];
		char want[64];

		if (it->kind != K_STATIC || strncmp(it->name, pfx, strlen(pfx)))
			continue;
		n++;
		if (!v) {
			drift("%s: %s has no RKM_ABI_VERSION", it->name, sd->label);
			continue;
		}
		snprintf(want, sizeof(want), "const %s", it->name + strlen(pfx));
		if (strcmp(want, v->sig))
			drift("%s: %s declares it but has RKM_ABI_VERSION %s", it->name, sd->label,
			      v->sig + strlen("const "));
	}
	if (n != 1)
		drift("rkm_abi_version_N: %s declares %d such symbol(s), not 1", sd->label, n);
}

static void compare(struct side *h, struct side *a)
{
	int i, counts[5] = { 0 };

	for (i = 0; i < h->nitems; i++) {
		struct item *x = &h->items[i], *y = find(a, x->kind, x->name);

		counts[x->kind]++;
		if (!y)
			drift("%s: header has %s, abi.rs has nothing", x->name, x->sig);
		else if (strcmp(x->sig, y->sig))
			drift("%s: header has %s, abi.rs has %s", x->name, x->sig, y->sig);
	}
	for (i = 0; i < a->nitems; i++) {
		struct item *y = &a->items[i];

		if (!find(h, y->kind, y->name))
			drift("%s: header has nothing, abi.rs has %s (%s:%d)", y->name, y->sig,
			      y->path, y->line);
	}
	printf("abi drift: %d difference(s) (%d functions, %d constants, %d types, %d variable(s))\n",
	       differences, counts[K_FN], counts[K_CONST], counts[K_TYPE], counts[K_STATIC]);
}

int main(int argc, char **argv)
{
	static struct side h = { .label = "header" }, a = { .label = "abi.rs", .is_abi_rs = true };
	int i, k;

	if (argc < 3) {
		fprintf(stderr, "usage: abi_drift HEADER_RS ABI_RS [RUST_SRC...]\n");
		return 2;
	}
	h.path = argv[1];
	a.path = argv[2];
	tokenize(&h);
	tokenize(&a);
	parse(&h);
	parse(&a);
	resolve(&h);
	resolve(&a);
	for (i = 3; i < argc; i++) {
		struct side *x = calloc(1, sizeof(*x));

		if (!x)
			return 2;
		x->label = "abi.rs";
		x->path = argv[i];
		x->is_abi_rs = true;
		memcpy(x->rust_types, a.rust_types, sizeof(a.rust_types));
		x->ntypes = a.ntypes;
		tokenize(x);
		scan_exports(x);
		resolve(x);
		for (k = 0; k < x->nitems; k++)
			*add_item(&a, K_FN, NULL, 0) = x->items[k];
	}
	check_version(&h);
	check_version(&a);
	compare(&h, &a);
	return differences ? 1 : 0;
}
