// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: host programs in the guest (manifest 'program PACKAGE PROGRAM...').
 * Each program is shipped in the initramfs at its own absolute path, with
 * every shared library ldd resolves for it and its ELF interpreter, each at
 * its path too; symbolic links on the way (a merged /usr's /bin -> usr/bin,
 * /sbin/modprobe -> /bin/kmod) are shipped as links, so the guest's
 * filesystem is the host's, pruned. The host's /etc/ld.so.cache goes along,
 * so the guest's loader finds each library where the host's does.
 *
 * A boot that ships programs also gets /lib/modules/RELEASE: a link rkm ->
 * /lib/rkm (the shipped modules) and the modules.dep, modules.alias, ...
 * the host's depmod writes for them, so the guest's modprobe finds the
 * modules under test by name (and loads what they depend on). A driver
 * built under another module's name (manifest 'build-as NAME', NAME a
 * kernel module) is in /lib/rkm/as, linked as updates/, which depmod
 * searches first: modprobe NAME loads it rather than the kernel's own NAME
 * in /lib/rkm. A boot
 * without programs is built as before: none of this is in its initramfs.
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

/* Where a Debian package puts a program, in the order of a root shell's PATH. */
static const char *const program_dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

/* The host path of program NAME (a file name, no '/'), or NULL if none is installed. */
char *program_path(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(program_dirs) / sizeof(program_dirs[0]); i++) {
		char *path = xasprintf("%s/%s", program_dirs[i], name);

		if (is_file(path) && !access(path, X_OK))
			return path;
		free(path);
	}
	return NULL;
}

/*
 * The manifest's programs into the plan (each once). A program that is not
 * installed stops rkm with the manifest line and the package to install.
 */
void plan_add_programs(const struct manifest *m, struct plan *p)
{
	int i, j;

	for (i = 0; i < m->nprograms; i++) {
		const char *prog = strchr(m->programs[i], ' ') + 1;
		char *path = program_path(prog);

		if (!path)
			die("%s: program '%s' is not installed on this host: apt-get install %.*s "
			    "(or make setup)", m->program_at[i], prog,
			    (int)(prog - 1 - m->programs[i]), m->programs[i]);
		for (j = 0; j < p->nprograms && strcmp(p->programs[j], path); j++)
			;
		if (j < p->nprograms)
			continue;
		if (p->nprograms == RKM_MAX_ITEMS)
			die("more than %d programs in one boot", RKM_MAX_ITEMS);
		p->programs[p->nprograms++] = path;
	}
}

/* Whether guest path name (no leading '/') is in the archive already; records it if not. */
static bool seen(struct cpio *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->npaths; i++)
		if (!strcmp(c->paths[i], name))
			return true;
	c->paths = realloc(c->paths, (c->npaths + 1) * sizeof(*c->paths));
	if (!c->paths)
		die("out of memory");
	c->paths[c->npaths++] = strdup(name);
	return false;
}

/* An absolute path with "." and ".." resolved lexically (its prefix has no links). */
static char *normalize(const char *path)
{
	char *out = calloc(1, strlen(path) + 2), *copy = strdup(path), *save, *w;
	size_t len = 0;

	if (!out || !copy)
		die("out of memory");
	for (w = strtok_r(copy, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
		if (!strcmp(w, "."))
			continue;
		if (!strcmp(w, "..")) {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
			out[len] = '\0';
			continue;
		}
		len += sprintf(out + len, "/%s", w);
	}
	if (!len)
		strcpy(out, "/");
	free(copy);
	return out;
}

/*
 * Ships host path (absolute) at the same path in the guest: each directory
 * on the way, each symbolic link as a link (and what it points to), and the
 * file itself with its mode.
 */
static void mirror(struct cpio *c, const char *path, int depth)
{
	char *copy = strdup(path), *save, *w, cur[PATH_MAX] = "";

	if (depth > 16)
		die("%s: too many levels of symbolic links", path);
	for (w = strtok_r(copy, "/", &save); w; w = strtok_r(NULL, "/", &save)) {
		char next[PATH_MAX], target[PATH_MAX];
		struct stat st;
		ssize_t n;

		snprintf(next, sizeof(next), "%s/%s", cur, w);
		if (lstat(next, &st))
			die("cannot ship %s to the guest: %s: %s", path, next, strerror(errno));
		if (S_ISLNK(st.st_mode)) {
			char *to;

			n = readlink(next, target, sizeof(target) - 1);
			if (n < 0)
				die("readlink %s: %s", next, strerror(errno));
			target[n] = '\0';
			if (!seen(c, next + 1))
				cpio_entry(c, next + 1, S_IFLNK | 0777, 0, target, n);
			/* cur has no links: ".." in the target is lexical from it. */
			to = normalize(target[0] == '/' ? target : xasprintf("%s/%s", cur, target));
			mirror(c, to, depth + 1);
			if (!realpath(next, cur))
				die("realpath %s: %s", next, strerror(errno));
			free(to);
			continue;
		}
		memcpy(cur, next, sizeof(cur));
		if (seen(c, cur + 1))
			continue;
		if (S_ISDIR(st.st_mode))
			cpio_entry(c, cur + 1, S_IFDIR | 0755, 0, NULL, 0);
		else if (S_ISREG(st.st_mode))
			cpio_file(c, cur + 1, cur, st.st_mode & 0777);
		else
			die("cannot ship %s to the guest: %s is neither a file nor a directory", path,
			    cur);
	}
	free(copy);
}

/*
 * A directory of rkm's own initramfs layout (bin, lib): with programs to
 * ship, and a host where it is a link (a merged /usr), it is the host's
 * link and directory, so that /bin/sh and /lib/x86_64-linux-gnu resolve as
 * on the host; rkm's own files go through it. Returns whether it wrote it.
 */
bool guest_base_dir(struct cpio *c, const struct plan *p, const char *dir)
{
	char *host = xasprintf("/%s", dir);
	struct stat st;
	bool link = p->nprograms && !lstat(host, &st) && S_ISLNK(st.st_mode);

	if (link)
		mirror(c, host, 0);
	free(host);
	return link;
}

struct libs {
	const char *prog;
	char *paths[256];
	int n;
	char *missing;
};

/* A line of ldd's: "NAME => PATH (ADDR)", "PATH (ADDR)" (the loader), "NAME => not found". */
static void ldd_line(const char *line, void *ctx)
{
	struct libs *l = ctx;
	const char *s = line + strspn(line, " \t"), *arrow = strstr(s, "=> ");

	if (arrow)
		s = arrow + 3;
	if (!strncmp(s, "not found", 9)) {
		if (!l->missing)
			l->missing = strndup(line + strspn(line, " \t"),
					     strcspn(line + strspn(line, " \t"), " "));
		return;
	}
	if (s[0] != '/' || l->n == 256)
		return;
	l->paths[l->n++] = strndup(s, strcspn(s, " "));
}

/* The program and every library it loads, the loader included. */
static void ship_program(struct cpio *c, const char *path)
{
	char real[PATH_MAX], *argv[] = { "ldd", real, NULL };
	struct libs l = { .prog = path };
	int i;

	mirror(c, path, 0);
	if (!realpath(path, real))
		die("realpath %s: %s", path, strerror(errno));
	/* A static program: ldd says so and fails; nothing to add. */
	run_cmd(argv, ldd_line, &l);
	if (l.missing)
		die("%s needs %s, which is not installed on this host", path, l.missing);
	for (i = 0; i < l.n; i++) {
		mirror(c, l.paths[i], 0);
		free(l.paths[i]);
	}
}

/* Copies a file of the kernel's module tree into the staging tree, if it has it. */
static void copy_if_there(const char *from, const char *to)
{
	char *argv[] = { "cp", (char *)from, (char *)to, NULL };

	if (is_file(from) && run_cmd(argv, NULL, NULL))
		die("cannot copy %s to %s", from, to);
}

/*
 * /lib/modules/RELEASE in the guest: rkm -> /lib/rkm, and what the host's
 * depmod writes for the shipped modules (staged in staging, as links).
 */
static void guest_modules(struct cpio *c, const struct kernel *k, const struct plan *p,
			  const char *staging)
{
	bool tree;
	const char *root = kernel_modroot(k, &tree);
	char *moddir = xasprintf("%s/lib/modules/%s", staging, k->release);
	char *rkmdir = xasprintf("%s/rkm", moddir), *rm[] = { "rm", "-rf", (char *)staging, NULL };
	char *dm[] = { "depmod", "-b", (char *)staging, k->release, NULL };
	const char *builtin[] = { "modules.builtin", "modules.builtin.modinfo" };
	struct dirent *e;
	size_t i;
	DIR *d;
	int j;

	if (run_cmd(rm, NULL, NULL))
		die("cannot remove %s", staging);
	mkdirs(rkmdir);
	for (j = 0; j < p->nship + p->nmodules; j++) {
		const char *m = j < p->nship ? p->ship[j] : p->modules[j - p->nship];
		char *path = strndup(m, strcspn(m, " ")), *sub = strstr(path, "%k"), *link;

		if (sub)
			path = xasprintf("%.*s%s%s", (int)(sub - path), path, k->name, sub + 2);
		link = xasprintf("%s/%s", rkmdir, base_name(path));
		if (symlink(realpath(path, NULL) ?: path, link) && errno != EEXIST)
			die("symlink %s: %s", link, strerror(errno));
		free(link);
	}
	/* Modules built under another's name (manifest 'build-as'): depmod's updates/, searched first. */
	if (p->nship_as)
		mkdirs(xasprintf("%s/updates", moddir));
	for (j = 0; j < p->nship_as; j++) {
		char *link = xasprintf("%s/updates/%s", moddir, base_name(p->ship_as[j]));

		if (symlink(realpath(p->ship_as[j], NULL) ?: p->ship_as[j], link) && errno != EEXIST)
			die("symlink %s: %s", link, strerror(errno));
		free(link);
	}
	for (i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		copy_if_there(xasprintf("%s/%s", root, builtin[i]),
			      xasprintf("%s/%s", moddir, builtin[i]));
	write_file(xasprintf("%s/modules.order", moddir), "");
	if (run_cmd(dm, NULL, NULL))
		die("depmod -b %s %s failed", staging, k->release);
	mirror(c, "/lib", 0);		/* the host's layout: lib may be a link */
	if (!seen(c, "lib/modules"))
		cpio_entry(c, "lib/modules", S_IFDIR | 0755, 0, NULL, 0);
	cpio_entry(c, xasprintf("lib/modules/%s", k->release), S_IFDIR | 0755, 0, NULL, 0);
	cpio_entry(c, xasprintf("lib/modules/%s/rkm", k->release), S_IFLNK | 0777, 0, "/lib/rkm",
		   strlen("/lib/rkm"));
	if (p->nship_as)
		cpio_entry(c, xasprintf("lib/modules/%s/updates", k->release), S_IFLNK | 0777, 0,
			   "/lib/rkm/as", strlen("/lib/rkm/as"));
	d = opendir(moddir);
	if (!d)
		die("cannot read %s: %s", moddir, strerror(errno));
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "modules.", 8))
			cpio_file(c, xasprintf("lib/modules/%s/%s", k->release, e->d_name),
				  xasprintf("%s/%s", moddir, e->d_name), 0644);
	closedir(d);
	run_cmd(rm, NULL, NULL);
}

/* Everything a boot with programs adds to its initramfs (see the top). */
void guest_userspace(struct cpio *c, const struct kernel *k, const struct plan *p,
		     const char *staging)
{
	int i;

	for (i = 0; i < p->nprograms; i++)
		ship_program(c, p->programs[i]);
	if (is_file("/etc/ld.so.cache"))
		mirror(c, "/etc/ld.so.cache", 0);
	/* mount, mkfs and fsck read the mount table there. */
	if (!seen(c, "etc"))
		cpio_entry(c, "etc", S_IFDIR | 0755, 0, NULL, 0);
	cpio_entry(c, "etc/mtab", S_IFLNK | 0777, 0, "../proc/self/mounts",
		   strlen("../proc/self/mounts"));
	guest_modules(c, k, p, staging);
}
