// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-stack-check: the kernel's -Wframe-larger-than for Rust objects.
 *
 *   rkm-stack-check [-v] FRAME_WARN [-n NAME] FILE...
 *
 * FILE is an ELF relocatable object or an archive of them (an rlib, a
 * staticlib; members that are not ELF, such as lib.rmeta, are skipped),
 * compiled by rustc with -Zemit-stack-sizes. Its .stack_sizes section holds,
 * per function, an 8-byte address (relocated to the function, or to its
 * section plus the function's offset) and the frame size as a ULEB128.
 * Every function whose frame is larger than FRAME_WARN (the target kernel's
 * CONFIG_FRAME_WARN; 0 or empty: no limit) is named on one line, and the
 * exit status is 1. -n NAME names the next FILE in messages; -v prints each
 * file's largest frame. Names are demangled with c++filt when it is there.
 * Built and run by kbuild/rkm.mk with the host compiler.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long long limit;	/* 0: none */
static bool verbose;
static int failed;
static bool missing;	/* a member with functions but no .stack_sizes */

struct frame {
	char *name;		/* mangled, or NULL if no symbol was found */
	unsigned long long size;
};

static void fail(const char *file, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(const char *file, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rkm: %s: ", file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed = 1;
}

/* NAME demangled by c++filt, without the crates' [hash] disambiguators. */
static char *demangle(const char *name)
{
	int out[2];
	pid_t pid;
	char buf[4096], *r, *w;
	ssize_t n, len = 0;
	int status;

	if (pipe(out))
		return strdup(name);
	pid = fork();
	if (pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execlp("c++filt", "c++filt", name, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	while (pid > 0 && (n = read(out[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(out[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) || !len)
		return strdup(name);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	/* rkm[21774844f7cf24bf]::print::log -> rkm::print::log */
	for (r = w = buf; *r;) {
		size_t h = *r == '[' ? strspn(r + 1, "0123456789abcdef") : 0;

		if (h && r[1 + h] == ']') {
			r += h + 2;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	/* <rkm_bigframe::Big>::write (an inherent impl) -> rkm_bigframe::Big::write */
	if (buf[0] == '<') {
		int depth = 0;

		for (r = buf; *r; r++) {
			depth += *r == '<' ? 1 : *r == '>' ? -1 : 0;
			if (!depth)
				break;
		}
		if (*r && r[1] == ':' && !memmem(buf, (size_t)(r - buf), " as ", 4)) {
			memmove(r, r + 1, strlen(r));
			memmove(buf, buf + 1, strlen(buf));
		}
	}
	return strdup(buf);
}

static const char *display(const struct frame *f)
{
	static char *last;

	free(last);
	last = f->name ? demangle(f->name) : strdup("(unnamed function)");
	return last;
}

/* Bounds-checked view of one ELF object. */
struct elf {
	const char *file;
	const unsigned char *p;
	size_t len;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const Elf64_Sym *sym;
	size_t nsym;
	const char *str;
	size_t strlen;
};

static bool in_bounds(const struct elf *e, uint64_t off, uint64_t size)
{
	return off <= e->len && size <= e->len - off;
}

static const char *sec_name(const struct elf *e, const char *shstr, size_t shstrlen, unsigned i)
{
	uint32_t n = e->sh[i].sh_name;

	return n < shstrlen && memchr(shstr + n, '\0', shstrlen - n) ? shstr + n : "";
}

static const char *sym_name(const struct elf *e, const Elf64_Sym *s)
{
	uint32_t n = s->st_name;

	return n && n < e->strlen && memchr(e->str + n, '\0', e->strlen - n) ? e->str + n : NULL;
}

/* The defined function at OFF in section SEC. */
static const char *func_at(const struct elf *e, unsigned sec, uint64_t off)
{
	size_t i;

	for (i = 1; i < e->nsym; i++)
		if (ELF64_ST_TYPE(e->sym[i].st_info) == STT_FUNC && e->sym[i].st_shndx == sec &&
		    e->sym[i].st_value == off && sym_name(e, &e->sym[i]))
			return sym_name(e, &e->sym[i]);
	return NULL;
}

/* Reads the .stack_sizes sections of one ELF object; adds to *max. */
static void check_elf(const char *file, const unsigned char *p, size_t len, struct frame *max)
{
	struct elf e = { .file = file, .p = p, .len = len };
	const char *shstr;
	size_t shstrlen;
	unsigned i, j, nsec;
	bool has_sizes = false, has_funcs = false;

	if (len < sizeof(Elf64_Ehdr) || p[EI_CLASS] != ELFCLASS64 || p[EI_DATA] != ELFDATA2LSB) {
		fail(file, "not a 64-bit little-endian ELF object");
		return;
	}
	e.eh = (const Elf64_Ehdr *)p;
	nsec = e.eh->e_shnum;
	if (e.eh->e_type != ET_REL || e.eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_bounds(&e, e.eh->e_shoff, (uint64_t)nsec * sizeof(Elf64_Shdr)) || e.eh->e_shstrndx >= nsec) {
		fail(file, "not a relocatable ELF object, or its section headers are damaged");
		return;
	}
	e.sh = (const Elf64_Shdr *)(p + e.eh->e_shoff);
	for (i = 0; i < nsec; i++)
		if (e.sh[i].sh_type != SHT_NOBITS && !in_bounds(&e, e.sh[i].sh_offset, e.sh[i].sh_size)) {
			fail(file, "section %u lies outside the file", i);
			return;
		}
	shstr = (const char *)p + e.sh[e.eh->e_shstrndx].sh_offset;
	shstrlen = e.sh[e.eh->e_shstrndx].sh_size;
	for (i = 0; i < nsec; i++)
		if (e.sh[i].sh_type == SHT_SYMTAB && e.sh[i].sh_link < nsec &&
		    e.sh[i].sh_entsize == sizeof(Elf64_Sym)) {
			e.sym = (const Elf64_Sym *)(p + e.sh[i].sh_offset);
			e.nsym = e.sh[i].sh_size / sizeof(Elf64_Sym);
			e.str = (const char *)p + e.sh[e.sh[i].sh_link].sh_offset;
			e.strlen = e.sh[e.sh[i].sh_link].sh_size;
		}
	for (i = 1; i < e.nsym; i++)
		if (ELF64_ST_TYPE(e.sym[i].st_info) == STT_FUNC && e.sym[i].st_shndx != SHN_UNDEF)
			has_funcs = true;

	for (i = 0; i < nsec; i++) {
		const Elf64_Rela *rela = NULL;
		size_t nrela = 0, off = 0;
		const unsigned char *d;
		uint64_t size;

		if (strcmp(sec_name(&e, shstr, shstrlen, i), ".stack_sizes"))
			continue;
		has_sizes = true;
		for (j = 0; j < nsec; j++)
			if (e.sh[j].sh_type == SHT_RELA && e.sh[j].sh_info == i &&
			    e.sh[j].sh_entsize == sizeof(Elf64_Rela)) {
				rela = (const Elf64_Rela *)(p + e.sh[j].sh_offset);
				nrela = e.sh[j].sh_size / sizeof(Elf64_Rela);
			}
		d = p + e.sh[i].sh_offset;
		size = e.sh[i].sh_size;
		while (off < size) {
			struct frame f = { 0 };
			uint64_t addr, v = 0;
			unsigned shift = 0, sec = e.sh[i].sh_link;	/* SHF_LINK_ORDER: the code */
			const char *fn = NULL;
			size_t k;

			if (size - off < 9) {
				fail(file, ".stack_sizes is truncated at offset %zu", off);
				return;
			}
			memcpy(&addr, d + off, 8);
			for (k = 0; k < nrela; k++)
				if (rela[k].r_offset == off) {
					size_t s = ELF64_R_SYM(rela[k].r_info);

					if (s >= e.nsym)
						break;
					sec = e.sym[s].st_shndx;
					addr = (ELF64_ST_TYPE(e.sym[s].st_info) == STT_SECTION ? 0 : e.sym[s].st_value) +
					       (uint64_t)rela[k].r_addend;
					if (ELF64_ST_TYPE(e.sym[s].st_info) == STT_FUNC && !rela[k].r_addend)
						fn = sym_name(&e, &e.sym[s]);
					break;
				}
			off += 8;
			do {
				if (off >= size || shift > 63) {
					fail(file, ".stack_sizes holds a bad frame size at offset %zu", off);
					return;
				}
				v |= (uint64_t)(d[off] & 0x7f) << shift;
				shift += 7;
			} while (d[off++] & 0x80);
			f.size = v;
			f.name = (char *)(fn ? fn : func_at(&e, sec, addr));
			if (limit && f.size > limit)
				fail(file, "function '%s' uses a %llu-byte stack frame, more than the kernel's "
					   "CONFIG_FRAME_WARN=%llu", display(&f), f.size, limit);
			if (!max->name || f.size > max->size) {
				free(max->name);
				max->size = f.size;
				max->name = f.name ? strdup(f.name) : NULL;
			}
		}
	}
	if (has_funcs && !has_sizes)
		missing = true;
}

static unsigned long parse_dec(const char *s, size_t n)
{
	unsigned long v = 0;

	while (n && *s == ' ')
		s++, n--;
	while (n && *s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0'), n--;
	return v;
}

/* An ar archive (GNU or BSD names): every ELF member. */
static void check_archive(const char *file, const unsigned char *p, size_t len, struct frame *max)
{
	size_t off = 8;

	while (off + 60 <= len) {
		const unsigned char *h = p + off;
		unsigned long size = parse_dec((const char *)h + 48, 10);
		size_t data = off + 60, skip = 0;

		if (memcmp(h + 58, "`\n", 2) || size > len - data) {
			fail(file, "damaged archive member header at offset %zu", off);
			return;
		}
		if (!memcmp(h, "#1/", 3))	/* BSD: the name precedes the data */
			skip = parse_dec((const char *)h + 3, 13);
		if (skip <= size && size - skip >= 4 && !memcmp(p + data + skip, ELFMAG, SELFMAG))
			check_elf(file, p + data + skip, size - skip, max);
		off = data + size + (size & 1);
	}
}

static void check_file(const char *path, const char *name)
{
	FILE *f = fopen(path, "rb");
	unsigned char *p = NULL;
	size_t len = 0, cap = 0, n;
	struct frame max = { 0 };

	if (!f) {
		fail(path, "%s", strerror(errno));
		return;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 1 << 20;
			p = realloc(p, cap);
			if (!p) {
				fail(name, "out of memory");
				fclose(f);
				return;
			}
		}
		n = fread(p + len, 1, cap - len, f);
		if (!n)
			break;
		len += n;
	}
	if (ferror(f))
		fail(path, "%s", strerror(errno));
	else if (len >= 8 && !memcmp(p, "!<arch>\n", 8))
		check_archive(name, p, len, &max);
	else if (len >= SELFMAG && !memcmp(p, ELFMAG, SELFMAG))
		check_elf(name, p, len, &max);
	else
		fail(name, "not an ELF object or an archive of them");
	fclose(f);
	if (missing)
		fail(name, "no .stack_sizes section: compile it with rustc -Zemit-stack-sizes (as kbuild/rkm.mk does)");
	missing = false;
	if (verbose)
		printf("rkm: %s: largest stack frame %llu bytes in '%s' (CONFIG_FRAME_WARN=%llu)\n", name,
		       max.size, display(&max), limit);
	free(max.name);
	free(p);
}

int main(int argc, char **argv)
{
	const char *name = NULL;
	char *end;
	int i = 1;

	if (i < argc && !strcmp(argv[i], "-v"))
		verbose = true, i++;
	if (i >= argc - 1) {
		fprintf(stderr, "usage: rkm-stack-check [-v] FRAME_WARN [-n NAME] FILE...\n");
		return 2;
	}
	errno = 0;
	limit = argv[i][0] ? strtoull(argv[i], &end, 10) : 0;
	if (argv[i][0] && (*end || errno || argv[i][0] == '-')) {
		fprintf(stderr, "rkm: bad CONFIG_FRAME_WARN '%s': expected a number of bytes (0: no limit)\n", argv[i]);
		return 2;
	}
	for (i++; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			name = argv[++i];
			continue;
		}
		check_file(argv[i], name ? name : argv[i]);
		name = NULL;
	}
	return failed;
}
