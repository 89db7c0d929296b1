// SPDX-License-Identifier: GPL-2.0
/*
 * rust_vectors test: vectors.h, run against rust_vectors and its C twin
 * c_vectors on QEMU's e1000e (the manifest's qemu line). Each cause set in
 * ICS must reach its vector's handler and no other: at least two distinct
 * MSI-X vectors fire (QEMU's e1000e may send a message more than once per
 * ICS write, so counts are checked as at least one per write). Both twins' transcripts must be identical.
 */
#include "ktest.h"


#include "vectors.h"

static const char *const twins[] = { "rust_vectors", "c_vectors", NULL };

static char bdf[64];
static char sysdir[128];

static ssize_t attr_read(const char *name, char *buf, size_t len)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	return read_file(path, buf, len);
}

static int attr_write(const char *name, const char *text)
{
	char path[192];

	snprintf(path, sizeof(path), "%s/%s", sysdir, name);
	return write_file(path, text);
}

/* The first e1000e in dir (the bus's devices, or a driver's): its address, or false. */
static bool find_nic(const char *dir, char *out, size_t len)
{
	return ktest_pci_find(dir, VECTORS_VENDOR, VECTORS_DEVICE, out, len);
}

/* The per-vector counts; how many vectors. */
static int counts(long long *c, int max)
{
	char buf[256], *p = buf, *end;
	int n = 0;

	if (attr_read("vectors_counts", buf, sizeof(buf)) <= 0)
		return -1;
	while (n < max) {
		long long v = strtoll(p, &end, 10);

		if (end == p)
			break;
		c[n++] = v;
		p = end;
	}
	return n;
}

/* Waits up to 2 s for vector @v's count to reach @want. */
static bool wait_count(int v, long long want)
{
	long long c[8], t0 = ktest_ms();

	while (ktest_ms() - t0 < 2000) {
		if (counts(c, 8) > v && c[v] >= want)
			return true;
		usleep(1000);
	}
	return false;
}

static void vectors(void)
{
	char info[64], label[64];
	long long before[8], after[8];
	int n, cause, k, fired = 0;

	TR_CALL(7, attr_read("vectors_info", info, sizeof(info)));
	tr_printf("vectors_info: %s", info);
	TR_EXPECT(!strcmp(info, "msix 4\n"));
	n = counts(before, 8);
	tr_printf("vectors: %d", n);
	TR_EXPECT(n == 4);
	if (n < 2)
		return;
	/* Each cause, three times: its vector's count grows, the others' do not. */
	for (cause = 0; cause < VECTORS_CAUSES; cause++) {
		int v = cause % n;

		ASSERT_TRUE(counts(before, 8) == n);
		for (k = 1; k <= 3; k++) {
			snprintf(label, sizeof(label), "fire cause %d (%d)", cause, k);
			snprintf(info, sizeof(info), "%d\n", cause);
			TR_CALL_AS(0, label, attr_write("vectors_fire", info));
			snprintf(label, sizeof(label), "vector %d counted %d", v, k);
			TR_CALL_AS(1, label, wait_count(v, before[v] + k));
		}
		usleep(20000);
		ASSERT_TRUE(counts(after, 8) == n);
		/* QEMU's e1000e may send a message more than once per ICS write: at least 3. */
		for (k = 0; k < n; k++)
			tr_printf("cause %d: vector %d %s", cause, k,
				  after[k] - before[k] >= 3 ? "fired" :
				  after[k] == before[k] ? "quiet" : "fired fewer times");
		fired += after[v] - before[v] >= 3;
		TR_EXPECT(after[v] - before[v] >= 3);
		for (k = 0; k < n; k++)
			TR_EXPECT(k == v || after[k] == before[k]);
	}
	tr_printf("vectors that fired as routed: %d", fired);
	TR_EXPECT(fired >= 2);
	printf("# %s: %d MSI-X vectors fired, each for its own cause\n", ktest_twin, fired);
	/* Bad input. */
	TR_CALL(-EINVAL, attr_write("vectors_fire", "4"));
	TR_CALL(-EINVAL, attr_write("vectors_fire", "-1"));
	TR_CALL(-EINVAL, attr_write("vectors_fire", "00"));
	TR_CALL(-EINVAL, attr_write("vectors_fire", "x"));
	TR_CALL(-EINVAL, attr_write("vectors_fire", "1\n\n"));
	TR_CALL(-EACCES, attr_write("vectors_counts", "0"));
}

/* Unbind frees every vector (then bind allocates them again and they still fire). */
static void rebind(void)
{
	char path[192], info[64];
	int k;

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", ktest_twin);
	for (k = 0; k < 3; k++) {
		TR_CALL(0, write_file(path, bdf));
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/bind", ktest_twin);
		TR_CALL(0, write_file(path, bdf));
		snprintf(path, sizeof(path), "/sys/bus/pci/drivers/%s/unbind", ktest_twin);
		TR_CALL(7, attr_read("vectors_info", info, sizeof(info)));
		TR_CALL(0, attr_write("vectors_fire", "1"));
		TR_CALL(1, wait_count(1, 1));
	}
}

static void (*scenario_fn)(void);

static void on_bound_device(void)
{
	char drv[128];

	snprintf(drv, sizeof(drv), "/sys/bus/pci/drivers/%s", ktest_twin);
	ASSERT_TRUE(find_nic(drv, bdf, sizeof(bdf)));
	snprintf(sysdir, sizeof(sysdir), "/sys/bus/pci/devices/%s", bdf);
	scenario_fn();
}

#define VECTORS_TEST(name, scenario)					\
	TEST(name)							\
	{								\
		if (!find_nic("/sys/bus/pci/devices", bdf, sizeof(bdf)))	\
			SKIP("no e1000e (8086:10d3): QEMU runs without -device e1000e"); \
		scenario_fn = scenario;					\
		ktest_twins(twins, on_bound_device);			\
	}

VECTORS_TEST(each_cause_fires_its_own_msix_vector, vectors)
VECTORS_TEST(unbind_frees_and_bind_reallocates_vectors, rebind)

int main(void)
{
	return ktest_run();
}
