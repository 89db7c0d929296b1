// SPDX-License-Identifier: GPL-2.0
/* rkm: small helpers shared by the subcommands. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rkm.h"

const char *rkm_root;
const char *rkm_cache;

static void vmsg(const char *fmt, va_list ap)
{
	fputs("rkm: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(2);
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die("out of memory");
	va_end(ap);
	return s;
}

/* tmpl with every KEY of subst (KEY, VALUE, ..., NULL) replaced by its VALUE. */
char *fill_template(const char *tmpl, const char *const *subst)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *s = tmpl;
	int i;

	if (!f)
		die("out of memory");
	while (*s) {
		for (i = 0; subst[i]; i += 2)
			if (!strncmp(s, subst[i], strlen(subst[i]))) {
				fputs(subst[i + 1], f);
				s += strlen(subst[i]);
				break;
			}
		if (!subst[i])
			fputc(*s++, f);
	}
	if (fclose(f))
		die("out of memory");
	return out;
}

void mkdirs(const char *path)
{
	char *p = xasprintf("%s", path), *s;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	if (mkdir(p, 0755) && errno != EEXIST)
		die("cannot create %s: %s", p, strerror(errno));
	free(p);
}

bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

char *replace_once(const char *s, const char *old, const char *new)
{
	const char *at = strstr(s, old);

	if (!at)
		die("no '%s' in: %.80s...", old, s);
	return xasprintf("%.*s%s%s", (int)(at - s), s, new, at + strlen(old));
}

const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A module name: what KBUILD_MODNAME and a Rust identifier both accept. */
bool valid_module_name(const char *n)
{
	size_t i;

	if (!n[0] || strlen(n) > 55 || !((n[0] >= 'a' && n[0] <= 'z') || n[0] == '_'))
		return false;
	for (i = 1; n[i]; i++)
		if (!((n[i] >= 'a' && n[i] <= 'z') || (n[i] >= '0' && n[i] <= '9') || n[i] == '_'))
			return false;
	return true;
}

int run_cmd(char *const argv[], void (*line_cb)(const char *line, void *ctx), void *ctx)
{
	int fds[2], status;
	pid_t pid;

	if (line_cb && pipe(fds))
		die("pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (line_cb) {
			dup2(fds[1], 1);
			dup2(fds[1], 2);
			close(fds[0]);
			close(fds[1]);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "rkm: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (line_cb) {
		FILE *f;
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		close(fds[1]);
		f = fdopen(fds[0], "r");
		while ((n = getline(&line, &cap, f)) > 0) {
			if (line[n - 1] == '\n')
				line[n - 1] = '\0';
			line_cb(line, ctx);
		}
		free(line);
		fclose(f);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Writes text to path, replacing the file (never writing through a link). */
/* The whole file, NUL-terminated; its length in *len if len. Dies if it cannot be read. */
char *read_file(const char *path, size_t *len)
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

void write_file(const char *path, const char *text)
{
	FILE *f;

	unlink(path);	/* never write through a link into a source tree */
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f))
		die("cannot write %s: %s", path, strerror(errno));
}

/* Copies the file at path to stdout, then removes it. */
static void show_and_remove(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	size_t n;

	while (f && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	if (f)
		fclose(f);
	fflush(stdout);
	unlink(path);
}

/*
 * fn(item, ctx) for each of items[0..n), one child per CPU at a time, each
 * child's output kept in a file and printed whole, in the items' order, as
 * if they had run one after another. Returns the sum of what fn returned;
 * a child that died (die(), a crash) is shown, then rkm exits with status 2.
 * For per-driver work that is CPU-bound and independent (lint, lint --panics).
 */
int parallel_each(char *const *items, int n, int (*fn)(const char *item, void *ctx), void *ctx)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const char *tmpdir = getenv("TMPDIR");
	char *tmp = xasprintf("%s/rkm-parallel-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	pid_t *pids = calloc(n ? n : 1, sizeof(*pids));
	int next = 0, shown = 0, running = 0, sum = 0, died = 0;

	if (!pids)
		die("out of memory");
	if (!mkdtemp(tmp))
		die("mkdtemp %s: %s", tmp, strerror(errno));
	fflush(stdout);
	fflush(stderr);
	while (shown < n) {
		while (running < (cpus > 1 ? cpus : 1) && next < n) {
			pid_t pid = fork();

			if (pid < 0)
				die("fork: %s", strerror(errno));
			if (pid == 0) {
				char *out = xasprintf("%s/%d.out", tmp, next);
				int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
				FILE *f;
				int r;

				if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
					_exit(3);
				setvbuf(stdout, NULL, _IOLBF, 0);
				r = fn(items[next], ctx);
				fflush(stdout);
				f = fopen(xasprintf("%s/%d.result", tmp, next), "w");
				_exit(f && fprintf(f, "%d\n", r) > 0 && !fclose(f) ? 0 : 3);
			}
			pids[next++] = pid;
			running++;
		}
		/* Wait for the next item to show; others may end meanwhile. */
		while (shown < next) {
			char *res = xasprintf("%s/%d.result", tmp, shown);
			int status, r = 0;
			FILE *f;

			if (waitpid(pids[shown], &status, 0) < 0)
				die("waitpid: %s", strerror(errno));
			running--;
			show_and_remove(xasprintf("%s/%d.out", tmp, shown));
			f = fopen(res, "r");
			if (!WIFEXITED(status) || WEXITSTATUS(status) || !f || fscanf(f, "%d", &r) != 1)
				died = 1;
			else
				sum += r;
			if (f)
				fclose(f);
			unlink(res);
			free(res);
			shown++;
			if (running < cpus && next < n)
				break;
		}
		if (died) {
			while (running-- > 0)
				wait(NULL);
			break;
		}
	}
	rmdir(tmp);
	free(pids);
	if (died)
		exit(2);
	return sum;
}
