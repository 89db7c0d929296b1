/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network namespaces and commands for the guest tests (issue 19), without
 * ip netns (it needs /run/netns and bind mounts the initramfs does not
 * have) and without a shell:
 *
 *   struct netns ns;
 *   netns_new(&ns);                      a new namespace, held by a child
 *   netns_move(&ns, "eth1");             the device into it (ip link set ... netns PID)
 *   net_cmd(&ns, out, sizeof(out), "ip addr add %s dev %s", addr, dev);
 *   net_cmd(NULL, ...)                   the same in the test's own namespace
 *   pid = net_spawn(&ns, "iperf3 -s -1 -B %s", addr);   in the background
 *   s = netns_socket(&ns, AF_INET, SOCK_DGRAM, 0);   a socket made in it
 *   netns_sysctl(&ns, "net/ipv6/conf/eth1/disable_ipv6", "1");   its /proc/sys
 *   netns_free(&ns);                     the holder ends: devices go home
 *
 * A command is split at spaces (no quoting), run with execvp from PATH,
 * its stdout and stderr captured (truncated to the buffer), and given
 * NET_CMD_TIMEOUT_MS before it is killed. The namespace is held by a child
 * that unshare(CLONE_NEWNET)'d and waits on a pipe: its PID names it to
 * ip, and /proc/PID/ns/net (kept open) is what setns() enters.
 */
#ifndef RKM_NETNS_H
#define RKM_NETNS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NET_CMD_TIMEOUT_MS 30000
#define NET_CMD_MAX_ARGS 48

struct netns {
	pid_t holder;		/* the child in the namespace */
	int fd;			/* /proc/holder/ns/net */
	int hold;		/* the pipe's write end: closed, the holder exits */
};

/* A new network namespace; 0, or -1 with errno. */
static inline int netns_new(struct netns *ns)
{
	int hold[2], ready[2];
	char path[64], c;

	if (pipe2(hold, O_CLOEXEC) || pipe2(ready, O_CLOEXEC))
		return -1;
	ns->holder = fork();
	if (ns->holder < 0)
		return -1;
	if (ns->holder == 0) {
		char r = unshare(CLONE_NEWNET) ? 'n' : 'y';

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(hold[1]);
		if (write(ready[1], &r, 1) != 1)
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(hold[0]);
	close(ready[1]);
	ns->hold = hold[1];
	if (read(ready[0], &c, 1) != 1 || c != 'y') {
		close(ready[0]);
		close(ns->hold);
		waitpid(ns->holder, NULL, 0);
		errno = EPERM;
		return -1;
	}
	close(ready[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)ns->holder);
	ns->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (ns->fd < 0) {
		close(ns->hold);
		waitpid(ns->holder, NULL, 0);
		return -1;
	}
	return 0;
}

/* Ends the namespace (its physical devices return to the initial one). */
static inline void netns_free(struct netns *ns)
{
	if (ns->fd < 0)
		return;
	close(ns->fd);
	close(ns->hold);
	waitpid(ns->holder, NULL, 0);
	ns->fd = -1;
}

/* Splits cmd at spaces into argv (cmd is modified); the count, or -1 if too many. */
static inline int net_split(char *cmd, char **argv)
{
	int n = 0;
	char *save, *w;

	for (w = strtok_r(cmd, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (n == NET_CMD_MAX_ARGS)
			return -1;
		argv[n++] = w;
	}
	argv[n] = NULL;
	return n;
}

/* In a forked child: enter ns (if any) and exec the command; never returns. */
static inline void __attribute__((noreturn)) net_exec(const struct netns *ns, char *cmd)
{
	char *argv[NET_CMD_MAX_ARGS + 1];

	if (ns && setns(ns->fd, CLONE_NEWNET)) {
		fprintf(stderr, "setns: %s\n", strerror(errno));
		_exit(126);
	}
	if (net_split(cmd, argv) < 1) {
		fprintf(stderr, "net_cmd: no command, or more than %d words\n", NET_CMD_MAX_ARGS);
		_exit(126);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static inline long long net_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Runs the command (printf format, split at spaces) in ns (NULL: the
 * caller's namespace), its output in out (NUL-terminated, may be NULL).
 * Returns its exit status, 128 + signal if killed, or -1 if it could not
 * be run or timed out (out then says so).
 */
__attribute__((format(printf, 4, 5)))
static inline int net_cmd(const struct netns *ns, char *out, size_t outlen, const char *fmt, ...)
{
	char cmd[1024], sink[256];
	long long end = net_ms() + NET_CMD_TIMEOUT_MS;
	size_t len = 0;
	int p[2], status;
	va_list ap;
	pid_t pid;

	if (!out || !outlen) {
		out = sink;
		outlen = sizeof(sink);
	}
	out[0] = '\0';
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		net_exec(ns, cmd);
	}
	close(p[1]);
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		long long left = end - net_ms();
		char buf[4096];
		ssize_t n;

		if (left <= 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			close(p[0]);
			snprintf(out, outlen, "(timed out after %d ms: %s)", NET_CMD_TIMEOUT_MS, cmd);
			return -1;
		}
		if (poll(&pf, 1, (int)left) <= 0)
			continue;
		n = read(p[0], buf, sizeof(buf));
		if (n <= 0)
			break;
		if (len + 1 < outlen) {
			size_t k = (size_t)n < outlen - 1 - len ? (size_t)n : outlen - 1 - len;

			memcpy(out + len, buf, k);
			len += k;
			out[len] = '\0';
		}
	}
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The command in the background (output to /dev/null): its pid, or -1. */
__attribute__((format(printf, 2, 3)))
static inline pid_t net_spawn(const struct netns *ns, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		net_exec(ns, cmd);
	}
	return pid;
}

/* Moves device dev into ns: 0, or ip's exit status (its message in out). */
static inline int netns_move(const struct netns *ns, const char *dev, char *out, size_t outlen)
{
	return net_cmd(NULL, out, outlen, "ip link set dev %s netns %d", dev, (int)ns->holder);
}

/*
 * The number after "key" in text ("rx_packets: 12", "\"bits_per_second\":
 * 1.2e9"): the last occurrence's if last, else the first's; -1 if none.
 */
static inline double net_value(const char *text, const char *key, int last)
{
	const char *p = NULL, *q = text;

	while ((q = strstr(q, key))) {
		p = q;
		q += strlen(key);
		if (!last)
			break;
	}
	if (!p)
		return -1;
	p += strlen(key);
	p += strspn(p, " \t:\"=");
	return strtod(p, NULL);
}

/* How many times needle occurs in text. */
static inline int net_count(const char *text, const char *needle)
{
	int n = 0;

	while ((text = strstr(text, needle))) {
		n++;
		text += strlen(needle);
	}
	return n;
}

/*
 * A socket made in ns (NULL: the caller's namespace): the calling thread
 * enters ns, makes the socket and returns to its own namespace; the socket
 * stays in ns. -1 with errno if it could not.
 */
static inline int netns_socket(const struct netns *ns, int domain, int type, int protocol)
{
	int self, s, err;

	if (!ns)
		return socket(domain, type, protocol);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	if (setns(ns->fd, CLONE_NEWNET)) {
		err = errno;
		close(self);
		errno = err;
		return -1;
	}
	s = socket(domain, type, protocol);
	err = errno;
	if (setns(self, CLONE_NEWNET)) {
		err = errno;
		if (s >= 0)
			close(s);
		s = -1;
	}
	close(self);
	errno = err;
	return s;
}

/*
 * Writes text to /proc/sys/PATH as ns sees it (a per-namespace sysctl:
 * "net/ipv6/conf/eth1/disable_ipv6"), entering and leaving ns like
 * netns_socket(). 0, or -1 with errno.
 */
static inline int netns_sysctl(const struct netns *ns, const char *path, const char *text)
{
	char file[256];
	int self, fd, err;
	ssize_t n;

	snprintf(file, sizeof(file), "/proc/sys/%s", path);
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -1;
	if (ns && setns(ns->fd, CLONE_NEWNET)) {
		err = errno;
		close(self);
		errno = err;
		return -1;
	}
	fd = open(file, O_WRONLY | O_CLOEXEC);
	err = errno;
	if (setns(self, CLONE_NEWNET) && fd >= 0) {
		err = errno;
		close(fd);
		fd = -1;
	}
	close(self);
	if (fd < 0) {
		errno = err;
		return -1;
	}
	n = write(fd, text, strlen(text));
	err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A network link found by its MAC address: its name, bus device and driver. */
struct net_nic {
	char name[IFNAMSIZ], bdf[32], driver[32];
};

static inline const char *net_base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/*
 * The link with MAC address mac in the caller's namespace: its name, the
 * base names of its sysfs links "device" (the PCI address) and
 * "device/driver" ("" if unbound); false if none has it.
 */
static inline bool net_nic_by_mac(const char *mac, struct net_nic *nic)
{
	DIR *d = opendir("/sys/class/net");
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char path[300], m[32] = "", link[300];
		ssize_t n;
		FILE *f;

		if (e->d_name[0] == '.' || strlen(e->d_name) >= IFNAMSIZ)
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/address", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%31s", m) != 1)
			m[0] = '\0';
		fclose(f);
		if (strcmp(m, mac))
			continue;
		snprintf(path, sizeof(path), "/sys/class/net/%s/device", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		snprintf(nic->bdf, sizeof(nic->bdf), "%.31s", net_base_of(link));
		snprintf(path, sizeof(path), "/sys/class/net/%s/device/driver", e->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		link[n > 0 ? n : 0] = '\0';
		snprintf(nic->driver, sizeof(nic->driver), "%.31s", n > 0 ? net_base_of(link) : "");
		snprintf(nic->name, sizeof(nic->name), "%s", e->d_name);
		found = true;
	}
	if (d)
		closedir(d);
	return found;
}

#endif
