// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: DMA for a bound device of any bus, on the binding's struct
 * device (device.c): its DMA mask, coherent buffers, streaming buffers
 * (dma_map_single()) and scatter-gather buffers (dma_map_sgtable()).
 *
 * A buffer Rust drops while the device could still reach it (coherent, or
 * streaming and mapped once) is not freed but put on the binding's
 * dmas_deferred; the device core frees those (rkm_dmas_release()) once the
 * binding's bus hook quiesce (struct rkm_bus_hooks) said the device can no
 * longer master the bus, and from then on frees at once. Nothing here
 * knows the bus: PCI's quiesce clears bus mastering, a bus without DMA of
 * its own has nothing to stop.
 */
#ifdef RKM_GLUE_DEVICE
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>

#include "rkm_abi.h"

int rkm_binding_dma_mask(struct rkm_binding *b, unsigned int bits)
{
	if (bits < 12 || bits > 64)
		return -EINVAL;
	return dma_set_mask_and_coherent(b->dev, DMA_BIT_MASK(bits));
}

/**
 * struct rkm_dma - a coherent buffer, owned by a Rust CoherentBuffer, or a
 * streaming one (rkm_stream_* and rkm_sg_* below), owned by a Rust
 * StreamBuffer or SgBuffer
 * @node: in the binding's dmas_deferred once Rust dropped it early
 * @b: the binding (referenced)
 * @size: its size
 * @cpu: the CPU address
 * @addr: the device address (a streaming buffer's while @mapped)
 * @stream: a kmalloc()ed buffer mapped with dma_map_single(), not coherent
 * @sg: (streaming) @nchunks kmalloc()ed @chunks in @sgt, mapped with
 *      dma_map_sgtable() instead (@size is their total, @cpu unused)
 * @mapped: (streaming) mapped for the device in direction @dir
 * @was_mapped: (streaming) the device was given it once: freed as a coherent one
 * @dir: (streaming) the direction of the mapping
 */
struct rkm_dma {
	struct list_head node;
	struct rkm_binding *b;
	size_t size;
	void *cpu;
	dma_addr_t addr;
	bool stream;
	bool sg;
	bool mapped;
	bool was_mapped;
	enum dma_data_direction dir;
	struct sg_table sgt;
	void **chunks;
	size_t nchunks;
};

static void rkm_sg_release(struct rkm_dma *m);

struct rkm_dma *rkm_dma_alloc(struct rkm_binding *b, size_t size, void **cpu, uint64_t *addr)
{
	struct rkm_dma *m;

	/* A device without a DMA mask: dma_alloc_coherent() would warn. */
	if (!size || !b->dev->coherent_dma_mask)
		return NULL;
	m = rkm_kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	/* The buffer itself is an allocation site of rkm_fail_nth too. */
	m->cpu = rkm_fail_injected() ? NULL :
		 dma_alloc_coherent(b->dev, size, &m->addr, GFP_KERNEL);
	if (!m->cpu) {
		kfree(m);
		return NULL;
	}
	kref_get(&b->ref);
	m->b = b;
	m->size = size;
	*cpu = m->cpu;
	*addr = m->addr;
	return m;
}

static void rkm_dma_release(struct rkm_dma *m)
{
	struct rkm_binding *b = m->b;

	if (m->stream)
		rkm_stream_unmap(m);	/* either kind, if mapped */
	if (m->sg) {
		rkm_sg_release(m);
	} else if (m->stream) {
		kfree(m->cpu);
	} else {
		dma_free_coherent(b->dev, m->size, m->cpu, m->addr);
	}
	kfree(m);
	rkm_binding_put(b);
}

/*
 * The device may have been given the buffer's address: until bus mastering
 * is off for good (unbind), it could still write there. Keep it until then.
 */
void rkm_dma_free(struct rkm_dma *m)
{
	struct rkm_binding *b = m->b;

	mutex_lock(&b->res_lock);
	/* A streaming buffer the device was never given is freed at once. */
	if (!b->quiesced && (!m->stream || m->was_mapped)) {
		list_add(&m->node, &b->dmas_deferred);
		mutex_unlock(&b->res_lock);
		return;
	}
	mutex_unlock(&b->res_lock);
	rkm_dma_release(m);
}

/*
 * From the device core's quiesce (device.c), once the bus said the device
 * can no longer master the bus: the buffers dropped before, unlinked from
 * the binding's dmas_deferred.
 */
static void rkm_dmas_release(struct list_head *deferred)
{
	struct rkm_dma *m, *tmp;

	list_for_each_entry_safe(m, tmp, deferred, node)
		rkm_dma_release(m);
}

/*
 * Streaming DMA: a kmalloc()ed buffer in a struct rkm_dma with
 * @stream set, mapped and unmapped with dma_map_single() as its owner hands
 * it to the device and takes it back; rkm_dma_free() frees it, deferred
 * until bus mastering is off if the device was ever given it.
 */
struct rkm_dma *rkm_stream_alloc(struct rkm_binding *b, size_t size, void **cpu)
{
	struct rkm_dma *m;

	if (!size)
		return NULL;
	m = rkm_kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	/*
	 * Where the device can reach it without bouncing: a mask under 32
	 * bits (a 28-bit DMA engine, say) needs ZONE_DMA; swiotlb, which bounces for
	 * 32-bit masks, is not set up on machines whose memory it can reach.
	 */
	m->cpu = rkm_fail_injected() ? NULL :
		 kzalloc(size, GFP_KERNEL | __GFP_NOWARN |
			 (dma_get_mask(b->dev) < DMA_BIT_MASK(32) ? GFP_DMA : 0));
	if (!m->cpu) {
		kfree(m);
		return NULL;
	}
	kref_get(&b->ref);
	m->b = b;
	m->size = size;
	m->stream = true;
	*cpu = m->cpu;
	return m;
}

/* RKM_DMA_* to the kernel's direction: 0, or -EINVAL for another value. */
static int rkm_dma_dir(int dir, enum dma_data_direction *d)
{
	switch (dir) {
	case RKM_DMA_BIDIRECTIONAL:
		*d = DMA_BIDIRECTIONAL;
		return 0;
	case RKM_DMA_TO_DEVICE:
		*d = DMA_TO_DEVICE;
		return 0;
	case RKM_DMA_FROM_DEVICE:
		*d = DMA_FROM_DEVICE;
		return 0;
	}
	return -EINVAL;
}

/*
 * A buffer kept past unbind: the device is no longer ours to program. Read
 * without res_lock so that mapping never sleeps: one that races the quiesce
 * is mapped after bus mastering went off, and freed (unmapped) at once when
 * dropped, since quiesced is set by then.
 */
static bool rkm_stream_gone(struct rkm_dma *m)
{
	return READ_ONCE(m->b->quiesced);
}

int rkm_stream_map(struct rkm_dma *m, int dir, uint64_t *addr)
{
	struct device *dev = m->b->dev;
	enum dma_data_direction d;
	dma_addr_t a;

	if (rkm_dma_dir(dir, &d))
		return -EINVAL;
	if (!m->stream || m->sg || m->mapped)
		return -EBUSY;
	if (rkm_stream_gone(m))
		return -ENODEV;
	a = dma_map_single(dev, m->cpu, m->size, d);
	if (dma_mapping_error(dev, a))
		return -ENOMEM;
	m->addr = a;
	m->dir = d;
	m->mapped = true;
	m->was_mapped = true;
	*addr = a;
	return 0;
}

RKM_LEAF void rkm_stream_unmap(struct rkm_dma *m)
{
	if (!m->mapped)
		return;
	if (m->sg)
		dma_unmap_sgtable(m->b->dev, &m->sgt, m->dir, 0);
	else
		dma_unmap_single(m->b->dev, m->addr, m->size, m->dir);
	m->mapped = false;
}

RKM_LEAF void rkm_stream_sync_for_cpu(struct rkm_dma *m)
{
	if (!m->mapped)
		return;
	if (m->sg)
		dma_sync_sgtable_for_cpu(m->b->dev, &m->sgt, m->dir);
	else
		dma_sync_single_for_cpu(m->b->dev, m->addr, m->size, m->dir);
}

RKM_LEAF void rkm_stream_sync_for_device(struct rkm_dma *m)
{
	if (!m->mapped)
		return;
	if (m->sg)
		dma_sync_sgtable_for_device(m->b->dev, &m->sgt, m->dir);
	else
		dma_sync_single_for_device(m->b->dev, m->addr, m->size, m->dir);
}

/*
 * Scatter-gather streaming DMA: a struct rkm_dma with @sg set whose memory is
 * @nchunks separate kmalloc()ed chunks, described by an sg_table and mapped
 * with dma_map_sgtable(); unmapped, synced and freed like a single buffer.
 * @chunks keeps each chunk's address for the CPU's copies (O(1), where the
 * table would need a walk).
 */
/* Frees the chunks and the table of an unmapped scatter-gather buffer. */
static void rkm_sg_release(struct rkm_dma *m)
{
	size_t i;

	for (i = 0; i < m->nchunks; i++)
		kfree(m->chunks[i]);
	kvfree(m->chunks);
	sg_free_table(&m->sgt);
}

struct rkm_dma *rkm_sg_alloc(struct rkm_binding *b, size_t size, size_t chunk, int *err)
{
	gfp_t gfp = GFP_KERNEL | __GFP_NOWARN |
		    (dma_get_mask(b->dev) < DMA_BIT_MASK(32) ? GFP_DMA : 0);
	struct scatterlist *sg;
	struct rkm_dma *m;
	size_t n, i;

	*err = -EINVAL;
	if (!size || !chunk)
		return NULL;
	n = size / chunk + !!(size % chunk);
	if (n > RKM_SG_MAX_CHUNKS)
		return NULL;
	*err = -ENOMEM;
	/* More than kmalloc() can give in one piece. */
	if (min(chunk, size) > KMALLOC_MAX_SIZE)
		return NULL;
	m = rkm_kzalloc(sizeof(*m));
	if (!m)
		return NULL;
	m->chunks = kvcalloc(n, sizeof(*m->chunks), GFP_KERNEL);
	if (!m->chunks || rkm_fail_injected() || sg_alloc_table(&m->sgt, n, GFP_KERNEL)) {
		kvfree(m->chunks);
		kfree(m);
		return NULL;
	}
	m->b = b;
	for_each_sg(m->sgt.sgl, sg, n, i) {
		size_t len = min(chunk, size - i * chunk);

		m->chunks[i] = rkm_fail_injected() ? NULL : kzalloc(len, gfp);
		if (!m->chunks[i]) {
			rkm_sg_release(m);
			kfree(m);
			return NULL;
		}
		m->nchunks = i + 1;
		sg_set_buf(sg, m->chunks[i], len);
	}
	kref_get(&b->ref);
	m->size = size;
	m->stream = true;
	m->sg = true;
	*err = 0;
	return m;
}

RKM_LEAF void *rkm_sg_chunk(struct rkm_dma *m, size_t i)
{
	return i < m->nchunks ? m->chunks[i] : NULL;
}

int rkm_sg_map(struct rkm_dma *m, int dir, size_t *nsegs)
{
	enum dma_data_direction d;

	if (rkm_dma_dir(dir, &d))
		return -EINVAL;
	if (!m->sg || m->mapped)
		return -EBUSY;
	if (rkm_stream_gone(m))
		return -ENODEV;
	/* -EINVAL, -ENOMEM or -EIO: none is the caller's doing but ENOMEM's kind. */
	if (dma_map_sgtable(m->b->dev, &m->sgt, d, 0))
		return -ENOMEM;
	m->dir = d;
	m->mapped = true;
	m->was_mapped = true;
	*nsegs = m->sgt.nents;
	return 0;
}

RKM_LEAF const struct rkm_sg_seg *rkm_sg_seg(struct rkm_dma *m, const struct rkm_sg_seg *prev,
					     size_t i, uint64_t *addr, size_t *len)
{
	struct scatterlist *sg;

	if (!m->mapped || i >= m->sgt.nents)
		return NULL;
	sg = prev ? sg_next((struct scatterlist *)prev) : m->sgt.sgl;
	*addr = sg_dma_address(sg);
	*len = sg_dma_len(sg);
	return (const struct rkm_sg_seg *)sg;
}
#endif /* RKM_GLUE_DEVICE */
