// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-cycles: load and unload each named module (from /lib/rkm) N times,
 * then check that nothing stayed behind: the slab caches are back at their
 * starting level, and, where the kernel has kmemleak (the debug kernel), a
 * scan finds no unreferenced object (rkm-init forgot the kernel's own boot
 * leaks before the first test).
 *
 *   rkm-cycles [--cycles N] MODULE[:PARAMS]... [--cycles N MODULE[:PARAMS]...]...
 *
 * PARAMS: module parameters, separated by ',' (one argument) or ' '.
 *
 * --cycles N (default 200) applies to the modules after it, up to the next
 * --cycles: rkm test --reliability passes each driver with its manifest's count.
 *
 * Slab levels: every cache is shrunk first (its per-CPU slabs flushed, so
 * /proc/slabinfo counts objects, not slabs; the files for that are opened
 * once, before the first load), after 5 warm-up cycles (first
 * loads populate caches for good: sysfs names, kernfs nodes) and after the N
 * cycles. A module that leaks one object per cycle grows some cache by N.
 * Frees still in flight (kfree_rcu batches) move a cache by up to a few
 * hundred objects (seen: kmalloc-8 on 6.1 and 6.12), so a cache grown by N/2
 * or more gets 2N more cycles (at least CONFIRM_CYCLES), measured once those
 * batches drained: growing by half an object a cycle again, and once more in
 * a second such round with both ends drained, is a leak. A total growth over
 * 64 KiB is one too.
 */
#include "ktest.h"

#include <dirent.h>
#include <sys/resource.h>

#define MAX_CACHES 512
#define WARMUP 5
/*
 * The shortest confirmation round. A cache that settles after a burst grows
 * less each round (seen on debug, rust_e1000 at 10 cycles after the fuzzer:
 * kmalloc-128 +27 in 10 cycles, then +15 and +10 in rounds of 20, where 60
 * cycles alone grow it by nothing and kmemleak finds nothing); a leak grows
 * it at the same rate. A longer round tells them apart.
 */
#define CONFIRM_CYCLES 40

struct cache {
	char name[64];
	long objs;
	long objsize;
};

struct slab {
	struct cache c[MAX_CACHES];
	int n;
	long bytes;
};

/*
 * The files a slab reading uses, opened once (slab_files_open(), before the
 * first load): a file opened for each reading is freed after an RCU grace
 * period into a per-CPU slab, which /proc/slabinfo counts as in use, so
 * filp and lsm_file_cache grew by up to one object a cache file between
 * two readings (seen on 6.1: +64 to +170, a suspect in most drivers' first
 * reading, each then confirmed as noise over 40 to 100 more cycles).
 */
static int *shrink_fd, nshrink, slabinfo_fd = -1;

static void slab_files_open(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct rlimit rl;
	struct dirent *e;
	char path[512];
	int fd;

	/* One descriptor a cache: the hard limit, not the soft 1024. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (d && (e = readdir(d))) {
		int *more;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		more = fd < 0 ? NULL : realloc(shrink_fd, (nshrink + 1) * sizeof(*shrink_fd));
		if (!more) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		shrink_fd = more;
		shrink_fd[nshrink++] = fd;
	}
	if (d)
		closedir(d);
	slabinfo_fd = open("/proc/slabinfo", O_RDONLY | O_CLOEXEC);
}

static void shrink_all(void)
{
	for (int i = 0; i < nshrink; i++)
		if (pwrite(shrink_fd[i], "1", 1, 0) < 0)
			continue;	/* a cache that cannot shrink is read as it is */
}

/* 0, or -1 if the kernel has no /proc/slabinfo. */
static int slab_read(struct slab *s)
{
	static char buf[1 << 20];
	ssize_t len, total = 0;
	char *line, *save = NULL;

	/*
	 * Frees after an unload can be RCU-deferred, and kfree_rcu() batches
	 * for up to seconds: let most of them run first. What is still in
	 * flight is noise the confirmation round (main) sees through.
	 */
	sleep(1);
	shrink_all();
	if (slabinfo_fd < 0 || lseek(slabinfo_fd, 0, SEEK_SET) < 0)
		return -1;
	while (total < (ssize_t)sizeof(buf) - 1 &&
	       (len = read(slabinfo_fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += len;
	buf[total] = '\0';
	s->n = 0;
	s->bytes = 0;
	for (line = strtok_r(buf, "\n", &save); line && s->n < MAX_CACHES;
	     line = strtok_r(NULL, "\n", &save)) {
		struct cache *c = &s->c[s->n];
		long num;

		if (sscanf(line, "%63s %ld %ld %ld", c->name, &c->objs, &num, &c->objsize) != 4)
			continue;	/* the two header lines */
		s->bytes += c->objs * c->objsize;
		s->n++;
	}
	return 0;
}

static long cache_growth(const struct slab *a, const struct slab *b, const char *name)
{
	long before = 0, after = 0;
	int i;

	for (i = 0; i < a->n; i++)
		if (!strcmp(a->c[i].name, name))
			before = a->c[i].objs;
	for (i = 0; i < b->n; i++)
		if (!strcmp(b->c[i].name, name))
			after = b->c[i].objs;
	return after - before;
}

#define MAX_SUSPECTS 8

/*
 * Prints the growth from a to b; returns true if a cache grew by cycles/2
 * (each such cache, up to MAX_SUSPECTS, in grown[], the rest "") or the
 * total by 64 KiB. Every such cache is a suspect: a busy cache's noise
 * (kmalloc-8) must not hide a smaller one's leak.
 */
static bool slab_grew(const struct slab *a, const struct slab *b, int cycles,
		      char grown[MAX_SUSPECTS][64])
{
	const struct cache *worst = NULL;
	long worst_d = 0;
	int i, n = 0;

	for (i = 0; i < MAX_SUSPECTS; i++)
		grown[i][0] = '\0';
	for (i = 0; i < b->n; i++) {
		long d = cache_growth(a, b, b->c[i].name);

		/*
		 * The debug kernel's debugobjects keeps freed tracking objects in
		 * its own pool (up to its size; a work item frees the rest in
		 * batches): that cache follows the pool, not the module. Seen:
		 * +96 and +128 objects in 40 cycles of a block driver, whose
		 * every load tracks hundreds of timers and works. kmemleak
		 * checks that kernel for real leaks.
		 */
		if (!strcmp(b->c[i].name, "debug_objects_cache"))
			continue;
		if (d > worst_d) {
			worst_d = d;
			worst = &b->c[i];
		}
		if (d >= cycles / 2 && n < MAX_SUSPECTS) {
			snprintf(grown[n++], 64, "%s", b->c[i].name);
			printf("#   suspect: %+ld objects (%s)\n", d, b->c[i].name);
		}
	}
	printf("#   slab: %ld KiB -> %ld KiB (%+ld bytes); largest cache growth %+ld objects (%s)\n",
	       a->bytes / 1024, b->bytes / 1024, b->bytes - a->bytes, worst_d,
	       worst ? worst->name : "none");
	return n || b->bytes - a->bytes > 64 * 1024;
}

static const char kmemleak[] = "/sys/kernel/debug/kmemleak";

/* Reports what a kmemleak scan finds; returns the number of leaked objects. */
static int kmemleak_scan(void)
{
	static char buf[4 << 20];
	ssize_t len, total = 0;
	int n = 0, fd;
	char *p;

	/*
	 * kmemleak reports only objects older than 5 s, and not an object
	 * whose contents changed since the previous scan: scan twice.
	 */
	sleep(6);
	if (write_file(kmemleak, "scan") || write_file(kmemleak, "scan")) {
		printf("# kmemleak scan: %s\n", strerror(errno));
		return 1;
	}
	fd = open(kmemleak, O_RDONLY);
	while (fd >= 0 && total < (ssize_t)sizeof(buf) - 1 &&
	       (len = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0)
		total += len;
	if (fd < 0) {
		printf("# kmemleak read: %s\n", strerror(errno));
		return 1;
	}
	close(fd);
	buf[total] = '\0';
	for (p = buf; (p = strstr(p, "unreferenced object")); p++)
		n++;
	if (n) {
		char *s = buf, *e;
		int lines = 0;

		while (*s && lines++ < 40) {
			e = strchrnul(s, '\n');
			printf("#   %.*s\n", (int)(e - s), s);
			s = *e ? e + 1 : e;
		}
	}
	return n;
}

static int cycle(const char *name, const char *params, int cycles, int *done)
{
	for (*done = 0; *done < cycles; (*done)++) {
		if (load_module(name, params)) {
			printf("# %s: load %d: %s\n", name, *done + 1, strerror(errno));
			return -1;
		}
		if (unload_module(name)) {
			printf("# %s: unload %d: %s\n", name, *done + 1, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: rkm-cycles [--cycles N] MODULE[:PARAMS]... "
		"[--cycles N MODULE[:PARAMS]...]... (N: 2..1000000)\n");
	return 2;
}

int main(int argc, char **argv)
{
	int cycles = 200, i, n = 0, t = 0, failed = 0, total = 0;
	bool leakcheck = access(kmemleak, R_OK) == 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Checked first: a bad count fails before anything is loaded. */
	for (i = 1; i < argc; i++) {
		char *end;
		long v;

		if (strcmp(argv[i], "--cycles")) {
			n++;
			continue;
		}
		errno = 0;
		v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : 0;
		if (i + 1 == argc || errno || !*argv[i + 1] || *end || v < 2 || v > 1000000)
			return usage();
		i++;
	}
	if (!n)
		return usage();
	slab_files_open();
	printf("KTAP version 1\n1..%d\n", n + leakcheck);
	for (i = 1; i < argc; i++) {
		char *name, *params;
		static struct slab before, after;
		char grown[MAX_SUSPECTS][64] = { "" };
		long long t0;
		int done = 0, ran = 0, r;
		bool bad;

		if (!strcmp(argv[i], "--cycles")) {
			cycles = (int)strtol(argv[++i], NULL, 10);
			continue;
		}
		t++;
		name = strdup(argv[i]);
		params = strchr(name, ':');
		if (params) {
			char *c;

			*params++ = '\0';
			/* NAME:A=1,B=2 (rkm test: one argument): the parameters "A=1 B=2". */
			for (c = params; *c; c++)
				if (*c == ',')
					*c = ' ';
		}
		r = cycle(name, params, WARMUP, &done);
		if (!r && slab_read(&before)) {
			printf("ok %d %s # SKIP no /proc/slabinfo\n", t, name);
			continue;
		}
		t0 = ktest_ms();
		if (!r)
			r = cycle(name, params, cycles, &done);
		ran += done;
		bad = r != 0;
		if (!r) {
			slab_read(&after);
			bad = slab_grew(&before, &after, cycles, grown);
		}
		/*
		 * Noise or a leak? A leak grows the same cache again, in each of
		 * two rounds; a one-off burst (seen: +154 kmalloc-8 objects on
		 * 6.12, more than a 20-cycle driver's round) does not repeat.
		 * The second round runs only if the first saw a leak.
		 */
		for (int round = 0; bad && grown[0][0] && round < 2; round++) {
			bool leak[MAX_SUSPECTS] = { false };
			int k, to = 0, more = 2 * cycles > CONFIRM_CYCLES ? 2 * cycles : CONFIRM_CYCLES;

			if (round) {
				sleep(6);
				slab_read(&before);
			} else {
				before = after;
			}
			if (cycle(name, params, more, &done))
				break;
			ran += done;
			/*
			 * Let batched frees land first (kfree_rcu drains within
			 * KFREE_DRAIN_JIFFIES, 5 s): they are what moves a busy
			 * cache such as kmalloc-8 by hundreds of objects.
			 */
			sleep(6);
			slab_read(&after);
			bad = false;
			for (k = 0; k < MAX_SUSPECTS && grown[k][0]; k++) {
				long d = cache_growth(&before, &after, grown[k]);

				leak[k] = d >= more / 2;
				bad |= leak[k];
				printf("#   %s: %+ld objects in %d more cycles%s: %s\n", grown[k], d,
				       more, round ? " (again)" : "", leak[k] ? "a leak" : "noise");
			}
			/* Only what leaked in this round stays a suspect. */
			for (k = 0; k < MAX_SUSPECTS && grown[k][0]; k++)
				if (leak[k] && k != to++)
					memcpy(grown[to - 1], grown[k], sizeof(grown[k]));
			if (to < MAX_SUSPECTS)
				grown[to][0] = '\0';
		}
		total += ran;
		printf("# %s: %d load/unload cycles in %lld ms\n", name, ran, ktest_ms() - t0);
		printf("%s %d %s\n", bad ? "not ok" : "ok", t, name);
		failed += bad;
		free(name);
	}
	if (leakcheck) {
		int leaks = kmemleak_scan();

		printf("# kmemleak: %d unreferenced object(s) after %d cycles\n", leaks, total);
		printf("%s %d kmemleak\n", leaks ? "not ok" : "ok", n + 1);
		failed += leaks != 0;
	}
	printf("# cycles: %d modules, %d cycles, %d failed\n", n, total, failed);
	return failed ? 1 : 0;
}
