// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm dkms DIR`: a DKMS source package of a Rust driver that needs no
 * Rust toolchain on the target: the driver's Rust object, built here once for
 * each profile the given kernels need (a profile that another one serves gets
 * no object of its own: the 6.12 profile serves 6.1), plus the rkm glue, ABI
 * header and Kbuild fragments that compile against each target kernel's
 * headers (kbuild/dkms/).
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
	const struct kernel *k;	/* built for: the first kernel given with its profile */
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

/* The checker's verdict: its "rkm: ..." line, and the object it chose. */
struct verdict {
	char why[2048];
	char chosen[PATH_MAX];
};

static void check_line(const char *line, void *ctx)
{
	struct verdict *v = ctx;

	if (!strncmp(line, "rkm: ", 5))
		snprintf(v->why, sizeof(v->why), "%s", line + 5);
	else
		snprintf(v->chosen, sizeof(v->chosen), "%s", line);
}

/*
 * Whether an object of profile OBJ serves a kernel of profile KERN: asked of
 * kbuild/dkms/rkm-check.sh, the one place that knows.
 */
static bool profile_fits(const char *obj, const char *kern)
{
	char *check = xasprintf("%s/kbuild/dkms/rkm-check.sh", rkm_root);
	char *argv[] = { "sh", check, "--fits", (char *)obj, (char *)kern, NULL };
	struct verdict v = { "", "" };
	bool fits = run_cmd(argv, check_line, &v) == 0;

	free(check);
	return fits;
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
	static const struct option opts[] = { { "kernel", required_argument, NULL, 'k' },
					      { "version", required_argument, NULL, 'V' },
					      { "out", required_argument, NULL, 'o' }, OPT_HELP, { 0 } };
	const char *dir_arg, *version = "0.1", *out_arg = NULL;
	const char *names[RKM_MAX_KERNELS];
	struct kernel sel[RKM_MAX_KERNELS];
	char kprof[RKM_MAX_KERNELS][128];
	int uses[RKM_MAX_KERNELS];	/* the object each kernel's check chose */
	struct object objs[RKM_MAX_KERNELS];
	char dir[PATH_MAX], ko[PATH_MAX], abi[16];
	const char *name;
	char *out, *profiles = "", *params, *made_for = "";
	int nnames = 0, n, i, j, nobj = 0;
	bool replace;
	static const char *const glue_files[] = { ".c", ".h", NULL };
	static const char version_chars[] = "0123456789abcdefghijklmnopqrstuvwxyz"
					    "ABCDEFGHIJKLMNOPQRSTUVWXYZ.+~-_";

	while ((i = cmd_getopt(argc, argv, "h", opts)) != -1) {
		if (i == 'k') {
			if (nnames == RKM_MAX_KERNELS)
				die("at most %d --kernel options at once (RKM_MAX_KERNELS)", RKM_MAX_KERNELS);
			names[nnames++] = optarg;
		} else if (i == 'V') {
			version = optarg;
		} else if (i == 'o') {
			out_arg = optarg;
		}
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

	/*
	 * One object per profile the kernels need: a profile gets none of its
	 * own if another profile given serves it (a superset that is inert on
	 * it, as the 6.12 profile on 6.1). Serving is transitive and two
	 * profiles serve each other only if equal, so the profiles no other
	 * one serves are enough, and each kernel has one that serves it.
	 */
	if (!nnames)
		names[nnames++] = "all";	/* the matrix and the user's kernels */
	n = kernels_select(names, nnames, sel);
	kernels_not_arm64(sel, n, "rkm dkms packages objects for");
	for (i = 0; i < n; i++)
		kernel_profile(&sel[i], kprof[i]);
	memset(objs, 0, sizeof(objs));
	for (i = 0; i < n; i++) {
		bool served = false;

		for (j = 0; j < i && !served; j++)
			served = !strcmp(kprof[j], kprof[i]);
		for (j = 0; j < n && !served; j++)
			served = strcmp(kprof[j], kprof[i]) && profile_fits(kprof[j], kprof[i]);
		if (served)
			continue;
		objs[nobj].k = &sel[i];
		memcpy(objs[nobj].profile, kprof[i], sizeof(objs[nobj].profile));
		nobj++;
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
	for (i = 1; i < nobj; i++)
		if (strcmp(params, read_file(objs[i].params, NULL)))
			die("the objects for %s and %s declare different module parameters (%s, %s)",
			    objs[0].k->name, objs[i].k->name, objs[0].params, objs[i].params);

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
	copy_file(xasprintf("%s/kbuild/glue.mk", rkm_root),
		  xasprintf("%s/rkm/kbuild/glue.mk", out), 0644);
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
	 * The package must serve every kernel given: ask the check the DKMS
	 * build itself runs (kbuild/dkms/rkm-check.sh, the one place that
	 * knows which object fits which kernel).
	 */
	for (i = 0; i < n; i++) {
		char *check = xasprintf("%s/rkm/kbuild/rkm-check.sh", out);
		char *argv[] = { "sh", check, out, (char *)name, sel[i].headers, NULL };
		struct verdict v = { "", "" };

		if (run_cmd(argv, check_line, &v)) {
			remove_outdir(out);
			die("kernel %s cannot use this package: %s; no package written", sel[i].name,
			    v.why[0] ? v.why : "rkm-check.sh failed");
		}
		/* PKG/prebuilt/SLUG/NAME-rust.o_shipped */
		if (strrchr(v.chosen, '/'))
			*strrchr(v.chosen, '/') = '\0';
		for (uses[i] = 0; uses[i] < nobj; uses[i]++)
			if (!strcmp(base_name(v.chosen), objs[uses[i]].slug))
				break;
		if (uses[i] == nobj)
			die("rkm-check.sh chose '%s' for kernel %s: not an object of this package",
			    v.chosen, sel[i].name);
		made_for = xasprintf("%s%s %s %s\n", made_for, sel[i].name, sel[i].release,
				     objs[uses[i]].slug);
		free(check);
	}
	/* What the install-time check tells a kernel this package cannot serve. */
	write_data(xasprintf("%s/rkm/kernels", out), made_for, strlen(made_for), 0644);

	printf("  DKMS    %s\n", out);
	for (i = 0; i < nobj; i++) {
		printf("  OBJECT  prebuilt/%s/%s-rust.o_shipped sha256 %s profile '%s', for",
		       objs[i].slug, name, objs[i].sha256, objs[i].profile);
		for (j = 0; j < n; j++)
			if (uses[j] == i)
				printf(" %s", sel[j].name);
		printf("\n");
	}
	return 0;
}
