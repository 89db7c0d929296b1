// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: Rust symbol names in kernel logs, demangled, and `rkm decode [FILE]`.
 *
 * The kernel prints a Rust function by its mangled name: v0
 * (`_RNvCs1234_5mydrv4read` for function read of a crate mydrv,
 * rustc's -Csymbol-mangling-version=v0, as rkm builds) or legacy
 * (`_ZN5mydrv4read17h0123456789abcdefE`). Every such word of a log line is
 * replaced by its demangled path (without the crate hashes), leaving the
 * rest of the line as it is: in ` _RNvCs1234_5mydrv4read+0x2a/0x80 [mydrv]`
 * only the name changes.
 * The demangler is GNU libiberty's (binutils' and gdb's: v0 and legacy Rust),
 * Debian's libiberty-dev.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "rkm.h"

/* A character of a mangled name (v0 uses [A-Za-z0-9_], legacy also $ and .). */
static bool sym_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' || c == '.';
}

/* Could a Rust symbol start at s (at a word boundary)? */
static bool sym_start(const char *s)
{
	return (s[0] == '_' && s[1] == 'R' && (isupper((unsigned char)s[2]) || isdigit((unsigned char)s[2]))) ||
	       !strncmp(s, "_ZN", 3);
}

/*
 * Writes the word at p (a run of sym_char) to f, demangled if it is a Rust
 * symbol; returns its length. Dots ending a sentence are not the symbol's.
 */
static size_t put_word(const char *p, FILE *f)
{
	size_t n = 0, len;
	char *w, *d;

	while (sym_char(p[n]))
		n++;
	len = n;
	while (len > 1 && p[len - 1] == '.')
		len--;
	w = strndup(p, len);
	if (!w)
		die("out of memory");
	d = rust_demangle(w, DMGL_PARAMS);
	free(w);
	if (!d) {
		fwrite(p, 1, n, f);
		return n;
	}
	fputs(d, f);
	free(d);
	return len;
}

char *demangle_text(const char *text)
{
	size_t cap = 0;
	char *out = NULL;
	FILE *f = open_memstream(&out, &cap);
	const char *p = text;

	if (!f)
		die("out of memory");
	while (*p) {
		if (p != text && sym_char(p[-1])) {
			fputc(*p++, f);
			continue;
		}
		/*
		 * The kernel's own prefixes glued to a name: __pfx_ (the padding
		 * before a function, CONFIG_FUNCTION_PADDING_ALIGNMENT) and
		 * __cfi_ (its kCFI preamble): kept, the name after them demangled.
		 */
		if ((!strncmp(p, "__pfx_", 6) || !strncmp(p, "__cfi_", 6)) && sym_start(p + 6)) {
			fwrite(p, 1, 6, f);
			p += 6;
			p += put_word(p, f);
		} else if (sym_start(p)) {
			p += put_word(p, f);
		} else {
			fputc(*p++, f);
		}
	}
	fclose(f);
	return out;
}

void demangle_fputs(const char *text, FILE *f)
{
	char *d = demangle_text(text);

	fputs(d, f);
	free(d);
}

/* Guest output arrives in chunks: whole lines are demangled, the rest waits. */
static char *pending;
static size_t npending, cappending;

void demangle_write(const char *buf, size_t n, FILE *f)
{
	size_t start = 0, i;

	if (npending + n + 1 > cappending) {
		cappending = (npending + n + 1) * 2;
		pending = realloc(pending, cappending);
		if (!pending)
			die("out of memory");
	}
	memcpy(pending + npending, buf, n);
	npending += n;
	pending[npending] = '\0';
	for (i = 0; i < npending; i++)
		if (pending[i] == '\n') {
			pending[i] = '\0';
			demangle_fputs(pending + start, f);
			fputc('\n', f);
			start = i + 1;
		}
	memmove(pending, pending + start, npending - start);
	npending -= start;
	/* A line longer than any kernel line: out as it is. */
	if (npending > 65536)
		demangle_flush(f);
	fflush(f);
}

void demangle_flush(FILE *f)
{
	if (!npending)
		return;
	pending[npending] = '\0';
	demangle_fputs(pending, f);
	npending = 0;
	fflush(f);
}

/* `rkm decode [FILE]`: a pasted log (stdin by default), demangled. */
int cmd_decode(int argc, char **argv)
{
	FILE *in = stdin;
	char *line = NULL;
	size_t cap = 0;

	while (cmd_getopt(argc, argv, "h", (const struct option[]){ OPT_HELP, { 0 } }) != -1)
		;
	if (argc - optind > 1)
		usage_exit(argv[0], 2);
	if (optind < argc && strcmp(argv[optind], "-") && !(in = fopen(argv[optind], "r")))
		die("cannot read %s: %s", argv[optind], strerror(errno));
	while (getline(&line, &cap, in) > 0)
		demangle_fputs(line, stdout);
	free(line);
	if (in != stdin)
		fclose(in);
	return 0;
}
