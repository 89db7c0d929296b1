// SPDX-License-Identifier: GPL-2.0
/*
 * rkm-tcgprof: a QEMU TCG plugin that counts the guest instructions each
 * kernel code address runs, in segments the guest marks (rkm bench
 * --profile). Under -icount both drivers of a benchmark run on one vCPU, so
 * the counts say where a Rust driver's instructions per packet go, function
 * by function, against its C twin's in the same boot.
 *
 *   -plugin rkm-tcgprof.so,mark=ADDR,out=FILE
 *
 * Every translated block of kernel code (an address in the upper half) gets
 * an inline counter (no call: the count costs the emulation a few host
 * instructions a block); user-space blocks share one counter (their
 * addresses repeat across processes). Each time the block at ADDR runs (the
 * guest's marker: the benchmark program's rkm_prof_mark(), linked at an
 * address no other guest program uses), the counts since the last mark are
 * appended to FILE and cleared:
 *
 *   S <segment>
 *   <block address, hex> <instructions> <runs> <indirect> <memory>	(kernel blocks)
 *   U <instructions> <runs> <indirect> <memory>			(user space)
 *
 * <runs> counts the block's executions, <indirect> those of them that end
 * in an indirect branch (ret, jmp or call through a register or memory,
 * iret, sysret: the exits TCG cannot chain to the next block, which cost
 * the emulation a look-up each), and <memory> the memory accesses its
 * instructions made (each one a software TLB look-up under TCG, against a
 * few host instructions for a register operation): what makes the same
 * instruction count cost a different wall time under emulation, and which
 * -icount does not see.
 *
 * The one segment after the last mark is written at exit. QEMU 7.2's plugin
 * API (version 1: Debian 12's QEMU) is declared here, so no QEMU source or
 * development package is needed.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
typedef void (*tb_trans_cb)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*vcpu_udata_cb)(unsigned int vcpu, void *udata);
typedef void (*udata_cb)(qemu_plugin_id_t id, void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_trans_cb cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_vcpu_mem_inline(struct qemu_plugin_insn *insn,
					  enum qemu_plugin_mem_rw rw, enum qemu_plugin_op op,
					  void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, vcpu_udata_cb cb,
					  enum qemu_plugin_cb_flags flags, void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, udata_cb cb, void *udata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

/* The counters of a block, in the order FILE gives them. */
enum { INSNS, RUNS, INDIRECT, MEM, NCOUNTS };

/* A translated kernel block (or user space, all of it): its counters, updated inline. */
struct block {
	uint64_t vaddr;
	uint64_t n[NCOUNTS];
};

#define CHUNK 65536
static struct block **chunks;	/* fixed addresses: the inline ops hold them */
static size_t nblocks, nchunks;
static struct block user;
static uint64_t mark;
static unsigned long segment;
static FILE *out;

static struct block *new_block(uint64_t vaddr)
{
	struct block *b;

	if (nblocks == nchunks * CHUNK) {
		chunks = realloc(chunks, ++nchunks * sizeof(*chunks));
		if (!chunks || !(chunks[nchunks - 1] = calloc(CHUNK, sizeof(struct block)))) {
			fprintf(stderr, "rkm-tcgprof: out of memory\n");
			exit(1);
		}
	}
	b = &chunks[nblocks / CHUNK][nblocks % CHUNK];
	nblocks++;
	b->vaddr = vaddr;
	return b;
}

static int by_vaddr(const void *a, const void *b)
{
	uint64_t x = ((const struct block *)a)->vaddr, y = ((const struct block *)b)->vaddr;

	return x < y ? -1 : x > y;
}

/* A block's counters, after its address or "U", to the end of the line. */
static void put_counts(const struct block *b)
{
	int c;

	for (c = 0; c < NCOUNTS; c++)
		fprintf(out, " %" PRIu64, b->n[c]);
	fputc('\n', out);
}

/* The counts since the last mark, a line per address (blocks retranslated at one address summed). */
static void flush(void)
{
	struct block *ran = malloc((nblocks + 1) * sizeof(*ran));
	size_t i, n = 0;
	int c;

	if (!ran) {
		fprintf(stderr, "rkm-tcgprof: out of memory\n");
		exit(1);
	}
	for (i = 0; i < nblocks; i++) {
		struct block *b = &chunks[i / CHUNK][i % CHUNK];

		if (b->n[RUNS])
			ran[n++] = *b;
		memset(b->n, 0, sizeof(b->n));
	}
	qsort(ran, n, sizeof(*ran), by_vaddr);
	fprintf(out, "S %lu\n", segment++);
	for (i = 0; i < n; i++) {
		struct block sum = ran[i];

		while (i + 1 < n && ran[i + 1].vaddr == ran[i].vaddr)
			for (i++, c = 0; c < NCOUNTS; c++)
				sum.n[c] += ran[i].n[c];
		fprintf(out, "%" PRIx64, sum.vaddr);
		put_counts(&sum);
	}
	fputc('U', out);
	put_counts(&user);
	memset(user.n, 0, sizeof(user.n));
	free(ran);
}

static void on_mark(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	flush();
}

/*
 * Whether an x86-64 instruction is an indirect branch: ret (C3, C2), retf
 * (CB, CA), iret (CF), call or jmp through a register or memory (FF /2 to
 * /5), sysret (0F 07); past its legacy and REX prefixes (cs: the kernel's
 * indirect-thunk calls, notrack, rep ret).
 */
static int indirect_branch(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == 0x2e || p[i] == 0x3e || p[i] == 0x26 || p[i] == 0x36 ||
			 p[i] == 0x64 || p[i] == 0x65 || p[i] == 0x66 || p[i] == 0x67 ||
			 p[i] == 0xf2 || p[i] == 0xf3 || (p[i] >= 0x40 && p[i] <= 0x4f)))
		i++;
	if (i >= n)
		return 0;
	switch (p[i]) {
	case 0xc3:
	case 0xc2:
	case 0xcb:
	case 0xca:
	case 0xcf:
		return 1;
	case 0xff:
		return i + 1 < n && ((p[i + 1] >> 3) & 7) >= 2 && ((p[i + 1] >> 3) & 7) <= 5;
	case 0x0f:
		return i + 1 < n && p[i + 1] == 0x07;
	}
	return 0;
}

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb), n = qemu_plugin_tb_n_insns(tb);
	const struct qemu_plugin_insn *last = n ? qemu_plugin_tb_get_insn(tb, n - 1) : NULL;
	int ind = last && indirect_branch(qemu_plugin_insn_data(last), qemu_plugin_insn_size(last));
	/* User-space addresses repeat across processes: one counter for all. */
	struct block *b = vaddr >> 63 ? new_block(vaddr) : &user;
	size_t i;

	(void)id;
	if (vaddr == mark)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
	for (i = 0; i < n; i++)
		qemu_plugin_register_vcpu_mem_inline(qemu_plugin_tb_get_insn(tb, i), QEMU_PLUGIN_MEM_RW,
						     QEMU_PLUGIN_INLINE_ADD_U64, &b->n[MEM], 1);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->n[INSNS], n);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &b->n[RUNS], 1);
	if (ind)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							 &b->n[INDIRECT], 1);
}

static void on_atexit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	flush();
	fclose(out);
}

__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id,
							       const void *info, int argc,
							       char **argv)
{
	const char *path = NULL;
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "mark=", 5))
			mark = strtoull(argv[i] + 5, NULL, 0);
		else if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	}
	if (!mark || !path) {
		fprintf(stderr, "rkm-tcgprof: usage: -plugin rkm-tcgprof.so,mark=ADDR,out=FILE\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
	qemu_plugin_register_atexit_cb(id, on_atexit, NULL);
	return 0;
}
