// SPDX-License-Identifier: GPL-2.0
/*
 * rkm bench: each Rust sample against its C twin, in the same boot,
 * alternating, several rounds per boot and several boots per kernel, with
 * two clocks: wall time, and QEMU's -icount (instructions: exact, repeatable).
 * Prints a table of Rust/C ratios with their spread, writes every run to CSV
 * and JSON, draws the ratios (PNG, with gnuplot), and reports module sizes
 * and build times.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "rkm.h"

#define MAX_RECORDS 100000
/* Where rkm-bench's rkm_prof_mark() is linked: a page no other guest program uses. */
#define PROF_MARK "0x3f000000"
#define MAX_WORKLOADS 128

struct record {
	char clock[8];		/* wall | icount */
	const char *kernel;	/* its name, as long as it is */
	int boot, round;
	char workload[32];
	char impl[8];		/* c | rust */
	double ns;
};

static struct record recs[MAX_RECORDS];
static int nrecs;

static const char *const clocks[] = { "wall", "icount" };
static const char *const clock_doc[] = {
	"wall: CLOCK_MONOTONIC in the guest, real time under TCG emulation; noisy (runs differ by a few %)",
	"icount: QEMU -icount shift=0 (one vCPU), the guest clock counts instructions (1 insn = 1 ns): exact, no caches or retpoline costs",
};

/* Copies a string into a fixed field, cut to fit. */
static void set_field(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Collects the "# BENCH workload impl round ns" lines of one boot. */
static int collect(const char *ktap, const char *clock, const char *kernel, int boot)
{
	FILE *f = fopen(ktap, "r");
	char line[512];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f) && nrecs < MAX_RECORDS) {
		struct record *r = &recs[nrecs];
		const char *b = strstr(line, "# BENCH ");

		if (!b || sscanf(b, "# BENCH %31s %7s %d %lf", r->workload, r->impl, &r->round, &r->ns) != 4)
			continue;
		set_field(r->clock, sizeof(r->clock), clock);
		r->kernel = kernel;
		r->boot = boot;
		nrecs++;
		n++;
	}
	fclose(f);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct summary {
	char clock[8], workload[32];
	const char *kernel;
	double c, rust, ratio, lo, hi;
	int n;
};

/* Rust/C per (boot, round) pair, and each side's median, for one cell. */
static int summarise(const char *clock, const char *kernel, const char *workload,
		     struct summary *s)
{
	static double cs[MAX_RECORDS], rs[MAX_RECORDS], ratios[MAX_RECORDS];
	int i, j, nc = 0, nr = 0, np = 0;

	for (i = 0; i < nrecs; i++) {
		const struct record *a = &recs[i];

		if (strcmp(a->clock, clock) || strcmp(a->kernel, kernel) || strcmp(a->workload, workload))
			continue;
		if (!strcmp(a->impl, "c")) {
			cs[nc++] = a->ns;
			for (j = 0; j < nrecs; j++) {
				const struct record *b = &recs[j];

				if (!strcmp(b->impl, "rust") && !strcmp(b->clock, clock) &&
				    !strcmp(b->kernel, kernel) && !strcmp(b->workload, workload) &&
				    b->boot == a->boot && b->round == a->round)
					ratios[np++] = b->ns / a->ns;
			}
		} else {
			rs[nr++] = a->ns;
		}
	}
	if (!np)
		return 0;
	set_field(s->clock, sizeof(s->clock), clock);
	s->kernel = kernel;
	set_field(s->workload, sizeof(s->workload), workload);
	s->c = median(cs, nc);
	s->rust = median(rs, nr);
	s->ratio = median(ratios, np);
	s->lo = ratios[0];
	s->hi = ratios[np - 1];
	s->n = np;
	return 1;
}

static void write_runs(const char *dir)
{
	char *csv = xasprintf("%s/bench.csv", dir), *json = xasprintf("%s/bench.json", dir);
	FILE *c = fopen(csv, "w"), *j = fopen(json, "w");
	int i;

	if (!c || !j)
		die("cannot write %s or %s", csv, json);
	fprintf(c, "clock,kernel,boot,round,workload,impl,ns_per_op\n");
	fprintf(j, "[\n");
	for (i = 0; i < nrecs; i++) {
		const struct record *r = &recs[i];

		fprintf(c, "%s,%s,%d,%d,%s,%s,%.1f\n", r->clock, r->kernel, r->boot, r->round,
			r->workload, r->impl, r->ns);
		fprintf(j, "  {\"clock\": \"%s\", \"kernel\": \"%s\", \"boot\": %d, \"round\": %d, "
			"\"workload\": \"%s\", \"impl\": \"%s\", \"ns_per_op\": %.1f}%s\n",
			r->clock, r->kernel, r->boot, r->round, r->workload, r->impl, r->ns,
			i + 1 < nrecs ? "," : "");
	}
	fprintf(j, "]\n");
	fclose(c);
	fclose(j);
	printf("# runs: %s, %s (%d measurements)\n", csv, json, nrecs);
}

/* The chart: one bar per kernel and workload, with the min-max spread. */
static void draw(const char *dir, struct summary *s, int n)
{
	char *dat = xasprintf("%s/ratios.dat", dir), *png = xasprintf("%s/bench.png", dir);
	char *gp = xasprintf("%s/bench.gp", dir);
	FILE *d = fopen(dat, "w"), *g = fopen(gp, "w");
	int i, k;

	if (!d || !g)
		die("cannot write %s", dir);
	/* One block per clock, same x for the same kernel and workload. */
	for (k = 0; k < 2; k++) {
		int x = 0;

		fprintf(d, "# %s\n", clocks[k]);
		for (i = 0; i < n; i++)
			if (!strcmp(s[i].clock, clocks[k]))
				fprintf(d, "%.2f \"%s %s\" %.4f %.4f %.4f\n", x++ + 0.15 * k, s[i].kernel,
					s[i].workload, s[i].ratio, s[i].lo, s[i].hi);
		fprintf(d, "\n\n");
	}
	fclose(d);
	fprintf(g, "set terminal png size 1400,700 font ',10' noenhanced\nset output '%s'\n"
		   "set title 'rkm: Rust/C time per operation (median of paired runs; bars: min-max, clipped to 0.6-1.4)'\n"
		   "set ylabel 'Rust / C'\nset grid ytics\nset offsets 0.5, 0.5, 0, 0\nset yrange [0.6:1.4]\n"
		   "set xtics rotate by -30 font ',8'\nset key top left\n"
		   "plot 1.0 with lines lc 'black' notitle, 1.02 with lines dt 2 lc 'red' title 'target 1.02', "
		   "'%s' index 0 using 1:3:4:5:xtic(2) with yerrorbars pt 7 title 'wall clock', "
		   "'%s' index 1 using 1:3:4:5 with yerrorbars pt 5 title 'icount (instructions)'\n",
		png, dat, dat);
	fclose(g);
	{
		char *argv[] = { "gnuplot", gp, NULL };

		if (run_cmd(argv, NULL, NULL))
			warnx("gnuplot failed: no chart (apt-get install gnuplot-nox, or make setup)");
		else
			printf("# chart: %s\n", png);
	}
}

/* text, data and bss of a module, from size(1). */
static int module_size(const char *ko, long *text, long *data, long *bss)
{
	char *cmd = xasprintf("size '%s'", ko), line[512];
	FILE *p = popen(cmd, "r");
	int ok = 0;

	while (p && fgets(line, sizeof(line), p))
		if (sscanf(line, " %ld %ld %ld", text, data, bss) == 3)
			ok = 1;
	if (p)
		pclose(p);
	free(cmd);
	return ok;
}

/*
 * Bytes of machine code in a module: every SHF_EXECINSTR section (.text,
 * .init.text, .exit.text, ...), from readelf -SW. A C module's code may be
 * all in .init.text and .exit.text; an rkm module's is mostly in .text.
 */
static long module_code(const char *ko)
{
	char *cmd = xasprintf("readelf -SW '%s'", ko), line[512];
	FILE *p = popen(cmd, "r");
	long code = -1;

	while (p && fgets(line, sizeof(line), p)) {
		char name[128], type[64], flags[32];
		unsigned long addr, off, size, es;
		const char *r = strchr(line, ']');

		if (!r || sscanf(r + 1, " %127s %63s %lx %lx %lx %lx %31s", name, type, &addr, &off,
				 &size, &es, flags) != 7)
			continue;
		if (code < 0)
			code = 0;
		if (strchr(flags, 'X'))
			code += (long)size;
	}
	if (p)
		pclose(p);
	free(cmd);
	return code;
}

/* Kernel k's own module NAME in TMP, decompressed if its tree keeps it so. */
static char *kernel_module_copy(const struct kernel *k, const char *name)
{
	struct plan deps = { 0 };
	char *why = NULL, *ko, *tmp = xasprintf("%s/build/bench/%s.ko", rkm_root, name), *cmd;
	size_t n;

	if (ship_kernel_module(k, name, &deps, &why))
		die("%s: %s", name, why);
	ko = (char *)deps.ship[deps.nship - 1];
	n = strlen(ko);
	mkdirs(xasprintf("%s/build/bench", rkm_root));
	cmd = n > 3 && !strcmp(ko + n - 3, ".xz") ? xasprintf("xz -dc '%s' > '%s'", ko, tmp) :
	      n > 4 && !strcmp(ko + n - 4, ".zst") ? xasprintf("zstd -qdc '%s' > '%s'", ko, tmp) :
	      xasprintf("cp '%s' '%s'", ko, tmp);
	if (system(cmd))
		die("cannot read %s", ko);
	free(cmd);
	return tmp;
}

/*
 * The target for a pair's code: the driver's at most 1.5 times its twin's,
 * or, with a manifest's 'bench code-limit BYTES', at most BYTES more than
 * its twin's (a driver so small that the crate's fixed share dominates).
 */
static const char *code_verdict(const struct manifest *m, long rust, long c)
{
	if (m->code_limit >= 0)
		return rust - c <= m->code_limit ? "" : xasprintf("  > C + %ld B", m->code_limit);
	return rust * 2 <= c * 3 ? "" : "  > 1.5";
}

static void code_header(const struct kernel *k)
{
	printf("\n# module code (bytes of every executable section: .text, .init.text, .exit.text...), %s\n",
	       k->name);
	printf("%-16s %8s %-16s %8s %7s\n", "driver", "code", "twin", "code", "Rust/C");
}

static void code_line(const struct manifest *m, long rust, long c)
{
	printf("%-16s %8ld %-16s %8ld %7.2f%s\n", m->name, rust, m->bench_c, c,
	       c > 0 ? (double)rust / (double)c : 0.0, code_verdict(m, rust, c));
}

/* A build's times, in seconds: the median of three of each kind (build_times). */
enum { BUILD_COLD, BUILD_FIRST, BUILD_CLEAN, BUILD_WARM, NBUILDS };
static const char *const build_kind[NBUILDS] = { "cold", "first", "clean", "warm" };

/*
 * DIR's main source (NAME.rs, else the first .c), its modification time
 * set to now: what an edit does before a rebuild.
 */
static void touch_source(const char *dir)
{
	char *f = xasprintf("%s/%s.rs", dir, base_name(dir));
	DIR *d;
	struct dirent *e;

	if (!is_file(f) && (d = opendir(dir))) {
		while ((e = readdir(d))) {
			size_t l = strlen(e->d_name);

			if (l > 2 && !strcmp(e->d_name + l - 2, ".c")) {
				free(f);
				f = xasprintf("%s/%s", dir, e->d_name);
				break;
			}
		}
		closedir(d);
	}
	if (utimensat(AT_FDCWD, f, NULL, 0))
		die("cannot touch %s: %s", f, strerror(errno));
	free(f);
}

/*
 * DIR built for k three times each way (secs[BUILD_*], medians): cold (an
 * empty build directory and empty probe, crate and glue caches: only core
 * and alloc, built once per flag set, kept), first (an empty build
 * directory and an empty glue cache: the driver's first build on a machine
 * that built another), clean (an empty build directory, every cache kept:
 * the same driver built again, as after a make clean) and warm (the main
 * source touched, rebuilt in place: the edit-build loop).
 */
static void build_times(const char *dir, const struct kernel *k, char *ko, size_t kolen,
			double *secs)
{
	char *out = xasprintf("%s/build/%s", dir, k->name);
	double t[NBUILDS][3];
	int b, i;

	for (b = 0; b < NBUILDS; b++)
		for (i = 0; i < 3; i++) {
			char empty[] = "/tmp/rkm-cold-XXXXXX";
			double t0;
			int rc;

			if (b != BUILD_WARM) {
				char *rm[] = { "rm", "-rf", out, NULL };

				run_cmd(rm, NULL, NULL);
			} else {
				touch_source(dir);
			}
			if (b == BUILD_COLD || b == BUILD_FIRST) {
				if (!mkdtemp(empty))
					die("mkdtemp: %s", strerror(errno));
				build_caches(empty, b == BUILD_COLD);
			}
			t0 = now();
			rc = build_driver(dir, k, ko, kolen);
			t[b][i] = now() - t0;
			if (b == BUILD_COLD || b == BUILD_FIRST) {
				char *rm[] = { "rm", "-rf", empty, NULL };

				build_caches(NULL, false);
				run_cmd(rm, NULL, NULL);
			}
			if (rc)
				die("%s does not build for %s", dir, k->name);
		}
	for (b = 0; b < NBUILDS; b++)
		secs[b] = median(t[b], 3);
	free(out);
}

/*
 * Side j of m's bench pair for k (0: the driver, 1: its twin) as a module
 * file: a stock kernel module decompressed into build/bench (*copy: the
 * caller unlinks it), or the one built from its directory; with secs, its
 * build times (build_times; secs[0] -1 for a stock module). Exits if it
 * does not build.
 */
static char *pair_module(const struct kernel *k, const struct manifest *m, int j, double *secs,
			 bool *copy)
{
	char ko[PATH_MAX], *dir;

	*copy = j && manifest_kmod(m, m->bench_c);
	if (*copy)
		return kernel_module_copy(k, m->bench_c);
	dir = j ? xasprintf("%s/%s", m->dir, m->bench_c) : strdup(m->dir);
	if (secs)
		build_times(dir, k, ko, sizeof(ko), secs);
	else if (build_driver(dir, k, ko, sizeof(ko)))
		die("%s does not build for %s", dir, k->name);
	free(dir);
	return strdup(ko);
}

/* --symbols N: the largest functions of each Rust module listed. */
static int top_symbols;

/*
 * The code of side j of m's pair (pair_module), and size(1)'s columns if
 * text; of an rkm module, its bytes per origin into origins (codesize.c),
 * origins[0] -1 if it is not one.
 */
static long pair_code(const struct kernel *k, const struct manifest *m, int j, double *secs,
		      long *text, long *data, long *bss, long *origins)
{
	bool copy;
	char *ko = pair_module(k, m, j, secs, &copy);
	long code = module_code(ko);

	if (code < 0 || (text && !module_size(ko, text, data, bss)))
		die("cannot read the sections of %s's module %s", k->name, base_name(ko));
	if (origins && !code_origins(ko, code, origins, top_symbols))
		origins[0] = -1;
	if (copy)
		unlink(ko);
	free(ko);
	return code;
}

/* Where each Rust module's code comes from, in bytes (codesize.c). */
static void origins_table(const struct kernel *k, const struct manifest *ms, int n,
			  long origins[][NORIGINS])
{
	int i, o;

	printf("\n# where each Rust module's code comes from (bytes; Rust: the functions of NAME-rust.o, "
	       "glue: the rest), %s\n%-16s", k->name, "driver");
	for (o = 0; o < NORIGINS; o++)
		printf(" %10s", code_origin_names[o]);
	printf("\n");
	for (i = 0; i < n; i++) {
		if (!ms[i].bench_c || origins[i][0] < 0)
			continue;
		printf("%-16s", ms[i].name);
		for (o = 0; o < NORIGINS; o++)
			printf(" %10ld", origins[i][o]);
		printf("\n");
	}
}

static void report_costs(const struct kernel *k, const struct manifest *ms, int n)
{
	static long code[RKM_MAX_ITEMS][2], origins[RKM_MAX_ITEMS][NORIGINS];
	static double secs[RKM_MAX_ITEMS][2][NBUILDS];
	DIR *d;
	struct dirent *e;
	int i, j, b;

	printf("\n# module size (size(1): text data bss, bytes) and build time (s, median of 3: "
	       "cold: nothing cached but core and alloc; first: nothing of this driver cached; "
	       "clean: an empty build directory; warm: the main source touched), %s\n",
	       k->name);
	printf("%-16s %8s %8s %8s", "module", "text", "data", "bss");
	for (b = 0; b < NBUILDS; b++)
		printf(" %7s", build_kind[b]);
	printf("\n");
	for (i = 0; i < n; i++)
		for (j = 0; j < 2 && ms[i].bench_c; j++) {
			long text = 0, data = 0, bss = 0;

			secs[i][j][0] = -1;
			code[i][j] = pair_code(k, &ms[i], j, secs[i][j], &text, &data, &bss,
					       j ? NULL : origins[i]);
			printf("%-16s %8ld %8ld %8ld", j ? ms[i].bench_c : base_name(ms[i].dir), text,
			       data, bss);
			for (b = 0; b < NBUILDS && secs[i][j][0] >= 0; b++)
				printf(" %7.2f", secs[i][j][b]);
			printf("%s\n", secs[i][j][0] < 0 ? "  (the kernel's)" : "");
		}
	/*
	 * The bound: a driver's build takes at most twice its twin's warm one
	 * (> 2: a first, clean or warm one does not; a cold one compiles the
	 * rkm crate, once per kernel profile on a machine).
	 */
	printf("\n# build time, Rust/C: each Rust build against the C twin's warm build, %s\n",
	       k->name);
	printf("%-16s %-16s", "driver", "twin");
	for (b = 0; b < NBUILDS; b++)
		printf(" %7s", build_kind[b]);
	printf("\n");
	for (i = 0; i < n; i++) {
		double cw = secs[i][1][BUILD_WARM];
		bool over = false;

		if (!ms[i].bench_c || secs[i][1][0] < 0 || cw <= 0)
			continue;
		printf("%-16s %-16s", ms[i].name, ms[i].bench_c);
		for (b = 0; b < NBUILDS; b++) {
			printf(" %7.2f", secs[i][0][b] / cw);
			over |= b != BUILD_COLD && secs[i][0][b] > 2 * cw;
		}
		printf("%s\n", over ? "  > 2" : "");
	}
	code_header(k);
	for (i = 0; i < n; i++)
		if (ms[i].bench_c)
			code_line(&ms[i], code[i][0], code[i][1]);
	origins_table(k, ms, n, origins);
	/* The one-time core/alloc builds, as kbuild/sysroot.sh timed them. */
	d = opendir(rkm_cache);
	while (d && (e = readdir(d))) {
		char *f, buf[32] = "";
		FILE *s;

		if (strncmp(e->d_name, "sysroot-", 8) || strchr(e->d_name, '.'))
			continue;
		f = xasprintf("%s/%s/build-seconds", rkm_cache, e->d_name);
		s = fopen(f, "r");
		if (s && fgets(buf, sizeof(buf), s))
			printf("# core+alloc build (one-time, per flag set) %s: %ld s\n", e->d_name, atol(buf));
		if (s)
			fclose(s);
		free(f);
	}
	if (d)
		closedir(d);
}

/* rkm bench --sizes: each pair built once for k, its code compared; no boot. */
static void report_sizes(const struct kernel *k, const struct manifest *ms, int n)
{
	static long origins[RKM_MAX_ITEMS][NORIGINS];
	int i;

	code_header(k);
	for (i = 0; i < n; i++) {
		long rust = pair_code(k, &ms[i], 0, NULL, NULL, NULL, NULL, origins[i]);

		code_line(&ms[i], rust, pair_code(k, &ms[i], 1, NULL, NULL, NULL, NULL, NULL));
	}
	origins_table(k, ms, n, origins);
	fflush(stdout);
}

/* The samples whose manifests declare a benchmark pair: the default of rkm bench. */
static int sample_manifests(struct manifest *ms)
{
	char *samples = xasprintf("%s/samples", rkm_root);
	struct dirent **e;
	int n = scandir(samples, &e, NULL, alphasort), i, m = 0;

	if (n < 0)
		die("cannot read %s: %s", samples, strerror(errno));

	for (i = 0; i < n; i++) {
		char *dir = xasprintf("%s/%s", samples, e[i]->d_name);

		if (e[i]->d_name[0] != '.' && is_file(xasprintf("%s/%s", dir, RKM_MANIFEST)) &&
		    m < RKM_MAX_ITEMS) {
			manifest_load(dir, &ms[m]);
			m += ms[m].bench_c != NULL;
		}
		free(dir);
		free(e[i]);
	}
	free(e);
	free(samples);
	return m;
}

/* A module to load at boot: "KO [PARAMS]". */
static const char *bench_module(const char *dir, const struct manifest *m, const struct kernel *k)
{
	char ko[PATH_MAX];

	if (build_driver(dir, k, ko, sizeof(ko)))
		die("%s does not build for %s", dir, k->name);
	return m->bench_params ? xasprintf("%s %s", ko, m->bench_params) : strdup(ko);
}

/*
 * The pair's twin is the target kernel's own module (manifest
 * 'kernel-module'): loaded by init from the kernel's tree, after the modules
 * it depends on (each once), with the pair's parameters.
 */
static void add_kernel_twin(struct plan *p, const struct manifest *m, const struct kernel *k)
{
	struct plan deps = { 0 };
	char *why = NULL;
	int i, j;

	if (ship_kernel_module(k, m->bench_c, &deps, &why))
		die("%s: %s", m->bench_c, why);
	for (i = 0; i < deps.nship; i++) {
		bool twin = i == deps.nship - 1;

		for (j = 0; j < p->nmodules && strcmp(p->modules[j], deps.ship[i]); j++)
			;
		if (j < p->nmodules && !twin)
			continue;
		if (p->nmodules + 2 > RKM_MAX_ITEMS)
			die("more than %d modules in a benchmark boot", RKM_MAX_ITEMS);
		p->modules[p->nmodules++] = twin && m->bench_params ?
			xasprintf("%s %s", deps.ship[i], m->bench_params) : deps.ship[i];
	}
}

int cmd_bench(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "boots", required_argument, NULL, 'b' },
		{ "runs", required_argument, NULL, 'r' }, { "scale", required_argument, NULL, 's' },
		{ "out", required_argument, NULL, 'o' }, { "wall-only", no_argument, NULL, 'w' },
		{ "icount-only", no_argument, NULL, 'i' },
		{ "no-costs", no_argument, NULL, 'n' }, { "sizes", no_argument, NULL, 'z' },
		{ "profile", no_argument, NULL, 'p' }, { "symbols", required_argument, NULL, 'y' },
		{ "singlestep", no_argument, NULL, 'S' }, OPT_HELP, { 0 }
	};
	static struct manifest ms[RKM_MAX_ITEMS];
	const char *names[RKM_MAX_KERNELS], *out = NULL;
	struct kernel k[RKM_MAX_KERNELS];
	static struct summary sum[RKM_MAX_KERNELS * MAX_WORKLOADS * 2];
	char workloads[MAX_WORKLOADS][32];
	int nnames = 0, nk, nm = 0, i, j, b, c, w, nw = 0, ns = 0, boots = 3, runs = 5, scale = 100;
	int first_clock = 0, nclocks = 2, failed = 0, costs = 1, nwl, npairs = 0, blk_cells = 0;
	int sizes = 0, profile = 0, singlestep = 0;
	char *prog, *inc, *test, *plugin = NULL;

	while ((c = cmd_getopt(argc, argv, "h", opts)) != -1) {
		switch (c) {
		case 'k':
			if (nnames == RKM_MAX_KERNELS)
				die("at most %d --kernel options at once (RKM_MAX_KERNELS)", RKM_MAX_KERNELS);
			names[nnames++] = optarg;
			break;
		case 'b':
			boots = opt_int("--boots", optarg, 1, 100);
			break;
		case 'r':
			runs = opt_int("--runs", optarg, 1, 1000);
			break;
		case 's':
			scale = opt_int("--scale", optarg, 1, 10000);
			break;
		case 'o':
			out = optarg;
			break;
		case 'w':
			nclocks = 1;
			break;
		case 'i':
			first_clock = 1;
			break;
		case 'n':
			costs = 0;
			break;
		case 'z':
			sizes = 1;
			break;
		case 'p':
			profile = 1;
			break;
		case 'y':
			top_symbols = opt_int("--symbols", optarg, 1, 10000);
			break;
		case 'S':
			singlestep = 1;
			break;
		}
	}
	for (; optind < argc; optind++) {
		if (nm == RKM_MAX_ITEMS)
			die("at most %d driver directories at once", RKM_MAX_ITEMS);
		manifest_load(argv[optind], &ms[nm]);
		if (!ms[nm].bench_c)
			die("%s/%s has no 'bench pair' line: nothing to compare", argv[optind],
			    RKM_MANIFEST);
		nm++;
	}
	if (!nm)
		nm = sample_manifests(ms);
	if (!nm)
		die("no manifest in samples/ declares a benchmark pair");
	for (i = 0, nwl = 0; i < nm; i++) {
		for (j = 0; j < ms[i].nworkloads; j++)
			blk_cells += !strcmp(ms[i].workloads[j], "blk_grid") ? 64 :
				     !strncmp(ms[i].workloads[j], "blk_", 4);
		nwl += ms[i].nworkloads;
		/* A pair with workloads loads two modules in every boot. */
		npairs += ms[i].nworkloads > 0;
	}
	if (nwl > MAX_WORKLOADS)
		die("at most %d benchmark workloads at once", MAX_WORKLOADS);
	if (npairs * 2 > RKM_MAX_ITEMS)
		die("at most %d benchmark pairs with workloads at once", RKM_MAX_ITEMS / 2);
	nk = kernels_bootable(names, nnames, k);
	kernels_not_arm64(k, nk, "rkm bench measures");
	if (sizes) {
		for (i = 0; i < nk; i++)
			report_sizes(&k[i], ms, nm);
		return 0;
	}
	out = out ? out : xasprintf("%s/build/bench", rkm_root);
	mkdirs(out);

	prog = xasprintf("%s/build/bench/rkm-bench", rkm_root);
	inc = xasprintf("%s/tests/bench/bench.c", rkm_root);
	{
		/* rkm_prof_mark() at an address of its own: the profiler's mark (profile.c). */
		char *cc[] = { "cc", "-static", "-O2", "-Wall", "-Wextra", "-Werror",
			       "-Wl,--section-start=.rkm_mark=" PROF_MARK, "-o", prog, inc,
			       "-lpthread", NULL };

		mkdirs(xasprintf("%s/build/bench", rkm_root));
		if (run_cmd(cc, NULL, NULL))
			die("the benchmark program %s does not build", inc);
	}
	if (profile) {
		char *src = xasprintf("%s/tools/tcgprof.c", rkm_root);
		char *cc[] = { "cc", "-shared", "-fPIC", "-O2", "-Wall", "-Wextra", "-Werror", "-o",
			       NULL, src, NULL };

		if (nclocks == 1)
			die("--profile counts instructions: not with --wall-only");
		plugin = cc[8] = xasprintf("%s/build/bench/rkm-tcgprof.so", rkm_root);
		if (run_cmd(cc, NULL, NULL))
			die("the profiler plugin %s does not build", src);
	}
	test = xasprintf("bench=%s -s %d -r %d", prog, scale, runs);
	for (i = 0; i < nm; i++)
		for (j = 0; j < ms[i].nworkloads; j++)
			test = xasprintf("%s %s", test, ms[i].workloads[j]);

	/* Pairs without workloads: module sizes and build times only, no boot. */
	if (first_clock >= nclocks)
		die("--wall-only and --icount-only: one clock or the other");
	if (singlestep && first_clock)
		die("--singlestep changes the wall clock only: -icount counts the same instructions");
	for (c = first_clock; c < nclocks && nwl; c++)
		for (i = 0; i < nk; i++) {
			/* A block cell is a fio run of about 3 s of emulation per driver and round. */
			int slow = 10 * runs * 2 * blk_cells;
			/* --profile: its plugin counts the -icount boots. */
			bool prof = plugin && c == 1;
			struct plan p = { .test_timeout = 600 + slow, .host_timeout = 900 + slow,
					  .icount = c == 1, .quiet = true };
			int alternate[RKM_MAX_ITEMS], nalt = 0;

			/*
			 * --singlestep: a translated block per guest instruction, so TCG's
			 * cost of entering a block and of leaving it by an indirect branch
			 * is paid per instruction, whatever the code's shape.
			 */
			if (singlestep && c == 0)
				plan_add_qemu(&p, "-singlestep", true);
			/* Each pair with workloads: the driver, then its twin, loaded by init. */
			for (j = 0; j < nm; j++) {
				const struct manifest *m = &ms[j];

				if (!m->nworkloads)
					continue;
				for (w = 0; w < m->nqemu; w++)
					plan_add_qemu(&p, m->qemu[w], true);
				/* Its workloads may run Debian programs (fio). */
				plan_add_programs(m, &p);
				/* Not deduplicated: e.g. a second device for the twin to bind. */
				for (w = 0; w < m->nbench_qemu; w++)
					plan_add_qemu(&p, m->bench_qemu[w], false);
				/*
				 * A twin that is the kernel's own module comes first, after
				 * the modules it depends on: the driver may need them too.
				 */
				if (manifest_kmod(m, m->bench_c)) {
					add_kernel_twin(&p, m, &k[i]);
					if (m->alternate)
						alternate[nalt++] = p.nmodules - 1;
					p.modules[p.nmodules++] = bench_module(m->dir, m, &k[i]);
					continue;
				}
				if (m->alternate)
					alternate[nalt++] = p.nmodules;
				p.modules[p.nmodules++] = bench_module(m->dir, m, &k[i]);
				p.modules[p.nmodules++] =
					bench_module(xasprintf("%s/%s", m->dir, m->bench_c), m, &k[i]);
			}
			/* -i: workloads timed by the host (QEMU's device threads) are skipped. */
			/* -p: the marks of --profile. */
			p.tests[p.ntests++] = c == 1 ? xasprintf("%s -i%s", test, prof ? " -p" : "") : test;
			for (b = 1; b <= boots; b++) {
				char *logs = xasprintf("%s/build/logs/bench/%s/%s/boot%d", rkm_root, clocks[c],
						       k[i].name, b);
				struct result r;
				int n;

				/*
				 * A pair whose drivers each bind the first free device when
				 * loaded swaps its load order every boot, so neither always
				 * gets the same device (and interrupt routing).
				 */
				for (j = 0; j < nalt && b > 1; j++) {
					const char *t = p.modules[alternate[j]];

					p.modules[alternate[j]] = p.modules[alternate[j] + 1];
					p.modules[alternate[j] + 1] = t;
				}

				printf("# bench: %s clock, %s, boot %d of %d\n", clocks[c], k[i].name, b, boots);
				fflush(stdout);
				if (prof)
					plan_add_qemu(&p, xasprintf("-plugin %s,mark=%s,out=%s/profile.counts",
								    plugin, PROF_MARK, logs), false);
				/* A failed boot, or one that measured nothing: counted once. */
				if (vm_run(&k[i], &p, logs, &r) |
				    !(n = collect(xasprintf("%s/ktap.log", logs), clocks[c], k[i].name, b)))
					failed++;
				else if (prof)
					profile_report(stdout, xasprintf("%s/ktap.log", logs),
						       xasprintf("%s/profile.counts", logs), 40);
				/* This boot's plugin line: the next boot writes its own logs. */
				p.nqemu -= prof;
				free(logs);
			}
		}
	for (i = 0; i < nrecs; i++) {
		for (w = 0; w < nw && strcmp(workloads[w], recs[i].workload); w++)
			;
		if (w == nw && nw < MAX_WORKLOADS)
			set_field(workloads[nw++], 32, recs[i].workload);
	}
	for (c = first_clock; c < nclocks; c++) {
		printf("\n# clock %s\n", clock_doc[c]);
		printf("%-8s %-16s %12s %12s %9s %15s %4s\n", "kernel", "workload", "C ns/op",
		       "Rust ns/op", "Rust/C", "min-max", "n");
		for (i = 0; i < nk; i++)
			for (w = 0; w < nw; w++) {
				struct summary *s = &sum[ns];

				if (!summarise(clocks[c], k[i].name, workloads[w], s))
					continue;
				printf("%-8s %-16s %12.1f %12.1f %9.3f %7.3f-%-7.3f %4d%s\n", s->kernel,
				       s->workload, s->c, s->rust, s->ratio, s->lo, s->hi, s->n,
				       s->ratio > 1.02 ? "  > 1.02" : "");
				ns++;
			}
	}
	write_runs(out);
	draw(out, sum, ns);
	if (costs)
		report_costs(&k[0], ms, nm);
	if (failed)
		warnx("%d boot(s) failed or produced no measurements: see build/logs/bench/", failed);
	return failed ? 1 : 0;
}
