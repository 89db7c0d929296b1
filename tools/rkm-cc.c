// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-cc: the kernel build's C compiler, with Kbuild's probes remembered.
 *
 *   RKM_PROBES=DIR rkm-cc COMPILER [ARG]...
 *
 * Every `make -C KDIR M=...` first probes the compiler: the kernel's
 * Makefiles call cc-option, cc-disable-warning, as-option and as-instr some
 * 30 times, each a compiler run on an empty input (/dev/null, or a line of
 * assembly on standard input) whose exit status decides a flag. That is
 * over a second of every module build, and rkm runs hundreds of them. rkm
 * build passes this program as the compiler's prefix (Debian's CCACHE hook
 * in the headers' .kernelvariables, or CC= for a GCC-built tree), so a
 * probe runs once per compiler and set of arguments.
 *
 * A probe is a compile (-c, -S or -E) whose every input is /dev/null or
 * "-", with no dependency output (-M*, -Wp,), no forced include and no
 * -save-temps. Its key: the compiler and assembler found on PATH (path,
 * size, mtime, inode), the working directory, the arguments (the -o path as
 * OUT: Kbuild's is a new .tmp_PID directory every time), the environment
 * the compiler reads, and standard input. Its entry, DIR/KEYHASH: the key
 * itself (compared in full on a hit, so a hash collision is only a miss),
 * the exit status, standard output and error, and the output file. A run
 * that did not exit 0 or 1 (a crash, an internal compiler error, a signal)
 * is not kept. Anything else, or no RKM_PROBES, runs the compiler as is.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Bump when the entry format changes. */
#define FORMAT "rkm-cc 1\n"
/* Standard input of a probe is a line or two (as-instr); more is not a probe. */
#define MAX_STDIN (64 << 10)
/* The cache starts over past this many entries (a few dozen per kernel). */
#define MAX_ENTRIES 4096

struct buf {
	char *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("rkm-cc");
			exit(2);
		}
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void putf(struct buf *b, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		exit(2);
	put(b, s, n);
	free(s);
}

/* A length-prefixed field: any bytes, and unambiguous when fields follow. */
static void field(struct buf *b, const void *p, size_t n)
{
	putf(b, "%zu:", n);
	put(b, p, n);
	put(b, "\n", 1);
}

static bool read_fd(int fd, struct buf *b, size_t max)
{
	char tmp[8192];
	ssize_t n;

	while ((n = read(fd, tmp, sizeof(tmp))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || b->len + n > max)
			return false;
		put(b, tmp, n);
	}
	return true;
}

static bool read_path(const char *path, struct buf *b)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = read_fd(fd, b, SIZE_MAX / 2);
	close(fd);
	return ok;
}

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= w;
	}
	return true;
}

/* PATH's identity in key (path, size, mtime, inode); false if it is not there. */
static bool stat_line(struct buf *key, const char *path, bool program)
{
	struct stat st;

	if (stat(path, &st) || (program && (!S_ISREG(st.st_mode) || access(path, X_OK))))
		return false;
	putf(key, "%s %lld %lld %llu\n", path, (long long)st.st_size, (long long)st.st_mtime,
	     (unsigned long long)st.st_ino);
	return true;
}

/* PROG as execvp finds it, with its identity; "PROG missing" if not found. */
static void identity(struct buf *key, const char *prog)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save, full[4096];
	bool found = false;

	if (strchr(prog, '/')) {
		found = stat_line(key, prog, false);
	} else {
		dirs = strdup(path ? path : "/usr/bin:/bin");
		for (dir = strtok_r(dirs, ":", &save); dir && !found;
		     dir = strtok_r(NULL, ":", &save)) {
			snprintf(full, sizeof(full), "%s/%s", *dir ? dir : ".", prog);
			found = stat_line(key, full, true);
		}
		free(dirs);
	}
	if (!found)
		putf(key, "%s missing\n", prog);
}

/* Options whose value is the next argument (GCC's, as Kbuild's probes use them). */
static bool takes_value(const char *a)
{
	static const char *const opts[] = { "-o", "-x", "-include", "-imacros", "-isystem",
					    "-idirafter", "-iquote", "-iprefix", "-MF", "-MT",
					    "-MQ", "-Xassembler", "-Xlinker", "-Xpreprocessor",
					    "-T", "-u", "-I", "-D", "-U", "-L", "--param", NULL };

	for (int i = 0; opts[i]; i++)
		if (!strcmp(a, opts[i]))
			return true;
	return false;
}

/*
 * Is argv[0..argc) a probe? Sets *out to its -o path (NULL: standard
 * output) and *stdin_in if it reads standard input.
 */
static bool is_probe(int argc, char **argv, const char **out, bool *stdin_in)
{
	bool compile = false, input = false;

	*out = NULL;
	*stdin_in = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-c") || !strcmp(a, "-S") || !strcmp(a, "-E")) {
			compile = true;
		} else if (!strcmp(a, "-")) {
			*stdin_in = input = true;
		} else if (!strncmp(a, "-M", 2) || !strncmp(a, "-Wp,", 4) ||
			   !strcmp(a, "-include") || !strcmp(a, "-imacros") ||
			   !strncmp(a, "-save-temps", 11) || !strncmp(a, "-fdump-", 7) ||
			   !strcmp(a, "-Xpreprocessor")) {
			return false;
		} else if (takes_value(a)) {
			if (++i == argc)
				return false;
			if (!strcmp(a, "-o"))
				*out = argv[i];
		} else if (a[0] != '-') {
			if (strcmp(a, "/dev/null"))
				return false;
			input = true;
		}
	}
	return compile && input;
}

/* FNV-1a, 64 bits: names the entry; the key inside it is what is compared. */
static uint64_t fnv(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ (unsigned char)*p++) * 0x100000001b3ULL;
	return h;
}

/* Parses "LEN:BYTES\n" at *p (end e); returns the bytes and advances *p. */
static const char *take(const char **p, const char *e, size_t *len)
{
	char *colon;
	const char *s;

	errno = 0;
	*len = strtoul(*p, &colon, 10);
	if (errno || colon >= e || *colon != ':' || (size_t)(e - colon - 1) < *len + 1)
		return NULL;
	s = colon + 1;
	if (s[*len] != '\n')
		return NULL;
	*p = s + *len + 1;
	return s;
}

/* Replays a kept run; false if ENTRY holds another key or is damaged. */
static bool replay(const struct buf *entry, const struct buf *key, const char *out)
{
	const char *p = entry->p, *e = entry->p + entry->len, *k, *o, *er, *f;
	size_t klen, olen, elen, flen;
	int status;

	if (!(k = take(&p, e, &klen)) || klen != key->len || memcmp(k, key->p, klen) ||
	    sscanf(p, "%d\n", &status) != 1 || !(p = memchr(p, '\n', e - p)))
		return false;
	p++;
	if (!(o = take(&p, e, &olen)) || !(er = take(&p, e, &elen)) || !(f = take(&p, e, &flen)))
		return false;
	/* A failed compile leaves no output file; a good one its object. */
	if (out && strcmp(out, "-") && !status) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		bool ok = fd >= 0 && write_all(fd, f, flen);

		if (fd >= 0)
			close(fd);
		if (!ok)
			return false;
	}
	if (!write_all(1, o, olen) || !write_all(2, er, elen))
		exit(2);
	exit(status);
}

static void prune(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.';
	if (d && n > MAX_ENTRIES) {
		rewinddir(d);
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
}

/* Runs the probe with its output in files of DIR; keeps its entry. */
static int run_and_keep(char **cargv, const char *dir, const char *name, const struct buf *key,
			const struct buf *in, const char *out)
{
	char opath[4096], epath[4096], tmp[4096];
	struct buf o = { 0 }, er = { 0 }, f = { 0 }, entry = { 0 };
	int ofd, efd, pfd[2] = { -1, -1 }, status, fd;
	pid_t pid;

	snprintf(opath, sizeof(opath), "%s/.out.XXXXXX", dir);
	snprintf(epath, sizeof(epath), "%s/.err.XXXXXX", dir);
	ofd = mkostemp(opath, O_CLOEXEC);
	efd = mkostemp(epath, O_CLOEXEC);
	if (ofd >= 0)
		unlink(opath);
	if (efd >= 0)
		unlink(epath);
	if (ofd < 0 || efd < 0 || (in && pipe2(pfd, O_CLOEXEC)) || (pid = fork()) < 0) {
		if (ofd >= 0)
			close(ofd);
		if (efd >= 0)
			close(efd);
		return -1;
	}
	if (!pid) {
		if ((in && dup2(pfd[0], 0) < 0) || dup2(ofd, 1) < 0 || dup2(efd, 2) < 0)
			_exit(127);
		execvp(cargv[0], cargv);
		fprintf(stderr, "rkm-cc: %s: %s\n", cargv[0], strerror(errno));
		_exit(127);
	}
	if (in) {
		close(pfd[0]);
		write_all(pfd[1], in->p, in->len);
		close(pfd[1]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	read_fd(ofd, &o, SIZE_MAX / 2);
	read_fd(efd, &er, SIZE_MAX / 2);
	close(ofd);
	close(efd);
	write_all(1, o.p ? o.p : "", o.len);
	write_all(2, er.p ? er.p : "", er.len);
	if (!WIFEXITED(status))
		return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	/* 0: the option works; 1: it does not. Anything else is not an answer. */
	if (WEXITSTATUS(status) > 1)
		return WEXITSTATUS(status);
	if (out && strcmp(out, "-") && !read_path(out, &f) && !WEXITSTATUS(status))
		return 0;
	field(&entry, key->p, key->len);
	putf(&entry, "%d\n", WEXITSTATUS(status));
	field(&entry, o.p ? o.p : "", o.len);
	field(&entry, er.p ? er.p : "", er.len);
	field(&entry, f.p ? f.p : "", f.len);
	snprintf(tmp, sizeof(tmp), "%s/.new.XXXXXX", dir);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd >= 0) {
		bool ok = write_all(fd, entry.p, entry.len);

		close(fd);
		if (!ok || rename(tmp, name))
			unlink(tmp);
	}
	return WEXITSTATUS(status);
}

/*
 * Runs the compiler as is; standard input, if we read some (IN), is given
 * back through a pipe: what was read, then the rest.
 */
static int run_as_is(char **argv, const struct buf *in)
{
	if (in) {
		struct buf rest = { 0 };
		int pfd[2];

		if (pipe(pfd))
			return 2;
		if (!fork()) {
			close(pfd[0]);
			write_all(pfd[1], in->p ? in->p : "", in->len);
			while (read_fd(0, &rest, 1 << 20) && rest.len) {
				write_all(pfd[1], rest.p, rest.len);
				rest.len = 0;
			}
			_exit(0);
		}
		close(pfd[1]);
		if (dup2(pfd[0], 0) < 0)
			return 2;
		close(pfd[0]);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "rkm-cc: %s: %s\n", argv[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	static const char *const env[] = { "GCC_EXEC_PREFIX", "COMPILER_PATH", "LIBRARY_PATH",
					   "CPATH", "C_INCLUDE_PATH", "SOURCE_DATE_EPOCH",
					   "DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES",
					   "LANG", "LC_ALL", "LC_MESSAGES", "GCC_COLORS", NULL };
	const char *dir = getenv("RKM_PROBES"), *out;
	struct buf key = { 0 }, in = { 0 }, entry = { 0 };
	char cwd[4096], name[4096];
	bool stdin_in;
	int rc;

	if (argc < 2) {
		fputs("usage: RKM_PROBES=DIR rkm-cc COMPILER [ARG]...\n", stderr);
		return 2;
	}
	argv++;
	argc--;
	if (!dir || !*dir || !is_probe(argc, argv, &out, &stdin_in) || !getcwd(cwd, sizeof(cwd)))
		return run_as_is(argv, NULL);
	/* More input than a probe has: not one. */
	if (stdin_in && !read_fd(0, &in, MAX_STDIN))
		return run_as_is(argv, &in);
	put(&key, FORMAT, strlen(FORMAT));
	identity(&key, argv[0]);
	identity(&key, "as");
	field(&key, cwd, strlen(cwd));
	for (int i = 0; i < argc; i++) {
		const char *a = i > 0 && !strcmp(argv[i - 1], "-o") ? "OUT" : argv[i];

		field(&key, a, strlen(a));
	}
	for (int i = 0; env[i]; i++) {
		const char *v = getenv(env[i]);

		putf(&key, "%s%c", env[i], v ? '=' : '-');
		field(&key, v ? v : "", v ? strlen(v) : 0);
	}
	field(&key, in.p ? in.p : "", in.len);
	snprintf(name, sizeof(name), "%s/%016llx", dir,
		 (unsigned long long)fnv(key.p, key.len));
	if (read_path(name, &entry))
		replay(&entry, &key, out);
	if (mkdir(dir, 0755) && errno != EEXIST)
		return run_as_is(argv, stdin_in ? &in : NULL);
	prune(dir);
	rc = run_and_keep(argv, dir, name, &key, stdin_in ? &in : NULL, out);
	return rc >= 0 ? rc : run_as_is(argv, stdin_in ? &in : NULL);
}
