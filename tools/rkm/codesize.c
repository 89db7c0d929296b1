// SPDX-License-Identifier: GPL-2.0
/*
 * rkm bench's size tables: where an rkm module's machine code comes from.
 * Every function of the module (nm -S) is put in one origin: the C glue and
 * the module's C boilerplate (a symbol the Rust object does not define), and
 * of the Rust code (the symbols of NAME-rust.o, built beside the module,
 * demangled): core::fmt (formatting, whoever instantiated it), core and
 * alloc, the rkm crate (its generics instantiated for the driver included),
 * the driver's own crate. What no function covers is padding: the kernel's
 * 16 bytes before each function (CONFIG_FUNCTION_PADDING_ALIGNMENT, the
 * __pfx_ symbols) and alignment.
 */
#include "rkm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const code_origin_names[NORIGINS] = {
	[ORIGIN_GLUE] = "glue", [ORIGIN_DRIVER] = "driver", [ORIGIN_CRATE] = "rkm",
	[ORIGIN_FMT] = "core::fmt", [ORIGIN_CORE] = "core+alloc", [ORIGIN_PADDING] = "padding",
};

/*
 * The origin of a Rust function by its demangled name: core::fmt anywhere
 * in it (`<&T as core::fmt::Display>::fmt` instantiated by the driver is
 * formatting), else the crate its path starts with, past any `<`, `&`,
 * `*const`, `*mut`, `mut `, `dyn ` and `[` (`<rkm::miscdev::Trampolines<
 * rust_echo::File>>::write` is the crate's; `<rust_echo::File as
 * rkm::miscdev::FileOps>::read` the driver's). A Rust function that is not
 * mangled (#[no_mangle]: the entry points module! generates) is the crate's.
 */
int code_origin_of(const char *name, const char *driver)
{
	size_t n;

	if (strstr(name, "core::fmt"))
		return ORIGIN_FMT;
	for (;;) {
		if (*name == '<' || *name == '&' || *name == '[' || *name == '(')
			name++;
		else if (!strncmp(name, "*const ", 7) || !strncmp(name, "*mut ", 5))
			name += name[1] == 'c' ? 7 : 5;
		else if (!strncmp(name, "mut ", 4) || !strncmp(name, "dyn ", 4))
			name += 4;
		else
			break;
	}
	n = strcspn(name, ":<>, ");
	if (!name[n] || strncmp(name + n, "::", 2))
		return ORIGIN_CRATE;
	if ((n == 4 && !strncmp(name, "core", 4)) || (n == 5 && !strncmp(name, "alloc", 5)) ||
	    (n == 17 && !strncmp(name, "compiler_builtins", 17)))
		return ORIGIN_CORE;
	if (n == strlen(driver) && !strncmp(name, driver, n))
		return ORIGIN_DRIVER;
	return ORIGIN_CRATE;
}

struct fn_size {
	long size;
	int origin;
	char *name;	/* as nm gives it; demangled once its origin is known */
};

static int by_size(const void *a, const void *b)
{
	const struct fn_size *x = a, *y = b;

	return x->size < y->size ? 1 : x->size > y->size ? -1 : strcmp(x->name, y->name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct fn_size *)a)->name, ((const struct fn_size *)b)->name);
}

/* The functions OBJ defines (nm -S), without the kernel's __pfx_ padding; *n of them. */
static struct fn_size *nm_functions(const char *obj, int *n)
{
	char *cmd = xasprintf("nm -S --defined-only '%s' 2>/dev/null", obj), line[4096];
	FILE *p = popen(cmd, "r");
	struct fn_size *fns = NULL;
	int cap = 0;

	*n = 0;
	while (p && fgets(line, sizeof(line), p)) {
		char name[2048], type;
		unsigned long addr, size;

		if (sscanf(line, "%lx %lx %c %2047s", &addr, &size, &type, name) != 4 ||
		    (type != 't' && type != 'T') || !strncmp(name, "__pfx_", 6))
			continue;
		if (*n == cap && !(fns = realloc(fns, (cap = cap ? cap * 2 : 256) * sizeof(*fns))))
			die("out of memory");
		fns[(*n)++] = (struct fn_size){ (long)size, ORIGIN_GLUE, strdup(name) };
	}
	if (p)
		pclose(p);
	free(cmd);
	return fns;
}

static void free_functions(struct fn_size *fns, int n)
{
	while (n--)
		free(fns[n].name);
	free(fns);
}

bool code_origins(const char *ko, long code, long bytes[NORIGINS], int top)
{
	const char *base = base_name(ko);
	size_t len = strlen(base);
	struct fn_size *rust, *fns;
	char *driver, *obj;
	long covered = 0;
	int nrust, nfns, i;

	if (len < 4 || strcmp(base + len - 3, ".ko"))
		return false;
	driver = xasprintf("%.*s", (int)(len - 3), base);
	obj = xasprintf("%.*s%s-rust.o", (int)(base - ko), ko, driver);
	if (!is_file(obj)) {
		free(driver);
		free(obj);
		return false;
	}
	rust = nm_functions(obj, &nrust);
	qsort(rust, nrust, sizeof(*rust), by_name);
	fns = nm_functions(ko, &nfns);
	memset(bytes, 0, NORIGINS * sizeof(*bytes));
	for (i = 0; i < nfns; i++) {
		/* Rust: defined by the Rust object; the rest is C (the glue). */
		if (bsearch(&fns[i], rust, nrust, sizeof(*rust), by_name)) {
			char *d = demangle_text(fns[i].name);

			free(fns[i].name);
			fns[i].name = d;
			fns[i].origin = code_origin_of(d, driver);
		}
		bytes[fns[i].origin] += fns[i].size;
		covered += fns[i].size;
	}
	bytes[ORIGIN_PADDING] = code - covered;
	if (top > 0) {
		qsort(fns, nfns, sizeof(*fns), by_size);
		printf("# %s's %d largest functions (bytes, origin)\n", driver, top);
		for (i = 0; i < nfns && i < top; i++)
			printf("  %6ld  %-10s %s\n", fns[i].size, code_origin_names[fns[i].origin],
			       fns[i].name);
	}
	free_functions(fns, nfns);
	free_functions(rust, nrust);
	free(driver);
	free(obj);
	return true;
}
