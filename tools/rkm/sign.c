// SPDX-License-Identifier: GPL-2.0
/*
 * rkm: `rkm sign --key KEY.pem --cert CERT.der [--kernel NAME] KO...`: signs
 * built modules with the user's key through the kernel's own sign-file (from
 * that kernel's headers), with the kernel's module-signing hash.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rkm.h"

static const char make_key[] =
	"make one with: openssl req -new -nodes -utf8 -sha256 -days 36500 -batch -x509 "
	"-subj /CN=my-module-key/ -outform DER -out CERT.der -keyout KEY.pem";

/* CONFIG_MODULE_SIG_HASH of the kernel, or sha256. */
static char *sig_hash(const struct kernel *k)
{
	char *conf = xasprintf("%s/include/config/auto.conf", k->headers);
	FILE *f = fopen(conf, "r");
	char line[256], hash[64] = "sha256";

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "CONFIG_MODULE_SIG_HASH=\"%63[^\"]\"", hash) == 1)
			break;
	if (f)
		fclose(f);
	free(conf);
	return strdup(hash);
}

/* The matrix kernel a module was built for: NAME/build/KERNEL/NAME.ko. */
static void kernel_of(const char *ko, const char *given, struct kernel *k)
{
	char *dir = strdup(ko), *slash = strrchr(dir, '/');
	const char *name = given;

	if (!name) {
		if (!slash)
			die("%s: cannot tell its kernel from the path: give --kernel NAME", ko);
		*slash = '\0';
		name = base_name(dir);
	}
	if (!given) {
		/* A path not under build/KERNEL/: say so rather than guess. */
		struct kernel all[RKM_MAX_KERNELS];
		int n = kernels_load(all, RKM_MAX_KERNELS), i;

		for (i = 0; i < n && strcmp(all[i].name, name); i++)
			;
		if (i == n)
			die("%s: not in a build/KERNEL directory: give --kernel NAME", ko);
	}
	kernels_select(&name, 1, k);
	free(dir);
}

static bool has_signature(const char *ko)
{
	static const char magic[] = "~Module signature appended~\n";
	char tail[sizeof(magic) - 1];
	FILE *f = fopen(ko, "rb");
	bool ok = f && !fseek(f, -(long)sizeof(tail), SEEK_END) &&
		  fread(tail, 1, sizeof(tail), f) == sizeof(tail) &&
		  !memcmp(tail, magic, sizeof(tail));

	if (f)
		fclose(f);
	return ok;
}

int cmd_sign(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'K' }, { "cert", required_argument, NULL, 'C' },
		{ "kernel", required_argument, NULL, 'k' }, OPT_HELP, { 0 }
	};
	const char *key = NULL, *cert = NULL, *kname = NULL, *kos[RKM_MAX_ITEMS];
	int nkos = 0, i, c;

	while ((c = cmd_getopt(argc, argv, "h", opts)) != -1) {
		if (c == 'K')
			key = optarg;
		else if (c == 'C')
			cert = optarg;
		else if (c == 'k')
			kname = optarg;
	}
	for (i = optind; i < argc; i++) {
		if (nkos == RKM_MAX_ITEMS)
			die("at most %d modules at once", RKM_MAX_ITEMS);
		kos[nkos++] = argv[i];
	}
	if (!key || !cert || !nkos)
		usage_exit(argv[0], 2);
	if (access(key, R_OK))
		die("cannot read the private key %s: %s; %s", key, strerror(errno), make_key);
	if (access(cert, R_OK))
		die("cannot read the certificate %s: %s; %s", cert, strerror(errno), make_key);
	for (i = 0; i < nkos; i++) {
		struct kernel k;
		char *signfile, *hash;
		int rc;

		if (!is_file(kos[i]))
			die("no module %s: build it first (rkm build)", kos[i]);
		kernel_of(kos[i], kname, &k);
		signfile = xasprintf("%s/scripts/sign-file", k.headers);
		if (access(signfile, X_OK))
			die("no %s: the headers of %s have no sign-file (a kernel built without "
			    "module signing)", signfile, k.name);
		hash = sig_hash(&k);
		rc = run_cmd((char *[]){ signfile, hash, (char *)key, (char *)cert, (char *)kos[i],
					 NULL },
			     NULL, NULL);
		if (rc || !has_signature(kos[i]))
			die("sign-file failed for %s (key %s, certificate %s)", kos[i], key, cert);
		printf("  SIGNED  %s (%s, %s)\n", kos[i], k.name, hash);
		free(signfile);
		free(hash);
	}
	return 0;
}
