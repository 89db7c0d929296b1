// SPDX-License-Identifier: GPL-2.0
/* rkm: the kernels rkm knows (the matrix, the user's, installed releases) and `rkm kernels`. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rkm.h"

/*
 * Two files in $RKM_CACHE, a kernel a line, fields separated by blanks,
 * '#' comments and blank lines allowed (README, "The kernel lists"):
 *
 *   NAME RELEASE               an installed kernel: headers in
 *                              /lib/modules/RELEASE/build, image (for
 *                              booting only) /boot/vmlinuz-RELEASE
 *   NAME RELEASE VMLINUZ KDIR  headers in KDIR, image VMLINUZ ('-': none,
 *                              the kernel can only be built for)
 *
 * "kernels", the matrix, is tools/setup.sh's (`make setup`): its 4-field
 * line is the kernel rkm built, the debug one. "user-kernels" is written by
 * `rkm kernels add` and `remove`; setup only appends to it the lines it
 * moves out of "kernels". "kernels-arm64" is setup's too
 * (tools/arm64-kernels.sh): Debian's arm64 kernels, unpacked in RKM_CACHE,
 * cross-built for and booted under qemu-system-aarch64 (group "arm64").
 */
#define MATRIX_FILE "kernels"
#define USER_FILE "user-kernels"
#define ARM64_FILE "kernels-arm64"
#define LINE_FORMAT "'NAME RELEASE' or 'NAME RELEASE VMLINUZ KDIR'"

/* Words that name groups of kernels or subcommands, never a kernel. */
static const char *const reserved[] = { "stock", "matrix", "user", "arm64", "all", "add", "remove", NULL };

static struct {
	struct kernel *k;	/* the matrix's, then the user's */
	int n;
	bool loaded;
	bool no_matrix;		/* no $RKM_CACHE/kernels: 'make setup' never ran */
} known;

static char *cache_file(const char *name)
{
	return xasprintf("%s/%s", rkm_cache, name);
}

static bool is_reserved(const char *name)
{
	int i;

	for (i = 0; reserved[i]; i++)
		if (!strcmp(name, reserved[i]))
			return true;
	return false;
}

/* A name that can be a directory (DIR/build/NAME) and a word of the lists. */
static bool valid_name(const char *s)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-";

	return s[0] && s[0] != '.' && s[0] != '-' && strspn(s, ok) == strlen(s);
}

static const struct kernel *find(const char *name, bool by_release)
{
	int i;

	for (i = 0; i < known.n; i++)
		if (!strcmp(name, by_release ? known.k[i].release : known.k[i].name))
			return &known.k[i];
	return NULL;
}

/* Whether the kernel whose headers are in KDIR is an arm64 one. */
static bool config_arm64(const char *kdir)
{
	char *conf = xasprintf("%s/include/config/auto.conf", kdir), *line = NULL;
	size_t cap = 0;
	bool arm64 = false;
	FILE *f = fopen(conf, "r");

	while (f && !arm64 && getline(&line, &cap, f) > 0)
		arm64 = !strcmp(line, "CONFIG_ARM64=y\n");
	if (f)
		fclose(f);
	free(line);
	free(conf);
	return arm64;
}

/*
 * Where kernel k's own modules are, with modules.dep or (*tree: a kernel
 * built in a tree, rkm's debug kernel or a user's) modules.order, and
 * modules.builtin: /lib/modules/RELEASE for an installed kernel; beside the
 * headers for one unpacked by tools/arm64-kernels.sh (ROOT/usr/src/HEADERS
 * and ROOT/lib/modules/RELEASE); else the tree, the headers directory.
 */
char *kernel_modroot(const struct kernel *k, bool *tree)
{
	char *m = xasprintf("/lib/modules/%s", k->release);

	if (k->from == KERNEL_ARM64)
		m = xasprintf("%s/../../../lib/modules/%s", k->headers, k->release);
	*tree = k->built || !is_file(xasprintf("%s/modules.dep", m));
	return *tree ? strdup(k->headers) : m;
}

/* Exits if one of k[0..n) is an arm64 kernel, which command WHAT does not serve yet. */
void kernels_not_arm64(const struct kernel *k, int n, const char *what)
{
	int i;

	for (i = 0; i < n; i++)
		if (k[i].arm64)
			die("kernel %s is an arm64 kernel: %s x86 kernels only so far", k[i].name, what);
}

/* The kernel of an installed release: headers and image where Debian puts them. */
static struct kernel installed_kernel(const char *name, const char *release, enum kernel_list from)
{
	struct kernel e = { .name = strdup(name), .release = strdup(release), .from = from };
	char *h = xasprintf("/lib/modules/%s/build", release), real[PATH_MAX];

	e.headers = realpath(h, real) ? strdup(real) : h;
	e.vmlinuz = xasprintf("/boot/vmlinuz-%s", release);
	e.arm64 = config_arm64(e.headers);
	return e;
}

static void read_list(const char *file, enum kernel_list from)
{
	char *path = cache_file(file), *line = NULL;
	const char *fix = from != KERNEL_USER ? "run 'make setup' to rewrite the file" :
						"fix or delete that line";
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	int lineno = 0;

	if (!f) {
		if (errno != ENOENT)
			die("cannot read %s: %s", path, strerror(errno));
		known.no_matrix |= from == KERNEL_MATRIX;
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		char *field[5], *save = NULL, *text = strdup(line);
		const struct kernel *other;
		struct kernel e;
		int n = 0;

		lineno++;
		text[strcspn(text, "\n")] = '\0';
		line[strcspn(line, "#")] = '\0';
		while (n < 5 && (field[n] = strtok_r(n ? NULL : line, " \t\r\n", &save)))
			n++;
		if (!n)
			continue;
		if (n != 2 && n != 4)
			die("%s:%d: '%s' is not %s; %s", path, lineno, text, LINE_FORMAT, fix);
		if (!valid_name(field[0]) || is_reserved(field[0]) || strchr(field[1], '/'))
			die("%s:%d: '%s': a NAME is letters, digits and . _ + - (not %s) and a RELEASE has no '/'; %s",
			    path, lineno, text, "stock, matrix, user, arm64, all, add or remove", fix);
		other = find(field[0], false);
		if (other)
			die("%s:%d: the name '%s' is taken by %s:%d; %s", path, lineno, field[0],
			    other->file, other->line,
			    from == KERNEL_USER ? xasprintf("remove yours with 'rkm kernels remove %s' and add it under another name",
							    field[0]) : fix);
		if (n == 2) {
			e = installed_kernel(field[0], field[1], from);
		} else {
			e = (struct kernel){ .name = strdup(field[0]), .release = strdup(field[1]),
					     .vmlinuz = strcmp(field[2], "-") ? strdup(field[2]) : NULL,
					     .headers = strdup(field[3]), .from = from };
			/* The matrix's own 4-field line: the kernel rkm built. */
			e.built = from == KERNEL_MATRIX;
			e.arm64 = from == KERNEL_ARM64 || config_arm64(e.headers);
		}
		e.file = path;
		e.line = lineno;
		known.k = realloc(known.k, (known.n + 1) * sizeof(*known.k));
		if (!known.k)
			die("out of memory");
		known.k[known.n++] = e;
		free(text);
	}
	free(line);
	fclose(f);
}

static void load(void)
{
	if (known.loaded)
		return;
	known.loaded = true;
	read_list(MATRIX_FILE, KERNEL_MATRIX);
	read_list(ARM64_FILE, KERNEL_ARM64);
	read_list(USER_FILE, KERNEL_USER);
}

static void need_matrix(void)
{
	if (known.no_matrix)
		die("no kernel matrix in %s: run 'make setup' (as root) first",
		    cache_file(MATRIX_FILE));
}

int kernels_load(struct kernel *k, int max)
{
	int i;

	load();
	need_matrix();
	if (known.n > max)
		die("%d kernels are known (matrix and user), more than the %d this command takes (RKM_MAX_KERNELS): remove some with 'rkm kernels remove NAME'",
		    known.n, max);
	for (i = 0; i < known.n; i++)
		k[i] = known.k[i];
	if (!known.n)
		die("the kernel matrix %s is empty: run 'make setup'", cache_file(MATRIX_FILE));
	return known.n;
}

static char *names_of(enum kernel_list from)
{
	char *s = strdup("");
	int i;

	for (i = 0; i < known.n; i++)
		if (known.k[i].from == from)
			s = xasprintf("%s%s%s", s, *s ? " " : "", known.k[i].name);
	return s;
}

struct selection {
	struct kernel *k;
	int n;
};

static void add(struct selection *s, const struct kernel *k)
{
	int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->k[i].name, k->name))
			return;
	s->k = realloc(s->k, (s->n + 1) * sizeof(*s->k));
	if (!s->k)
		die("out of memory");
	s->k[s->n++] = *k;
}

/* The kernels NAME stands for, in list order: a group, a name, a release. */
static void expand(const char *name, struct selection *s)
{
	const struct kernel *k;
	int i;

	if (!strcmp(name, "stock") || !strcmp(name, "matrix") || !strcmp(name, "all")) {
		need_matrix();
		for (i = 0; i < known.n; i++)
			if ((known.k[i].from == KERNEL_MATRIX && !(known.k[i].built && !strcmp(name, "stock"))) ||
			    (!strcmp(name, "all") && known.k[i].from != KERNEL_ARM64))
				add(s, &known.k[i]);
		return;
	}
	if (!strcmp(name, "arm64")) {
		for (i = 0; i < known.n; i++)
			if (known.k[i].from == KERNEL_ARM64)
				add(s, &known.k[i]);
		if (!s->n)
			die("no arm64 kernels in %s: run 'make setup' (as root)", cache_file(ARM64_FILE));
		return;
	}
	if (!strcmp(name, "user")) {
		for (i = 0; i < known.n; i++)
			if (known.k[i].from == KERNEL_USER)
				add(s, &known.k[i]);
		if (!s->n)
			die("no user kernels: add one with 'rkm kernels add NAME RELEASE|KDIR [VMLINUZ]'");
		return;
	}
	k = find(name, false);
	if (!k)
		k = find(name, true);
	if (k) {
		add(s, k);
		return;
	}
	/* A release whose headers or modules are installed, named as it is. */
	if (valid_name(name) &&
	    (is_dir(xasprintf("/lib/modules/%s", name)) || is_file(xasprintf("/boot/vmlinuz-%s", name)))) {
		struct kernel e = installed_kernel(name, name, KERNEL_INSTALLED);

		add(s, &e);
		return;
	}
	need_matrix();
	if (!strcmp(name, "debug"))
		die("the debug kernel is not in the matrix: run 'make setup-debug' (builds it, about 6 minutes)");
	{
		char *user = names_of(KERNEL_USER);

		die("unknown kernel '%s' (the matrix has: %s)%s%s%s: no release of that name has headers in /lib/modules; add one with 'rkm kernels add NAME RELEASE|KDIR [VMLINUZ]'",
		    name, names_of(KERNEL_MATRIX), *user ? " (user kernels: " : "", user,
		    *user ? ")" : "");
	}
}

/* The kernels named, every one once (no name: DEFAULT, a group). */
static struct selection select_names(const char **names, int nnames, const char *dflt)
{
	struct selection s = { 0 };
	int i;

	load();
	if (!nnames)
		expand(dflt, &s);
	for (i = 0; i < nnames; i++)
		expand(names[i], &s);
	return s;
}

static bool has_headers(const struct kernel *k)
{
	return is_file(xasprintf("%s/Makefile", k->headers));
}

static bool has_image(const struct kernel *k)
{
	return k->vmlinuz && is_file(k->vmlinuz);
}

/* What to run for a matrix kernel that is not all there. */
static const char *setup_fix(const struct kernel *k)
{
	return k->built ? "run 'make setup-debug'" : "run 'make setup' (as root)";
}

static void check_headers(const struct kernel *k)
{
	if (has_headers(k))
		return;
	if (k->from == KERNEL_MATRIX)
		die("no headers for kernel %s: %s is missing; %s", k->release, k->headers, setup_fix(k));
	if (k->from == KERNEL_USER)
		die("no headers for kernel %s (%s): %s/Makefile is missing; install linux-headers-%s, or drop the kernel with 'rkm kernels remove %s'",
		    k->name, k->release, k->headers, k->release, k->name);
	die("no headers for kernel %s: %s/Makefile is missing; install linux-headers-%s", k->release,
	    k->headers, k->release);
}

/* Why kernel k cannot boot (it has no image), and what gives it one. */
static char *no_image(const struct kernel *k)
{
	const char *what = k->vmlinuz ? xasprintf("%s is missing", k->vmlinuz) : "none given";

	if (k->from == KERNEL_MATRIX)
		return xasprintf("kernel %s (%s) is not installed: %s is missing; %s", k->name,
				 k->release, k->vmlinuz, setup_fix(k));
	if (k->from == KERNEL_USER)
		return xasprintf("kernel %s (%s) can only be built for: no image (%s); give one with 'rkm kernels remove %s' then 'rkm kernels add %s %s VMLINUZ'",
				 k->name, k->release, what, k->name, k->name,
				 k->vmlinuz && !strncmp(k->vmlinuz, "/boot/", 6) ? k->release : k->headers);
	return xasprintf("kernel %s can only be built for: no image (%s); give one with 'rkm kernels add NAME %s VMLINUZ'",
			 k->name, what, k->release);
}

/* Copies s into out[], which holds RKM_MAX_KERNELS. */
static int take(const struct selection *s, struct kernel *out)
{
	int i;

	if (s->n > RKM_MAX_KERNELS)
		die("%d kernels named, more than the %d a command takes at once (RKM_MAX_KERNELS): name fewer with --kernel",
		    s->n, RKM_MAX_KERNELS);
	for (i = 0; i < s->n; i++)
		out[i] = s->k[i];
	return s->n;
}

int kernels_select(const char **names, int nnames, struct kernel *out)
{
	struct selection s = select_names(names, nnames, "matrix");
	int i;

	for (i = 0; i < s.n; i++)
		check_headers(&s.k[i]);
	return take(&s, out);
}

int kernels_bootable(const char **names, int nnames, struct kernel *out)
{
	struct selection s = select_names(names, nnames, "matrix"), boot = { 0 };
	int i, j;

	for (i = 0; i < s.n; i++) {
		bool named = false;

		for (j = 0; j < nnames; j++)
			named |= !strcmp(names[j], s.k[i].name) || !strcmp(names[j], s.k[i].release);
		/*
		 * A matrix kernel must be all there (image first: setup installs
		 * both); another one, named or in a group, is told apart from one
		 * without headers, and in a group may be build-only.
		 */
		if (s.k[i].from != KERNEL_MATRIX)
			check_headers(&s.k[i]);
		if (s.k[i].arm64 && access("/usr/bin/qemu-system-aarch64", X_OK))
			die("kernel %s (%s) is an arm64 kernel: booting it needs qemu-system-aarch64 (apt-get install qemu-system-arm, or run 'make setup')",
			    s.k[i].name, s.k[i].release);
		if (!has_image(&s.k[i]) && (named || s.k[i].from == KERNEL_MATRIX))
			die("%s", no_image(&s.k[i]));
		check_headers(&s.k[i]);
		if (has_image(&s.k[i]))
			add(&boot, &s.k[i]);
		else
			warnx("%s: not booted", no_image(&s.k[i]));
	}
	if (!boot.n)
		die("none of the kernels named can boot: give one an image with 'rkm kernels add'");
	return take(&boot, out);
}

static bool first_word_is(const char *line, const char *word)
{
	size_t b = strspn(line, " \t"), l = strcspn(line + b, " \t\r\n#");

	return l == strlen(word) && !strncmp(line + b, word, l);
}

/*
 * The user list without the lines of kernel DROP, with line APPEND (each
 * may be NULL), replaced whole (a new file renamed over it); its other lines
 * stay as they are. Returns the number of lines dropped.
 */
static int rewrite_user_list(const char *drop, const char *append)
{
	char *path = cache_file(USER_FILE), *tmp = xasprintf("%s.tmp", path), *line = NULL;
	char *text = NULL;
	size_t cap = 0, len = 0;
	FILE *f = fopen(path, "r"), *m = open_memstream(&text, &len);
	int dropped = 0;

	if (!m)
		die("out of memory");
	while (f && getline(&line, &cap, f) > 0) {
		if (drop && first_word_is(line, drop))
			dropped++;
		else
			fprintf(m, "%s%s", line, strchr(line, '\n') ? "" : "\n");
	}
	if (f)
		fclose(f);
	if (append)
		fputs(append, m);
	if (fclose(m))
		die("out of memory");
	if (dropped || append) {
		mkdirs(rkm_cache);
		write_file(tmp, text);
		if (rename(tmp, path))
			die("cannot replace %s: %s", path, strerror(errno));
	}
	free(line);
	free(text);
	free(tmp);
	return dropped;
}

/* rkm kernels add NAME RELEASE|KDIR [VMLINUZ] */
static int kernels_add(int argc, char **argv)
{
	const char *name, *src, *img_arg, *kdir = NULL, *img = NULL, *release;
	char real[PATH_MAX], realimg[PATH_MAX], *rel = NULL;
	const struct kernel *k;
	size_t len = 0;
	FILE *f;

	if (argc < 3 || argc > 4)
		usage_exit("kernels", 2);
	name = argv[1];
	src = argv[2];
	img_arg = argc == 4 ? argv[3] : NULL;
	load();
	if (!valid_name(name))
		die("'%s' cannot be a kernel name: use letters, digits and . _ + - (not first: . -)", name);
	if (is_reserved(name) || !strcmp(name, "debug"))
		die("'%s' is a word rkm gives a meaning (a group, a command or the debug kernel): choose another name", name);
	k = find(name, false);
	if (k && k->from == KERNEL_MATRIX)
		die("'%s' is a kernel of the matrix (%s): choose another name", name, k->release);
	if (k)
		die("a user kernel '%s' exists (%s, %s): remove it first with 'rkm kernels remove %s'",
		    name, k->release, k->headers, name);
	k = find(name, true);
	if (k)
		die("'%s' is the release of kernel %s: choose a name that is not a release", name, k->name);
	if (strpbrk(src, " \t\n") || (img_arg && strpbrk(img_arg, " \t\n")))
		die("a path with blanks cannot go in the kernel list: use a symlink to it");
	if (strchr(src, '/')) {
		char *relfile;

		if (!realpath(src, real) || !is_dir(real))
			die("no directory %s: give the kernel's build directory (KDIR) or an installed release", src);
		if (!is_file(xasprintf("%s/Makefile", real)))
			die("%s has no Makefile: give a kernel build directory (KDIR, where 'make modules_prepare' ran) or an installed release",
			    src);
		relfile = xasprintf("%s/include/config/kernel.release", real);
		f = fopen(relfile, "r");
		if (!f || getline(&rel, &len, f) <= 0)
			die("%s has no include/config/kernel.release: run 'make modules_prepare' in it first",
			    src);
		fclose(f);
		rel[strcspn(rel, "\n")] = '\0';
		if (!valid_name(rel))
			die("%s: '%s' is not a kernel release", relfile, rel);
		release = rel;
		kdir = strdup(real);
		/* A kernel tree built there boots its own image unless told otherwise. */
		if (!img_arg && is_file(xasprintf("%s/arch/x86/boot/bzImage", kdir)))
			img = xasprintf("%s/arch/x86/boot/bzImage", kdir);
	} else {
		char *h = xasprintf("/lib/modules/%s/build", src);

		if (!valid_name(src))
			die("'%s' is not a kernel release (uname -r) nor a directory", src);
		if (!is_file(xasprintf("%s/Makefile", h)))
			die("no headers for release %s: %s is missing; install linux-headers-%s, or give the kernel's build directory (KDIR)",
			    src, h, src);
		release = src;
		if (img_arg)
			kdir = realpath(h, real) ? strdup(real) : h;
	}
	if (img_arg) {
		if (!realpath(img_arg, realimg) || !is_file(realimg))
			die("%s is not a file: give the kernel image to boot (bzImage, /boot/vmlinuz-RELEASE), or leave it out to only build for the kernel",
			    img_arg);
		img = realimg;
	}
	rewrite_user_list(NULL, kdir ? xasprintf("%s %s %s %s\n", name, release, img ? img : "-", kdir) :
				       xasprintf("%s %s\n", name, release));
	{
		struct kernel e = kdir ? (struct kernel){ .name = strdup(name),
							  .release = strdup(release),
							  .vmlinuz = img ? strdup(img) : NULL,
							  .headers = strdup(kdir), .from = KERNEL_USER } :
					 installed_kernel(name, release, KERNEL_USER);

		printf("  ADDED   %s (%s) to %s: headers %s; %s\n", name, release,
		       cache_file(USER_FILE), e.headers,
		       has_image(&e) ? xasprintf("boots %s", e.vmlinuz) :
				       "can only be built for (no image)");
	}
	return 0;
}

/* rkm kernels remove NAME */
static int kernels_remove(int argc, char **argv)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (argc != 2)
		usage_exit("kernels", 2);
	/* The file as it is: this also mends a list that no longer loads. */
	if (rewrite_user_list(argv[1], NULL)) {
		printf("  REMOVED %s from %s\n", argv[1], cache_file(USER_FILE));
		return 0;
	}
	f = fopen(cache_file(MATRIX_FILE), "r");
	while (f && getline(&line, &cap, f) > 0)
		if (first_word_is(line, argv[1]))
			die("'%s' is a kernel of the matrix, which 'make setup' writes: only user kernels are removed",
			    argv[1]);
	load();
	die("no user kernel '%s' (user kernels: %s); see 'rkm kernels'", argv[1],
	    *names_of(KERNEL_USER) ? names_of(KERNEL_USER) : "none");
}

/* The profile comes from kbuild/profile.mk, the one place that derives it. */
static void profile_line(const char *line, void *ctx)
{
	snprintf(ctx, 128, "%s", line);
}

static const char *use_of(const struct kernel *k)
{
	if (!has_headers(k))
		return "no-headers";
	return has_image(k) ? "build+boot" : "build-only";
}

int cmd_kernels(int argc, char **argv)
{
	static const char *const from[] = { [KERNEL_MATRIX] = "matrix", [KERNEL_USER] = "user",
					    [KERNEL_INSTALLED] = "installed", [KERNEL_ARM64] = "arm64" };
	struct selection s;
	int i, wn = 8, wr = 28;

	if (argc > 1 && !strcmp(argv[1], "add"))
		return kernels_add(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "remove"))
		return kernels_remove(argc - 1, argv + 1);
	s = select_names((const char **)argv + 1, argc - 1, "all");
	/* With no name, the arm64 kernels too ("all" is what commands build and boot). */
	for (i = 0; argc == 1 && i < known.n; i++)
		if (known.k[i].from == KERNEL_ARM64)
			add(&s, &known.k[i]);
	for (i = 0; i < s.n; i++) {
		if ((int)strlen(s.k[i].name) > wn)
			wn = strlen(s.k[i].name);
		if ((int)strlen(s.k[i].release) > wr)
			wr = strlen(s.k[i].release);
	}
	printf("%-*s %-*s %-40s %-48s %-9s %-10s %-6s %s\n", wn, "NAME", wr, "RELEASE", "VMLINUZ",
	       "HEADERS", "LIST", "USE", "ARCH", "PROFILE");
	for (i = 0; i < s.n; i++) {
		const struct kernel *k = &s.k[i];
		char profile[128] = "?";
		char *mk = xasprintf("%s/kbuild/profile.mk", rkm_root);
		char *conf = xasprintf("KCONFIG=%s/include/config/auto.conf", k->headers);
		char *args[] = { "make", "-s", "-f", mk, conf, "print-profile", NULL };

		if (is_file(conf + strlen("KCONFIG=")))
			run_cmd(args, profile_line, profile);
		printf("%-*s %-*s %-40s %-48s %-9s %-10s %-6s %s\n", wn, k->name, wr, k->release,
		       k->vmlinuz ? k->vmlinuz : "-", k->headers, from[k->from], use_of(k),
		       k->arm64 ? "arm64" : "x86_64", profile);
		free(mk);
		free(conf);
	}
	return 0;
}
