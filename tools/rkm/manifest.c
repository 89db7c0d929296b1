// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: a driver directory's manifest, DIR/rkm.manifest: what rkm test,
 * rkm bench and the in-guest reliability programs need for that driver
 * (QEMU devices, C twins, fuzz models, load/unload cycles, failslab specs,
 * benchmark pairs and workloads). One keyword and its words a line; '#'
 * starts a comment. A bad line stops rkm with FILE:LINE: and why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rkm.h"

#define MAX_WORDS 32

struct mline {
	const char *path;
	int no;
	char *w[MAX_WORDS];
	int n;
};

static void __attribute__((noreturn, format(printf, 2, 3))) bad(const struct mline *l,
								  const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = "bad line";
	va_end(ap);
	die("%s:%d: %s", l->path, l->no, msg);
}

/* The words from w[from] on, joined by single spaces. */
static char *join(const struct mline *l, int from)
{
	size_t len = 0;
	char *s;
	int i;

	for (i = from; i < l->n; i++)
		len += strlen(l->w[i]) + 1;
	s = calloc(1, len + 1);
	if (!s)
		die("out of memory");
	for (i = from; i < l->n; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, l->w[i]);
	}
	return s;
}

static void need_words(const struct mline *l, int min, int max, const char *form)
{
	if (l->n < min || (max && l->n > max))
		bad(l, "expected '%s'", form);
}

static void add(const struct mline *l, const char **list, int *n, const char *item)
{
	if (*n == RKM_MAX_ITEMS)
		bad(l, "more than %d entries of this kind", RKM_MAX_ITEMS);
	list[(*n)++] = item;
}

/* A module this manifest ships: the driver, one of its twins or a kernel-module. */
static void need_module(const struct mline *l, const struct manifest *m, const char *name)
{
	int i;

	if (!strcmp(name, m->name) || manifest_kmod(m, name))
		return;
	for (i = 0; i < m->ntwins; i++)
		if (!strcmp(name, m->twins[i]))
			return;
	for (i = 0; i < m->ndrivers; i++)
		if (!strcmp(name, base_name(m->drivers[i])))
			return;
	bad(l, "'%s' is neither the driver (%s) nor a twin, driver or kernel-module this manifest declares",
	    name, m->name);
}

/*
 * QEMU arguments add hardware, nothing else: the harness's own options
 * (kernel, command line, console, memory, clock) stay its own, no host file
 * is opened for a driver directory, and networks stay inside the guest.
 */
static void qemu_words(const struct mline *l, int from)
{
	static const char *const allowed[] = { "-device", "-global", "-drive", "-netdev", "-object" };
	const char *opt = NULL;
	size_t j;
	int i;

	for (i = from; i < l->n; i++) {
		const char *w = l->w[i];

		if (strpbrk(w, "'\"\\"))
			bad(l, "no quoting: QEMU arguments are split at spaces ('%s')", w);
		if (w[0] == '-') {
			for (j = 0; j < sizeof(allowed) / sizeof(allowed[0]); j++)
				if (!strcmp(w, allowed[j]))
					break;
			if (j == sizeof(allowed) / sizeof(allowed[0]))
				bad(l, "QEMU option '%s': a manifest adds devices only (-device, -global, "
				    "-drive if=none, -netdev hubport, -object)", w);
			opt = w;
			continue;
		}
		if (!opt)
			bad(l, "'%s': a QEMU option first (-device ...)", w);
		if ((!strcmp(opt, "-drive") && (!strstr(w, "if=none") || strstr(w, "file="))) ||
		    (!strcmp(opt, "-netdev") && strncmp(w, "hubport,", 8)) ||
		    (!strcmp(opt, "-object") && strstr(w, "-file")))
			bad(l, "'%s %s': drives are if=none without a host file, networks hub ports, "
			    "objects no host files", opt, w);
		opt = NULL;
	}
}

/* Kernel arguments of a variant: none of those the harness sets itself. */
static void kernel_words(const struct mline *l, int from)
{
	static const char *const own[] = { "init=", "rdinit=", "console=", "panic=", "oops=",
					   "log_buf_len=", "--" };
	size_t j;
	int i;

	for (i = from; i < l->n; i++) {
		if (strpbrk(l->w[i], "'\"\\"))
			bad(l, "no quoting: kernel arguments are split at spaces ('%s')", l->w[i]);
		for (j = 0; j < sizeof(own) / sizeof(own[0]); j++)
			if (!strncmp(l->w[i], own[j], strlen(own[j])))
				bad(l, "kernel argument '%s': rkm sets it itself", l->w[i]);
	}
}

static void parse_twin(const struct mline *l, struct manifest *m)
{
	need_words(l, 2, 2, "twin DIR");
	if (!valid_module_name(l->w[1]))
		bad(l, "twin '%s' is not a module name (a subdirectory named after its module)",
		    l->w[1]);
	if (!is_file(xasprintf("%s/%s/Kbuild", m->dir, l->w[1])))
		bad(l, "twin %s: no %s/%s/Kbuild", l->w[1], m->dir, l->w[1]);
	add(l, m->twins, &m->ntwins, strdup(l->w[1]));
}

/*
 * driver DIR: another driver directory (a path relative to this one, e.g.
 * ../my_driver), built for the same kernels and shipped in
 * /lib/rkm, unloaded: the Rust driver a test-only directory compares with
 * the kernel's own module.
 */
static void parse_driver(const struct mline *l, struct manifest *m)
{
	char real[PATH_MAX], *path;
	const char *name;

	need_words(l, 2, 2, "driver DIR");
	path = l->w[1][0] == '/' ? strdup(l->w[1]) : xasprintf("%s/%s", m->dir, l->w[1]);
	if (!realpath(path, real) || !is_dir(real))
		bad(l, "driver %s: no directory %s", l->w[1], path);
	name = base_name(real);
	if (!valid_module_name(name))
		bad(l, "driver %s: '%s' is not a module name", l->w[1], name);
	if (!strcmp(real, m->dir))
		bad(l, "driver %s: the manifest's own directory", l->w[1]);
	if (!is_file(xasprintf("%s/%s.rs", real, name)) && !is_file(xasprintf("%s/Kbuild", real)))
		bad(l, "driver %s: neither %s/%s.rs nor %s/Kbuild", l->w[1], real, name, real);
	add(l, m->drivers, &m->ndrivers, strdup(real));
	free(path);
}

static void parse_kmods(const struct mline *l, struct manifest *m)
{
	need_words(l, 2, 0, "kernel-module NAME...");
	for (int i = 1; i < l->n; i++) {
		if (!valid_module_name(l->w[i]))
			bad(l, "'%s' is not a module name", l->w[i]);
		add(l, m->kmods, &m->nkmods, strdup(l->w[i]));
	}
}

/* Whether NAME is one of the target kernel's own modules the manifest ships. */
bool manifest_kmod(const struct manifest *m, const char *name)
{
	for (int i = 0; i < m->nkmods; i++)
		if (!strcmp(m->kmods[i], name))
			return true;
	return false;
}

static void parse_failslab(const struct mline *l, struct manifest *m)
{
	int i;

	need_words(l, 2, 0, "failslab MODULE[:DEVICE[:files]]...");
	for (i = 1; i < l->n; i++) {
		char *spec = strdup(l->w[i]), *dev = strchr(spec, ':'), *opt = NULL;

		if (dev) {
			*dev++ = '\0';
			opt = strchr(dev, ':');
			if (opt)
				*opt++ = '\0';
		}
		if (dev && !valid_module_name(dev))
			bad(l, "'%s': '%s' is not a device name", l->w[i], dev);
		if (opt && strcmp(opt, "files"))
			bad(l, "'%s': the only option is ':files'", l->w[i]);
		need_module(l, m, spec);
		add(l, m->failslab, &m->nfailslab, strdup(l->w[i]));
		free(spec);
	}
}

static void parse_bench(const struct mline *l, struct manifest *m)
{
	const char *what = l->n > 1 ? l->w[1] : "";
	int i;

	if (!strcmp(what, "pair")) {
		need_words(l, 4, 4, "bench pair DRIVER TWIN");
		if (strcmp(l->w[2], m->name))
			bad(l, "bench pair: the first module is the driver, %s", m->name);
		if (!strcmp(l->w[3], m->name))
			bad(l, "bench pair: the second module is a twin, not the driver");
		need_module(l, m, l->w[3]);
		if (m->bench_c)
			bad(l, "a second 'bench pair': one pair a manifest");
		m->bench_c = strdup(l->w[3]);
	} else if (!strcmp(what, "params")) {
		need_words(l, 3, 0, "bench params PARAM=VALUE...");
		m->bench_params = join(l, 2);
	} else if (!strcmp(what, "qemu")) {
		need_words(l, 3, 0, "bench qemu ARGS...");
		qemu_words(l, 2);
		add(l, m->bench_qemu, &m->nbench_qemu, join(l, 2));
	} else if (!strcmp(what, "workload")) {
		need_words(l, 3, 0, "bench workload NAME...");
		for (i = 2; i < l->n; i++)
			add(l, m->workloads, &m->nworkloads, strdup(l->w[i]));
	} else if (!strcmp(what, "code-limit")) {
		need_words(l, 3, 3, "bench code-limit BYTES");
		if (m->code_limit >= 0)
			bad(l, "a second 'bench code-limit'");
		if (parse_int(l->w[2], 0, RKM_MAX_CODE_LIMIT, &m->code_limit))
			bad(l, "bench code-limit: '%s' is not a number of bytes in 0..%d", l->w[2],
			    RKM_MAX_CODE_LIMIT);
	} else if (!strcmp(what, "alternate-load-order")) {
		need_words(l, 2, 2, "bench alternate-load-order");
		m->alternate = true;
	} else {
		bad(l, "unknown bench line '%s' (pair, params, qemu, workload, alternate-load-order, "
		    "code-limit)", what);
	}
}

/*
 * fuzz MODULE MODEL [DEVICE] [configfs=SUBSYS]: MODULE is the driver, a twin
 * or a kernel-module the manifest declares; DEVICE the node in /dev (default
 * MODULE); SUBSYS its configfs subsystem. rkm-fuzz gets
 * MODULE:MODEL[:DEVICE][:configfs=SUBSYS].
 */
static void parse_fuzz(const struct mline *l, struct manifest *m)
{
	const char *dev = NULL, *subsys = NULL;
	char *arg;
	int i;

	need_words(l, 3, 5, "fuzz MODULE MODEL [DEVICE] [configfs=SUBSYS]");
	need_module(l, m, l->w[1]);
	if (!valid_module_name(l->w[2]))
		bad(l, "'%s' is not a fuzz model name", l->w[2]);
	for (i = 3; i < l->n; i++) {
		if (!strncmp(l->w[i], "configfs=", 9) && !subsys)
			subsys = l->w[i] + 9;
		else if (i == 3)
			dev = l->w[i];
		else
			bad(l, "'%s': after MODEL, a device name and configfs=SUBSYS, once each",
			    l->w[i]);
	}
	if (dev && !valid_module_name(dev))
		bad(l, "'%s' is not a device name (a /dev name: lowercase letters, digits, '_')", dev);
	if (subsys && !valid_module_name(subsys))
		bad(l, "'%s' is not a configfs subsystem name", subsys);
	arg = xasprintf("%s:%s", l->w[1], l->w[2]);
	if (dev)
		arg = xasprintf("%s:%s", arg, dev);
	if (subsys)
		arg = xasprintf("%s:configfs=%s", arg, subsys);
	add(l, m->fuzz, &m->nfuzz, arg);
}

/* A Debian package name: lower-case letters, digits, '+', '-', '.'; two characters at least. */
static bool package_name(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789+-.");

	return n >= 2 && !s[n] && s[0] != '-' && s[0] != '.' && s[0] != '+';
}

/*
 * 'program PACKAGE PROGRAM...': host programs shipped into the guest with
 * their libraries (userspace.c). Whether each is installed is checked when
 * a boot is planned (rkm test), naming this line; make setup installs the
 * packages (tools/setup.sh reads these lines).
 */
static void parse_program(const struct mline *l, struct manifest *m)
{
	int i;

	need_words(l, 3, 0, "program PACKAGE PROGRAM...");
	if (!package_name(l->w[1]))
		bad(l, "'%s' is not a Debian package name", l->w[1]);
	for (i = 2; i < l->n; i++) {
		const char *w = l->w[i];

		if (strchr(w, '/') || !strcmp(w, ".") || !strcmp(w, "..") ||
		    strpbrk(w, "'\"\\$*?[]"))
			bad(l, "'%s' is not a program name (a file name of /usr/bin, /usr/sbin, /bin "
			    "or /sbin, no path)", w);
		add(l, m->programs, &m->nprograms, xasprintf("%s %s", l->w[1], w));
		m->program_at[m->nprograms - 1] = xasprintf("%s:%d", l->path, l->no);
	}
}

/* QEMU's PCI NIC models a manifest may ask for (qemu-system-x86_64 -device help). */
static const char *const nic_models[] = { "e1000", "e1000-82544gc", "e1000-82545em", "e1000e",
					  "rtl8139", "pcnet", "ne2k_pci", "virtio-net-pci",
					  "vmxnet3", "i82559er", "tulip" };

/*
 * 'nic MODEL COUNT': COUNT NICs of QEMU device MODEL, joined only by QEMU
 * hub 0 (a hub port each: no user-mode network, tap, socket or bridge, so
 * nothing leaves the guest). NIC n of the manifest (from 0, over all its
 * nic lines) is netdev rkmnN with MAC 52:54:00:12:34:5N.
 */
static void parse_nic(const struct mline *l, struct manifest *m)
{
	size_t j, nm = sizeof(nic_models) / sizeof(nic_models[0]);
	char *models = NULL;
	long count;
	int i;

	need_words(l, 3, 3, "nic MODEL COUNT");
	for (j = 0; j < nm && strcmp(l->w[1], nic_models[j]); j++)
		;
	for (i = 0; j == nm && i < (int)nm; i++)
		models = models ? xasprintf("%s, %s", models, nic_models[i]) : strdup(nic_models[i]);
	if (j == nm)
		bad(l, "nic: unknown NIC model '%s' (%s)", l->w[1], models);
	if (parse_int(l->w[2], 1, RKM_MAX_NICS, &count))
		bad(l, "nic: '%s' is not a count of NICs in 1..%d", l->w[2], RKM_MAX_NICS);
	if (m->nnics + count > RKM_MAX_NICS)
		bad(l, "nic: more than %d NICs in all (the hub's MACs end 5N)", RKM_MAX_NICS);
	for (i = 0; i < count; i++, m->nnics++)
		add(l, m->qemu, &m->nqemu,
		    xasprintf("-netdev hubport,id=rkmn%d,hubid=0 -device %s,netdev=rkmn%d,"
			      "mac=52:54:00:12:34:%02x", m->nnics, l->w[1], m->nnics, 0x50 + m->nnics));
}

static void parse_line(const struct mline *l, struct manifest *m, bool *cycles_seen)
{
	const char *kw = l->w[0];
	long v;

	if (!strcmp(kw, "twin")) {
		return;		/* the first pass took them */
	} else if (!strcmp(kw, "qemu")) {
		need_words(l, 2, 0, "qemu ARGS...");
		qemu_words(l, 1);
		add(l, m->qemu, &m->nqemu, join(l, 1));
	} else if (!strcmp(kw, "fuzz")) {
		parse_fuzz(l, m);
	} else if (!strcmp(kw, "cycles")) {
		need_words(l, 2, 0, "cycles N [PARAM=VALUE...]");
		for (int i = 2; i < l->n; i++)
			if (!strchr(l->w[i], '=') || strchr(l->w[i], ',') || strchr(l->w[i], ':'))
				bad(l, "cycles: '%s' is not a module parameter PARAM=VALUE (no ',' or ':')",
				    l->w[i]);
		if (l->n > 2)
			m->cycles_params = join(l, 2);
		if (*cycles_seen)
			bad(l, "a second 'cycles' line");
		if (parse_int(l->w[1], 0, 100000, &v) || (v > 0 && v < 2))
			bad(l, "cycles: '%s' is not 0 (none) or an integer in 2..100000", l->w[1]);
		m->cycles = (int)v;
		*cycles_seen = true;
	} else if (!strcmp(kw, "failslab")) {
		parse_failslab(l, m);
	} else if (!strcmp(kw, "bench")) {
		parse_bench(l, m);
	} else if (!strcmp(kw, "variant")) {
		need_words(l, 3, 0, "variant NAME KERNEL-ARGS...");
		if (!valid_module_name(l->w[1]))
			bad(l, "'%s' is not a variant name", l->w[1]);
		if (manifest_variant(m, l->w[1]))
			bad(l, "a second 'variant %s'", l->w[1]);
		kernel_words(l, 2);
		add(l, m->variants, &m->nvariants, join(l, 1));
	} else if (!strcmp(kw, "kernel-args")) {
		need_words(l, 2, 0, "kernel-args KERNEL-ARGS...");
		if (m->kernel_args)
			bad(l, "a second 'kernel-args' (one line: the arguments in it)");
		kernel_words(l, 1);
		m->kernel_args = join(l, 1);
	} else if (!strcmp(kw, "kernel-module") || !strcmp(kw, "driver")) {
		return;		/* the first pass took them */
	} else if (!strcmp(kw, "reset-test")) {
		need_words(l, 2, 0, "reset-test ARGS...");
		for (int i = 1; i < l->n; i++)
			if (strpbrk(l->w[i], "'\"\\"))
				bad(l, "no quoting: test arguments are split at spaces ('%s')", l->w[i]);
		add(l, m->resets, &m->nresets, join(l, 1));
	} else if (!strcmp(kw, "program")) {
		parse_program(l, m);
	} else if (!strcmp(kw, "nic")) {
		parse_nic(l, m);
	} else if (!strcmp(kw, "build-as")) {
		need_words(l, 2, 0, "build-as NAME...");
		for (int i = 1; i < l->n; i++) {
			if (!valid_module_name(l->w[i]))
				bad(l, "'%s' is not a module name", l->w[i]);
			if (!strcmp(l->w[i], m->name))
				bad(l, "'%s' is the driver's own name", l->w[i]);
			add(l, m->build_as, &m->nbuild_as, strdup(l->w[i]));
		}
	} else {
		bad(l, "unknown keyword '%s' (qemu, twin, fuzz, cycles, failslab, bench, variant, kernel-args, "
		    "kernel-module, reset-test, program, build-as, nic, driver)", kw);
	}
}

/* The kernel arguments of variant NAME of the driver, or NULL if it has none. */
const char *manifest_variant(const struct manifest *m, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 0; i < m->nvariants; i++)
		if (!strncmp(m->variants[i], name, n) && m->variants[i][n] == ' ')
			return m->variants[i] + n + 1;
	return NULL;
}

/*
 * Reads DIR/rkm.manifest into m; a directory without one gets the
 * defaults (no QEMU arguments, no twins, cycles 200). Dies on a bad line.
 */
void manifest_load(const char *dir, struct manifest *m)
{
	char *path = xasprintf("%s/%s", dir, RKM_MANIFEST), *buf = NULL;
	struct mline *lines = NULL;
	bool cycles_seen = false;
	int nlines = 0, no = 0, i, pass;
	size_t cap = 0;
	FILE *f;

	memset(m, 0, sizeof(*m));
	if (!realpath(dir, m->dir) || !is_dir(m->dir))
		die("no driver directory %s", dir);
	m->name = base_name(m->dir);
	m->cycles = RKM_DEFAULT_CYCLES;
	m->code_limit = -1;
	f = fopen(path, "r");
	if (!f) {
		if (errno != ENOENT)
			die("cannot read %s: %s", path, strerror(errno));
		free(path);
		return;
	}
	while (getline(&buf, &cap, f) > 0) {
		struct mline *l;
		char *save, *w;

		no++;
		buf[strcspn(buf, "#\n")] = '\0';
		lines = realloc(lines, (nlines + 1) * sizeof(*lines));
		if (!lines)
			die("out of memory");
		l = &lines[nlines];
		*l = (struct mline){ .path = path, .no = no };
		for (w = strtok_r(buf, " \t\r", &save); w; w = strtok_r(NULL, " \t\r", &save)) {
			if (l->n == MAX_WORDS)
				bad(l, "more than %d words", MAX_WORDS);
			l->w[l->n++] = strdup(w);
		}
		if (l->n)
			nlines++;
	}
	fclose(f);
	free(buf);
	/* Twins and kernel modules first, so that any line may name one. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < nlines; i++) {
			if (pass == 0 && !strcmp(lines[i].w[0], "twin"))
				parse_twin(&lines[i], m);
			else if (pass == 0 && !strcmp(lines[i].w[0], "kernel-module"))
				parse_kmods(&lines[i], m);
			else if (pass == 0 && !strcmp(lines[i].w[0], "driver"))
				parse_driver(&lines[i], m);
			else if (pass == 1)
				parse_line(&lines[i], m, &cycles_seen);
		}
	for (i = 0; i < nlines; i++)
		if (!strcmp(lines[i].w[0], "bench") && !m->bench_c)
			bad(&lines[i], "bench lines need a 'bench pair DRIVER TWIN' line");
	if (m->bench_c && !m->nworkloads && (m->nbench_qemu || m->alternate || m->bench_params))
		for (i = 0; i < nlines; i++)
			if (!strcmp(lines[i].w[0], "bench"))
				bad(&lines[i], "bench lines without a 'bench workload' line: the pair "
				    "would not be booted");
	free(lines);
}

/* Adds a line of QEMU arguments to the plan; dedup: not if the plan has it already. */
void plan_add_qemu(struct plan *p, const char *line, bool dedup)
{
	int i;

	for (i = 0; dedup && i < p->nqemu; i++)
		if (!strcmp(p->qemu[i], line))
			return;
	if (p->nqemu == RKM_MAX_ITEMS)
		die("more than %d lines of QEMU arguments", RKM_MAX_ITEMS);
	p->qemu[p->nqemu++] = line;
}
