// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm dkms DIR`: a DKMS source package of a Rust driver that needs no
 * Rust toolchain on the target: the driver's Rust object, built here once per
 * profile (the stock 6.12 profile, and the KASAN profile of the debug kernel
 * if the matrix has one), plus the rkm glue, ABI header and Kbuild fragments
 * that compile against each target kernel's headers (kbuild/dkms/).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rkm.h"
#include "rkm_abi.h"


/* One prebuilt object of the package. */
struct object {
	const struct kernel *k;	/* built for */
	char profile[128];
	char slug[128];		/* profile with dashes: prebuilt/SLUG/ */
	char sha256[65];
	char rustc[128];
	char *obj, *params;	/* NAME-rust.o and rkm-params.c in the build directory */
};

static void first_line(const char *line, void *ctx)
{
	char *out = ctx;

	if (!out[0])
		snprintf(out, 128, "%s", line);
}

/* The profile of kernel K, from kbuild/profile.mk (the one place that derives it). */
static void kernel_profile(const struct kernel *k, char *out)
{
	char *mk = xasprintf("%s/kbuild/profile.mk", rkm_root);
	char *conf = xasprintf("KCONFIG=%s/include/config/auto.conf", k->headers);
	char *argv[] = { "make", "-s", "-f", mk, conf, "print-profile", NULL };

	out[0] = '\0';
	if (run_cmd(argv, first_line, out) || !out[0])
		die("cannot read the profile of kernel %s from %s/include/config/auto.conf",
		    k->name, k->headers);
	free(mk);
	free(conf);
}

/* The checker's verdict: its "rkm: ..." line. */
static void check_line(const char *line, void *ctx)
{
	if (!strncmp(line, "rkm: ", 5))
		snprintf(ctx, 1024, "%s", line + 5);
}

static void sha_line(const char *line, void *ctx)
{
	char *out = ctx;

	if (!out[0])
		snprintf(out, 65, "%.64s", line);
}

struct abi_scan {
	int abi;
	char *rustc;
};

static void nm_line(const char *line, void *ctx)
{
	struct abi_scan *a = ctx;
	const char *s = strstr(line, "rkm_abi_version_");

	if (s)
		a->abi = atoi(s + strlen("rkm_abi_version_"));
}

static void comment_line(const char *line, void *ctx)
{
	char *out = ctx;
	const char *s = strstr(line, "rustc version ");

	if (s && !out[0])
		snprintf(out, 128, "%s", s);
}

/* Facts about the built object: sha256, ABI it links against, rustc. */
static void inspect(struct object *o)
{
	struct abi_scan a = { 0 };
	char *sha[] = { "sha256sum", o->obj, NULL };
	char *nm[] = { "nm", "-u", o->obj, NULL };
	char *cm[] = { "readelf", "-p", ".comment", o->obj, NULL };

	o->sha256[0] = o->rustc[0] = '\0';
	if (run_cmd(sha, sha_line, o->sha256) || strlen(o->sha256) != 64)
		die("cannot compute the sha256 of %s", o->obj);
	if (run_cmd(nm, nm_line, &a))
		die("nm cannot read %s", o->obj);
	if (a.abi != RKM_ABI_VERSION)
		die("%s links against rkm ABI %d, this rkm implements ABI %d", o->obj, a.abi,
		    RKM_ABI_VERSION);
	run_cmd(cm, comment_line, o->rustc);
	if (!o->rustc[0])
		snprintf(o->rustc, sizeof(o->rustc), "unknown");
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die("cannot read %s: %s", path, strerror(errno));
	buf = malloc(n + 1);
	if (!buf || fread(buf, 1, n, f) != (size_t)n)
		die("cannot read %s", path);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static void write_data(const char *path, const char *data, size_t len, mode_t mode)
{
	FILE *f;

	unlink(path);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
	if (chmod(path, mode))
		die("chmod %s: %s", path, strerror(errno));
}

static void copy_file(const char *src, const char *dst, mode_t mode)
{
	size_t len;
	char *data = read_file(src, &len);

	write_data(dst, data, len, mode);
	free(data);
}

/* Copies the files of DIR whose names end in one of SUFFIXES into DST. */
static void copy_glob(const char *dir, const char *dst, const char *const *suffixes)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int i;

	if (!d)
		die("cannot read %s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		for (i = 0; suffixes[i]; i++) {
			size_t sl = strlen(suffixes[i]);

			if (l > sl && !strcmp(e->d_name + l - sl, suffixes[i]))
				copy_file(xasprintf("%s/%s", dir, e->d_name),
					  xasprintf("%s/%s", dst, e->d_name), 0644);
		}
	}
	closedir(d);
}

/* A template from kbuild/dkms/ with @KEY@ replaced by values. */
static void write_template(const char *tmpl, const char *dst, const char *const *subst)
{
	char *in = read_file(xasprintf("%s/kbuild/dkms/%s", rkm_root, tmpl), NULL);
	char *out = fill_template(in, subst);

	write_data(dst, out, strlen(out), 0644);
	free(in);
	free(out);
}

/*
 * OUT may be replaced only if it is an earlier package (or empty): checked
 * before the builds, removed after them.
 */
static bool check_outdir(const char *out)
{
	DIR *d = opendir(out);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	if (!empty && !is_file(xasprintf("%s/dkms.conf", out)))
		die("%s exists and is not an rkm dkms package: not overwriting it", out);
	return !empty;
}

static void remove_outdir(const char *out)
{
	char *argv[] = { "rm", "-rf", (char *)out, NULL };

	if (run_cmd(argv, NULL, NULL))
		die("cannot remove the earlier package %s", out);
}

int cmd_dkms(int argc, char **argv)
{
	static const struct option opts[] = { { "version", required_argument, NULL, 'V' },
					      { "out", required_argument, NULL, 'o' }, OPT_HELP, { 0 } };
	const char *dir_arg, *version = "0.1", *out_arg = NULL;
	struct kernel all[RKM_MAX_KERNELS], sel[RKM_MAX_KERNELS];
	struct object objs[2];
	char dir[PATH_MAX], ko[PATH_MAX], abi[16];
	const char *name, *sel_names[1];
	char *out, *profiles = "", *params;
	int n, i, nobj = 0, has_debug = 0;
	bool replace;
	static const char *const glue_files[] = { ".c", ".h", NULL };
	static const char version_chars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.+~-_";

	while ((i = cmd_getopt(argc, argv, "h", opts)) != -1) {
		if (i == 'V')
			version = optarg;
		else if (i == 'o')
			out_arg = optarg;
	}
	if (optind != argc - 1)
		usage_exit(argv[0], 2);
	dir_arg = argv[optind];
	if (!version[0] || strspn(version, version_chars) != strlen(version))
		die("bad package version '%s' (letters, digits and . + ~ - _ only)", version);
	if (!realpath(dir_arg, dir) || !is_dir(dir))
		die("no driver directory %s", dir_arg);
	name = base_name(dir);
	if (!is_file(xasprintf("%s/%s.rs", dir, name)))
		die("%s is not a Rust driver: no %s.rs (a DKMS package ships a prebuilt Rust object)",
		    dir, name);
	out = out_arg ? xasprintf("%s", out_arg) :
			xasprintf("%s/build/dkms/%s-%s", dir, name, version);
	replace = check_outdir(out);

	/* The stock profile is the 6.12 kernel's; every stock kernel must accept it. */
	n = kernels_load(all, RKM_MAX_KERNELS);
	for (i = 0; i < n; i++)
		if (!strcmp(all[i].name, "6.12"))
			break;
	if (i == n)
		die("no 6.12 kernel in the matrix (%s/kernels): the package's stock object is built for its profile; run 'make setup'",
		    rkm_cache);
	for (i = 0; i < n; i++)
		has_debug |= !strcmp(all[i].name, "debug");
	sel_names[0] = "6.12";
	kernels_select(sel_names, 1, &sel[0]);
	if (has_debug) {
		sel_names[0] = "debug";
		kernels_select(sel_names, 1, &sel[1]);
	}

	memset(objs, 0, sizeof(objs));
	objs[0].k = &sel[0];
	kernel_profile(&sel[0], objs[0].profile);
	nobj = 1;
	if (has_debug) {
		objs[1].k = &sel[1];
		kernel_profile(&sel[1], objs[1].profile);
		if (strcmp(objs[1].profile, objs[0].profile))
			nobj = 2;
		else
			printf("  DKMS    the debug kernel has the stock profile: one object serves both\n");
	}

	for (i = 0; i < nobj; i++) {
		struct object *o = &objs[i];
		char *s;

		if (build_driver(dir, o->k, ko, sizeof(ko)))
			die("%s does not build for kernel %s: no package written", name, o->k->name);
		o->obj = xasprintf("%s/build/%s/%s-rust.o", dir, o->k->name, name);
		o->params = xasprintf("%s/build/%s/rkm-params.c", dir, o->k->name);
		if (!is_file(o->obj) || !is_file(o->params))
			die("the build for %s left no %s or %s", o->k->name, o->obj, o->params);
		inspect(o);
		snprintf(o->slug, sizeof(o->slug), "%s", o->profile);
		for (s = o->slug; *s; s++)
			if (*s == ' ')
				*s = '-';
	}
	params = read_file(objs[0].params, NULL);
	if (nobj == 2 && strcmp(params, read_file(objs[1].params, NULL)))
		die("the objects for %s and %s declare different module parameters (%s, %s)",
		    objs[0].k->name, objs[1].k->name, objs[0].params, objs[1].params);

	if (replace)
		remove_outdir(out);
	mkdirs(xasprintf("%s/rkm/include", out));
	mkdirs(xasprintf("%s/rkm/glue", out));
	mkdirs(xasprintf("%s/rkm/kbuild", out));
	copy_file(xasprintf("%s/include/rkm_abi.h", rkm_root),
		  xasprintf("%s/rkm/include/rkm_abi.h", out), 0644);
	copy_glob(xasprintf("%s/glue", rkm_root), xasprintf("%s/rkm/glue", out), glue_files);
	copy_file(xasprintf("%s/kbuild/profile.mk", rkm_root),
		  xasprintf("%s/rkm/kbuild/profile.mk", out), 0644);
	copy_file(xasprintf("%s/kbuild/objtool-strict", rkm_root),
		  xasprintf("%s/rkm/kbuild/objtool-strict", out), 0755);
	copy_file(xasprintf("%s/kbuild/dkms/rkm-check.sh", rkm_root),
		  xasprintf("%s/rkm/kbuild/rkm-check.sh", out), 0755);
	copy_file(objs[0].params, xasprintf("%s/rkm-params.c", out), 0644);

	for (i = 0; i < nobj; i++) {
		struct object *o = &objs[i];
		char *pdir = xasprintf("%s/prebuilt/%s", out, o->slug);
		char *meta;

		mkdirs(pdir);
		copy_file(o->obj, xasprintf("%s/%s-rust.o_shipped", pdir, name), 0644);
		meta = xasprintf("name=%s\narch=x86_64\nabi=%d\nprofile=%s\nsha256=%s\nrustc=%s\nbuilt-for=%s %s\n",
				 name, RKM_ABI_VERSION, o->profile, o->sha256, o->rustc,
				 o->k->name, o->k->release);
		write_data(xasprintf("%s/rkm-object", pdir), meta, strlen(meta), 0644);
		profiles = xasprintf("%s%s%s", profiles, i ? ", " : "", o->profile);
	}
	snprintf(abi, sizeof(abi), "%d", RKM_ABI_VERSION);
	{
		const char *subst[] = { "@NAME@", name, "@VERSION@", version, "@ABI@", abi,
					"@PROFILES@", profiles, NULL };

		write_template("Kbuild.in", xasprintf("%s/Kbuild", out), subst);
		write_template("dkms.conf.in", xasprintf("%s/dkms.conf", out), subst);
	}

	/*
	 * The package must serve every kernel of the matrix: ask the check the
	 * DKMS build itself runs (kbuild/dkms/rkm-check.sh, the one place that
	 * knows which object fits which kernel).
	 */
	for (i = 0; i < n; i++) {
		char *check = xasprintf("%s/rkm/kbuild/rkm-check.sh", out);
		char *argv[] = { "sh", check, out, (char *)name, all[i].headers, NULL };
		char why[1024] = "";

		if (run_cmd(argv, check_line, why)) {
			remove_outdir(out);
			die("kernel %s cannot use this package: %s; no package written", all[i].name,
			    why[0] ? why : "rkm-check.sh failed");
		}
		free(check);
	}

	printf("  DKMS    %s\n", out);
	for (i = 0; i < nobj; i++)
		printf("  OBJECT  prebuilt/%s/%s-rust.o_shipped sha256 %s profile '%s'%s\n",
		       objs[i].slug, name, objs[i].sha256, objs[i].profile,
		       i ? " (debug kernel)" : " (stock kernels)");
	return 0;
}
