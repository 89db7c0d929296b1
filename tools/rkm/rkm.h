/* SPDX-License-Identifier: GPL-2.0 */
/* rkm: the host tool (kernels, build, run, test): shared declarations. */
#ifndef RKM_H
#define RKM_H

#include <stdbool.h>
#include <limits.h>
#include <stddef.h>

#define RKM_MAX_KERNELS 8
#define RKM_MAX_ITEMS 64

struct kernel {
	char name[32];		/* matrix name: 6.1, 6.12, 6.12-rt */
	char release[128];	/* uname -r */
	char vmlinuz[PATH_MAX];
	char headers[PATH_MAX];	/* Kbuild directory (KDIR) */
	bool built;		/* built by rkm (the debug kernel), not a distribution's */
};

/* What one guest boot does: modules to load, tests to run, skips. */
struct plan {
	const char *modules[RKM_MAX_ITEMS];	/* "path [params]", loaded by init */
	int nmodules;
	const char *ship[RKM_MAX_ITEMS];	/* .ko put in /lib/rkm, not loaded */
	int nship;
	const char *tests[RKM_MAX_ITEMS];	/* "name=path [args]" */
	int ntests;
	const char *fails[RKM_MAX_ITEMS];	/* "name reason": reported failed */
	int nfails;
	int test_timeout;	/* seconds, per item, enforced in the guest */
	int host_timeout;	/* seconds, whole boot; 0: derived */
	const char *skiplist;	/* file of "KERNEL TEST REASON..." lines */
	bool verbose;		/* stream the console too */
	bool icount;		/* guest clock counts instructions (-icount) */
	bool quiet;		/* do not echo the guest's KTAP */
	bool two_edu;		/* a second edu device (each edu twin binds one) */
	const char *append;	/* more kernel command-line words, or NULL */
};

struct result {
	int passed, failed, skipped;
	double seconds;
};

/* util.c */
extern const char *rkm_root;
extern const char *rkm_cache;
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *fill_template(const char *tmpl, const char *const *subst);
void mkdirs(const char *path);
bool is_file(const char *path);
bool is_dir(const char *path);
double now(void);
const char *base_name(const char *path);
/* Runs argv, its output to line_cb (or inherited if NULL); returns its exit status. */
int run_cmd(char *const argv[], void (*line_cb)(const char *line, void *ctx), void *ctx);

/* kernels.c */
int kernels_load(struct kernel *k, int max);
int kernels_select(const char **names, int nnames, struct kernel *out);
int cmd_kernels(int argc, char **argv);

/* build.c */
int build_driver(const char *dir, const struct kernel *k, char *ko, size_t kolen);
int build_test_program(const char *dir, char *out, size_t outlen);
int cmd_build(int argc, char **argv);

/* vm.c */
int build_all(const char *dir, const struct kernel *k, struct plan *p);
int vm_run(const struct kernel *k, const struct plan *p, const char *logdir, struct result *r);
int cmd_run(int argc, char **argv);
int cmd_test(int argc, char **argv);

/* bench.c */
int cmd_bench(int argc, char **argv);

/* new.c */
int cmd_new(int argc, char **argv);

/* lint.c */
int cmd_lint(int argc, char **argv);
int cmd_doc(int argc, char **argv);

/* project.c */
int cmd_rust_project(int argc, char **argv);

/* sign.c */
int cmd_sign(int argc, char **argv);

/* dkms.c */
int cmd_dkms(int argc, char **argv);

#endif
