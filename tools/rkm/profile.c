// SPDX-License-Identifier: GPL-2.0
/*
 * rkm bench --profile: where each workload's instructions go, Rust against
 * its C twin, per function and per module, from the counts of the QEMU
 * plugin tools/tcgprof.c (one segment per measurement, tests/bench/bench.c
 * -p) and the guest's /proc/kallsyms (its "# KSYM" lines: Debian's
 * System.map is a stub, and modules load anywhere).
 */
#include "rkm.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ksym {
	uint64_t addr;
	char *name;	/* demangled */
	char *mod;	/* "[e1000]", or "vmlinux" */
};

/* One workload on one driver, summed over its rounds. */
struct pair {
	char workload[32];
	char impl[8];
	long ops;
	int rounds;
	double ns;	/* guest time: under -icount, instructions and idle time */
	double ev[3];	/* the kernel's events: context switches, interrupts, NET_RX */
	uint64_t runs, indirect, mem;	/* blocks run, of them ending in an indirect branch; memory accesses */
	uint64_t *insns;	/* per symbol, nsyms + 2: user space, unknown */
};

static struct ksym *syms;
static size_t nsyms, capsyms;
static struct pair pairs[64];
static int npairs;

static int by_addr(const void *a, const void *b)
{
	uint64_t x = ((const struct ksym *)a)->addr, y = ((const struct ksym *)b)->addr;

	return x < y ? -1 : x > y;
}

/* The symbol holding addr: the last at or below it, if within 1 MiB. */
static size_t sym_of(uint64_t addr)
{
	size_t lo = 0, hi = nsyms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr - syms[lo - 1].addr < (1 << 20) ? lo - 1 : nsyms + 1;
}

static int pair_of(const char *workload, const char *impl)
{
	int i;

	for (i = 0; i < npairs; i++)
		if (!strcmp(pairs[i].workload, workload) && !strcmp(pairs[i].impl, impl))
			return i;
	if (npairs == (int)(sizeof(pairs) / sizeof(pairs[0])))
		die("profile: more than %d workload and driver pairs", npairs);
	snprintf(pairs[npairs].workload, sizeof(pairs[npairs].workload), "%s", workload);
	snprintf(pairs[npairs].impl, sizeof(pairs[npairs].impl), "%s", impl);
	return npairs++;
}

/* A line of a table: a function and its module, or a module alone (fn NULL). */
struct row {
	const char *fn, *what;
	double c, rust;
};

static int by_gap(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	double gx = x->rust - x->c, gy = y->rust - y->c;

	gx = gx < 0 ? -gx : gx;
	gy = gy < 0 ? -gy : gy;
	return gx < gy ? 1 : gx > gy ? -1 : strcmp(x->fn ? x->fn : x->what, y->fn ? y->fn : y->what);
}

static void print_rows(FILE *out, struct row *r, int n, int top)
{
	int i;

	qsort(r, n, sizeof(*r), by_gap);
	for (i = 0; i < n && i < top; i++)
		fprintf(out, "  %10.1f %10.1f %+9.1f  %s%s%s\n", r[i].c, r[i].rust, r[i].rust - r[i].c,
			r[i].fn ? r[i].fn : "", r[i].fn ? " " : "", r[i].what);
}

/* A count per operation, C then Rust and their difference, with prec decimals. */
static void per_op(FILE *out, int prec, double c, double rust, const char *what)
{
	fprintf(out, "  %10.*f %10.*f %+9.*f  %s\n", prec, c, prec, rust, prec, rust - c, what);
}

static const char *const evname[3] = { "context switches", "interrupts", "NET_RX softirqs" };

/* One workload's tables: modules, then the top functions by |Rust - C|. */
static void report(FILE *out, const struct pair *c, const struct pair *rs, int top)
{
	struct row *rows = calloc(nsyms + 2, sizeof(*rows)), mrows[256];
	double oc = c->ops ? c->ops : c->rounds, orust = rs->ops ? rs->ops : rs->rounds;
	double tc = 0, trust = 0;
	int nmods = 0, nrows = 0, m;
	size_t i;

	if (!rows)
		die("out of memory");
	fprintf(out, "\n# profile: %s, instructions per %s (C: %ld over %d rounds, Rust: %ld over %d)\n",
	       c->workload, c->ops ? "operation" : "run", c->ops, c->rounds, rs->ops, rs->rounds);
	for (i = 0; i < nsyms + 2; i++) {
		const char *mod = i < nsyms ? syms[i].mod : i == nsyms ? "user space" : "unknown";
		double vc = c->insns[i] / oc, vr = rs->insns[i] / orust;

		if (!c->insns[i] && !rs->insns[i])
			continue;
		tc += vc;
		trust += vr;
		for (m = 0; m < nmods && strcmp(mrows[m].what, mod); m++)
			;
		if (m == nmods && nmods < 256)
			mrows[nmods++] = (struct row){ NULL, mod, 0, 0 };
		if (m < nmods) {
			mrows[m].c += vc;
			mrows[m].rust += vr;
		}
		rows[nrows++] = (struct row){ i < nsyms ? syms[i].name : NULL, mod, vc, vr };
	}
	fprintf(out, "  %10s %10s %9s  %s\n", "C", "Rust", "Rust-C", "where");
	print_rows(out, mrows, nmods, nmods);
	fprintf(out, "  %10.1f %10.1f %+9.1f  total (Rust/C %.4f)\n", tc, trust, trust - tc,
	       tc > 0 ? trust / tc : 0);
	/* Guest time past the instructions: the vCPU idle, waiting for a timer or a device. */
	if (c->ns > 0 && rs->ns > 0)
		fprintf(out, "  %10.1f %10.1f %+9.1f  idle: guest ns not spent on instructions\n",
			c->ns / oc - tc, rs->ns / orust - trust, rs->ns / orust - trust - c->ns / oc + tc);
	for (i = 0; i < 3; i++)
		if (c->ev[i] > 0 || rs->ev[i] > 0)
			per_op(out, 4, c->ev[i] / oc, rs->ev[i] / orust, evname[i]);
	/*
	 * What -icount does not see: each block costs the emulation a dispatch,
	 * an unchained one a look-up, a memory access a software TLB look-up.
	 */
	if (c->runs || rs->runs) {
		per_op(out, 1, c->runs / oc, rs->runs / orust, "translated blocks run");
		per_op(out, 1, c->indirect / oc, rs->indirect / orust,
		       "of them ending in an indirect branch (ret, jmp/call *)");
		per_op(out, 1, c->mem / oc, rs->mem / orust, "memory accesses");
	}
	fprintf(out, "  top %d functions by |Rust-C|:\n", top);
	print_rows(out, rows, nrows, top);
	free(rows);
}

void profile_report(FILE *out, const char *ktap, const char *counts, int top)
{
	FILE *f = fopen(ktap, "r");
	int *segs = NULL;	/* per segment, its pair; -1: not a measurement */
	size_t nsegs = 0;
	char line[1024];
	int cur = -1, i, j;

	if (!f)
		die("profile: cannot read %s", ktap);
	for (i = 0; i < npairs; i++)
		free(pairs[i].insns);
	memset(pairs, 0, sizeof(pairs));
	nsyms = 0;
	npairs = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[512], mod[128] = "", workload[32], impl[8];
		unsigned long long addr;
		long ops;
		double ns = 0, ev[3] = { 0, 0, 0 };
		int seg, round, k;

		if (sscanf(line, " # KSYM %llx %511s %127s", &addr, name, mod) >= 2) {
			if (nsyms == capsyms) {
				capsyms = capsyms ? capsyms * 2 : 65536;
				syms = realloc(syms, capsyms * sizeof(*syms));
				if (!syms)
					die("out of memory");
			}
			syms[nsyms++] = (struct ksym){ addr, demangle_text(name),
						       xasprintf("%s", *mod ? mod : "vmlinux") };
		} else if (sscanf(line, " # PROFILE %d %31s %7s %d %ld %lf %lf %lf %lf", &seg, workload,
				  impl, &round, &ops, &ns, &ev[0], &ev[1], &ev[2]) >= 5 &&
			   seg >= 0 && seg < 100000) {
			if ((size_t)seg >= nsegs) {
				segs = realloc(segs, (seg + 1) * sizeof(*segs));
				if (!segs)
					die("out of memory");
				while (nsegs <= (size_t)seg)
					segs[nsegs++] = -1;
			}
			segs[seg] = pair_of(workload, impl);
			pairs[segs[seg]].ops += ops;
			pairs[segs[seg]].rounds++;
			pairs[segs[seg]].ns += ns;
			for (k = 0; k < 3; k++)
				pairs[segs[seg]].ev[k] += ev[k];
		}
	}
	fclose(f);
	if (!nsyms || !npairs)
		die("profile: %s has no %s lines", ktap, nsyms ? "# PROFILE" : "# KSYM");
	qsort(syms, nsyms, sizeof(*syms), by_addr);
	for (i = 0; i < npairs; i++)
		if (!(pairs[i].insns = calloc(nsyms + 2, sizeof(uint64_t))))
			die("out of memory");

	if (!(f = fopen(counts, "r")))
		die("profile: cannot read %s (the plugin's counts)", counts);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, n, runs = 0, ind = 0, mem = 0;
		long s;

		if (sscanf(line, "S %ld", &s) == 1) {
			cur = s >= 0 && (size_t)s < nsegs ? segs[s] : -1;
			continue;
		} else if (cur < 0) {
			continue;
		} else if (sscanf(line, "U %llu %llu %llu %llu", &n, &runs, &ind, &mem) >= 1) {
			pairs[cur].insns[nsyms] += n;
		} else if (sscanf(line, "%llx %llu %llu %llu %llu", &a, &n, &runs, &ind, &mem) >= 2) {
			pairs[cur].insns[sym_of(a)] += n;
		} else {
			continue;
		}
		pairs[cur].runs += runs;
		pairs[cur].indirect += ind;
		pairs[cur].mem += mem;
	}
	fclose(f);
	for (i = 0; i < npairs; i++)
		for (j = 0; j < npairs; j++)
			if (!strcmp(pairs[i].impl, "c") && !strcmp(pairs[j].impl, "rust") &&
			    !strcmp(pairs[i].workload, pairs[j].workload))
				report(out, &pairs[i], &pairs[j], top);
	free(segs);
}
