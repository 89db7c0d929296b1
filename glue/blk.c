// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: blk-mq disks (a tag set and a gendisk each), their requests,
 * and a sparse page store for memory-backed disks. Compiled only into a
 * module whose Rust object calls rkm_blk_* (kbuild/rkm.mk defines
 * RKM_GLUE_BLK then), so that modules without disks build on kernels
 * without CONFIG_BLOCK; a module with disks needs it.
 */
#ifdef RKM_GLUE_BLK
#if !IS_ENABLED(CONFIG_BLOCK)
#error "rkm: this driver registers block devices (rkm::block), but the kernel was built without CONFIG_BLOCK"
#endif
#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/highmem.h>
#include <linux/version.h>
#include <linux/xarray.h>

#include "rkm_abi.h"

static_assert(RKM_BLK_MAX_DEPTH == BLK_MQ_MAX_DEPTH);
static_assert(RKM_BLK_NAME_MAX == DISK_NAME_LEN - 1);

/**
 * struct rkm_blk_disk - a disk and its own tag set
 * @set: the tag set; its driver_data is this structure
 * @disk: the gendisk
 * @ops, @data: the Rust callbacks and their first argument
 * @node: in rkm_blk_disks, while added
 */
struct rkm_blk_disk {
	struct blk_mq_tag_set set;
	u32 submit_queues, poll_queues;	/* the default map's queues, then the poll map's */
	struct gendisk *disk;
	const struct rkm_blk_ops *ops;
	const void *data;
	struct list_head node;
};

/* Per request, in the request's PDU: the status rkm_blk_rq_complete() ends it with. */
struct rkm_blk_pdu {
	int err;
};

/* This module's disks, to refuse a duplicate name and sweep leaked ones at exit. */
static LIST_HEAD(rkm_blk_disks);
static DEFINE_MUTEX(rkm_blk_disks_lock);

/* A struct rkm_blk_request is the kernel's struct request: converted here only. */
static struct request *rkm_krq(struct rkm_blk_request *rq)
{
	return (struct request *)rq;
}

static u32 rkm_blk_op(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return RKM_BLK_OP_READ;
	case REQ_OP_WRITE:
		return RKM_BLK_OP_WRITE;
	case REQ_OP_FLUSH:
		return RKM_BLK_OP_FLUSH;
	case REQ_OP_DISCARD:
		return RKM_BLK_OP_DISCARD;
	case REQ_OP_WRITE_ZEROES:
		return RKM_BLK_OP_WRITE_ZEROES;
	default:
		return U32_MAX;
	}
}

static blk_status_t rkm_blk_queue_rq(struct blk_mq_hw_ctx *hctx, const struct blk_mq_queue_data *bd)
{
	struct rkm_blk_disk *d = hctx->queue->queuedata;
	struct request *rq = bd->rq;
	struct rkm_blk_rq_info info = {
		.op = rkm_blk_op(rq),
		.flags = rq->cmd_flags & REQ_FUA ? RKM_BLK_RQ_FUA : 0,
		.sector = blk_rq_pos(rq),
		.bytes = blk_rq_bytes(rq),
		.tag = hctx->queue_num * d->set.queue_depth + rq->tag,
	};

	/* The block layer only sends what the limits allow; anything else is refused. */
	if (info.op == U32_MAX)
		return BLK_STS_NOTSUPP;
	blk_mq_start_request(rq);
	d->ops->queue_rq(d->data, (struct rkm_blk_request *)rq, &info,
			 !!(hctx->flags & BLK_MQ_F_BLOCKING));
	return BLK_STS_OK;
}

static void rkm_blk_complete(struct request *rq)
{
	struct rkm_blk_pdu *pdu = blk_mq_rq_to_pdu(rq);

	blk_mq_end_request(rq, errno_to_blk_status(pdu->err));
}

/* Default queues first, then poll queues (as null_blk's null_map_queues()). */
static void rkm_blk_map_queues(struct blk_mq_tag_set *set)
{
	struct rkm_blk_disk *d = set->driver_data;
	unsigned int i, qoff = 0;

	for (i = 0; i < set->nr_maps; i++) {
		struct blk_mq_queue_map *map = &set->map[i];

		map->nr_queues = i == HCTX_TYPE_DEFAULT ? d->submit_queues :
				 i == HCTX_TYPE_POLL ? d->poll_queues : 0;
		if (!map->nr_queues)
			continue;
		map->queue_offset = qoff;
		qoff += map->nr_queues;
		blk_mq_map_queues(map);
	}
}

/* The driver ends polled requests itself (from queue_rq, or later): nothing to reap. */
static int rkm_blk_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	return 0;
}

static const struct blk_mq_ops rkm_blk_mq_ops = {
	.queue_rq = rkm_blk_queue_rq,
	.complete = rkm_blk_complete,
	.map_queues = rkm_blk_map_queues,
	.poll = rkm_blk_poll,
};

/*
 * A disk added by init can be opened before init returns; if init then
 * fails, the module is freed whatever is open (its .owner reference is
 * not waited for). So opens are refused until init has succeeded, as for
 * misc devices. The signature changed in v6.5 (d32e2bf83791 "block: pass a
 * gendisk to ->open").
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0)
static int rkm_blk_open(struct gendisk *disk, blk_mode_t mode)
#else
static int rkm_blk_open(struct block_device *bdev, fmode_t mode)
#endif
{
	return smp_load_acquire(&rkm_module_live) ? 0 : -ENXIO;
}

static const struct block_device_operations rkm_blk_fops = {
	.owner = THIS_MODULE,
	.open = rkm_blk_open,
};

static bool rkm_blk_size_ok(u32 bs)
{
	return bs >= SECTOR_SIZE && bs <= PAGE_SIZE && is_power_of_2(bs);
}

static bool rkm_blk_desc_ok(const struct rkm_blk_disk_desc *desc)
{
	if (!desc->name_len || desc->name_len > RKM_BLK_NAME_MAX ||
	    memchr(desc->name, '/', desc->name_len) || memchr(desc->name, 0, desc->name_len) ||
	    (desc->name_len <= 2 && !memcmp(desc->name, "..", desc->name_len)))
		return false;
	/* Byte positions (sector << 9) must fit a loff_t. */
	if (desc->capacity > (u64)S64_MAX >> SECTOR_SHIFT)
		return false;
	if (!rkm_blk_size_ok(desc->logical_block_size) ||
	    !rkm_blk_size_ok(desc->physical_block_size) ||
	    desc->physical_block_size < desc->logical_block_size)
		return false;
	if (!desc->nr_hw_queues || !desc->queue_depth || desc->queue_depth > RKM_BLK_MAX_DEPTH ||
	    (desc->flags & ~(RKM_BLK_ROTATIONAL | RKM_BLK_BLOCKING | RKM_BLK_WRITE_CACHE)))
		return false;
	return true;
}

static bool rkm_blk_name_taken(const char *name)
{
	struct rkm_blk_disk *d;

	list_for_each_entry(d, &rkm_blk_disks, node)
		if (!strcmp(d->disk->disk_name, name))
			return true;
	return false;
}

/*
 * Queue limits: given to blk_mq_alloc_disk() since v6.9 (27e32cd23fed
 * "block: pass a queue_limits argument to blk_mq_alloc_disk"; features such
 * as rotational and the write cache joined them in v6.11, 1122c0c1cc71
 * "block: move cache control settings out of queue->flags"), set on the
 * queue before.
 */
static struct gendisk *rkm_blk_alloc_disk(struct rkm_blk_disk *d,
					  const struct rkm_blk_disk_desc *desc)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	struct queue_limits lim = {
		.logical_block_size = desc->logical_block_size,
		.physical_block_size = desc->physical_block_size,
		.max_hw_discard_sectors = desc->max_discard_sectors,
		.max_write_zeroes_sectors = desc->max_write_zeroes_sectors,
	};

	if (desc->flags & RKM_BLK_ROTATIONAL)
		lim.features |= BLK_FEAT_ROTATIONAL;
	if (desc->flags & RKM_BLK_WRITE_CACHE)
		lim.features |= BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA;
	return blk_mq_alloc_disk(&d->set, &lim, d);
#else
	struct gendisk *disk = blk_mq_alloc_disk(&d->set, d);
	struct request_queue *q;

	if (IS_ERR(disk))
		return disk;
	q = disk->queue;
	blk_queue_logical_block_size(q, desc->logical_block_size);
	blk_queue_physical_block_size(q, desc->physical_block_size);
	/* Since v6.10 blk_validate_limits() defaults it to the physical block size. */
	q->limits.discard_granularity = desc->max_discard_sectors ? desc->physical_block_size : 0;
	blk_queue_max_discard_sectors(q, desc->max_discard_sectors);
	blk_queue_max_write_zeroes_sectors(q, desc->max_write_zeroes_sectors);
	if (!(desc->flags & RKM_BLK_ROTATIONAL))
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_write_cache(q, desc->flags & RKM_BLK_WRITE_CACHE, desc->flags & RKM_BLK_WRITE_CACHE);
	return disk;
#endif
}

struct rkm_blk_disk *rkm_blk_disk_add(const struct rkm_blk_disk_desc *desc,
				      const struct rkm_blk_ops *ops, const void *data, int *err)
{
	struct rkm_blk_disk *d;
	struct gendisk *disk;

	*err = -EINVAL;
	if (!ops->queue_rq || !rkm_blk_desc_ok(desc))
		return NULL;
	*err = -ENOMEM;
	d = rkm_kzalloc(sizeof(*d));
	if (!d)
		return NULL;
	d->ops = ops;
	d->data = data;
	d->set.ops = &rkm_blk_mq_ops;
	d->submit_queues = min_t(u32, desc->nr_hw_queues, nr_cpu_ids);
	d->poll_queues = min_t(u32, desc->poll_queues, nr_cpu_ids);
	d->set.nr_hw_queues = d->submit_queues + d->poll_queues;
	d->set.nr_maps = d->poll_queues ? HCTX_MAX_TYPES : 1;
	d->set.queue_depth = desc->queue_depth;
	d->set.numa_node = NUMA_NO_NODE;
	d->set.cmd_size = sizeof(struct rkm_blk_pdu);
	d->set.flags = BLK_MQ_F_SHOULD_MERGE;
	if (desc->flags & RKM_BLK_BLOCKING)
		d->set.flags |= BLK_MQ_F_BLOCKING;
	d->set.driver_data = d;
	*err = blk_mq_alloc_tag_set(&d->set);
	if (*err)
		goto out_free_d;
	disk = rkm_blk_alloc_disk(d, desc);
	if (IS_ERR(disk)) {
		*err = PTR_ERR(disk);
		goto out_free_tag_set;
	}
	d->disk = disk;
	memcpy(disk->disk_name, desc->name, desc->name_len);
	disk->disk_name[desc->name_len] = 0;
	disk->fops = &rkm_blk_fops;
	disk->private_data = d;
	/* No major of its own: a dynamic one (block extended), no partitions (as null_blk). */
	disk->flags |= GENHD_FL_NO_PART;
	set_capacity(disk, desc->capacity);

	/* Checked and added under our lock: this module's disks cannot race. */
	mutex_lock(&rkm_blk_disks_lock);
	*err = rkm_blk_name_taken(disk->disk_name) ? -EEXIST : add_disk(disk);
	if (*err) {
		mutex_unlock(&rkm_blk_disks_lock);
		goto out_put_disk;
	}
	list_add(&d->node, &rkm_blk_disks);
	mutex_unlock(&rkm_blk_disks_lock);
	return d;

out_put_disk:
	put_disk(disk);
out_free_tag_set:
	blk_mq_free_tag_set(&d->set);
out_free_d:
	kfree(d);
	return NULL;
}

static void rkm_blk_disk_free(struct rkm_blk_disk *d)
{
	/* Waits for the requests in flight (queue frozen); no queue_rq after it. */
	del_gendisk(d->disk);
	put_disk(d->disk);
	blk_mq_free_tag_set(&d->set);
	kfree(d);
}

void rkm_blk_disk_del(struct rkm_blk_disk *d)
{
	mutex_lock(&rkm_blk_disks_lock);
	list_del(&d->node);
	mutex_unlock(&rkm_blk_disks_lock);
	rkm_blk_disk_free(d);
}

RKM_LEAF uint32_t rkm_blk_disk_queues(struct rkm_blk_disk *d)
{
	return d->submit_queues;
}

/*
 * At module exit, after the driver's exit (or its failed init): a disk
 * whose Rust owner was leaked is still added. Its data was leaked too, so
 * queue_rq stays valid while the disk is removed here.
 */
static void rkm_blk_disks_free(void)
{
	struct rkm_blk_disk *d, *tmp;

	list_for_each_entry_safe(d, tmp, &rkm_blk_disks, node) {
		pr_warn(KBUILD_MODNAME ": disk %s leaked by the driver, removed at unload\n",
			d->disk->disk_name);
		list_del(&d->node);
		rkm_blk_disk_free(d);
	}
}

RKM_LEAF void rkm_blk_rq_end(struct rkm_blk_request *rq, int err)
{
	blk_mq_end_request(rkm_krq(rq), errno_to_blk_status(err));
}

RKM_LEAF void rkm_blk_rq_complete(struct rkm_blk_request *rq, int err)
{
	struct request *r = rkm_krq(rq);

	((struct rkm_blk_pdu *)blk_mq_rq_to_pdu(r))->err = err;
	blk_mq_complete_request(r);
}

RKM_LEAF int rkm_blk_rq_copy(struct rkm_blk_request *rq, uint64_t offset, void *buf, size_t len,
			     int to_rq)
{
	struct request *r = rkm_krq(rq);
	struct req_iterator iter;
	struct bio_vec bv;
	u64 pos = 0;
	char *p = buf;

	/*
	 * Data flows one way: into a read's pages, out of a write's. A write's
	 * pages may be shared (the zero page of a block-layer zero-out, page
	 * cache being written back) and a read's are not yet initialised.
	 */
	if (req_op(r) != (to_rq ? REQ_OP_READ : REQ_OP_WRITE))
		return -EINVAL;
	if (offset > blk_rq_bytes(r) || len > blk_rq_bytes(r) - offset)
		return -EINVAL;
	if (!len)
		return 0;
	/* Each segment is within one page: mapped one at a time (kmap_local). */
	rq_for_each_segment(bv, r, iter) {
		u64 end = pos + bv.bv_len;

		if (end > offset) {
			u32 skip = offset > pos ? offset - pos : 0;
			size_t n = min_t(u64, bv.bv_len - skip, len);
			/* A part of it: the iterator advances by bv.bv_len. */
			struct bio_vec part = bv;

			part.bv_offset += skip;
			part.bv_len = n;
			if (to_rq)
				memcpy_to_bvec(&part, p);
			else
				memcpy_from_bvec(p, &part);
			p += n;
			len -= n;
			offset += n;
			if (!len)
				break;
		}
		pos = end;
	}
	return 0;
}

/**
 * struct rkm_blk_store - pages indexed by byte position >> PAGE_SHIFT
 * @pages: the xarray; its lock (taken irqsave) also keeps a page from being
 *	freed by a discard while it is copied
 */
struct rkm_blk_store {
	struct xarray pages;
};

struct rkm_blk_store *rkm_blk_store_new(void)
{
	struct rkm_blk_store *s = rkm_kzalloc(sizeof(*s));

	if (s)
		xa_init(&s->pages);
	return s;
}

void rkm_blk_store_free(struct rkm_blk_store *s)
{
	struct page *page;
	unsigned long i;

	xa_for_each(&s->pages, i, page)
		__free_page(page);
	xa_destroy(&s->pages);
	kfree(s);
}

/* Copies @n bytes at byte @off of store page @idx into @bv's memory (zeroes for a hole). */
static void rkm_blk_store_read(struct rkm_blk_store *s, unsigned long idx, u32 off,
			       struct bio_vec *bv)
{
	unsigned long flags;
	struct page *page;

	xa_lock_irqsave(&s->pages, flags);
	page = xa_load(&s->pages, idx);
	if (page)
		memcpy_page(bv->bv_page, bv->bv_offset, page, off, bv->bv_len);
	else
		memzero_page(bv->bv_page, bv->bv_offset, bv->bv_len);
	xa_unlock_irqrestore(&s->pages, flags);
}

/* Copies @bv into store page @idx at @off, allocating the page if missing. */
static int rkm_blk_store_write(struct rkm_blk_store *s, unsigned long idx, u32 off,
			       struct bio_vec *bv, gfp_t gfp)
{
	struct page *page, *fresh = NULL;
	unsigned long flags;
	int err = 0;
	XA_STATE(xas, &s->pages, idx);

	for (;;) {
		/* Walked afresh under the lock each time: nodes may go meanwhile. */
		xas_reset(&xas);
		xas_lock_irqsave(&xas, flags);
		page = xas_load(&xas);
		if (!page && fresh) {
			xas_store(&xas, fresh);
			if (!xas_error(&xas)) {
				page = fresh;
				fresh = NULL;
			}
		}
		if (page)
			memcpy_page(page, off, bv->bv_page, bv->bv_offset, bv->bv_len);
		xas_unlock_irqrestore(&xas, flags);
		if (page)
			break;
		/* Outside the lock: a page, then (if storing it failed) xarray nodes. */
		if (!fresh) {
			fresh = rkm_fail_injected() ? NULL : alloc_page(gfp | __GFP_ZERO);
			if (!fresh)
				return -ENOSPC;
		} else if (!xas_nomem(&xas, gfp)) {
			err = -ENOSPC;
			break;
		}
	}
	if (fresh)
		__free_page(fresh);
	/* Without an error, frees a node xas_nomem() allocated but the store did not use. */
	if (!err)
		xas_nomem(&xas, gfp);
	return err;
}

RKM_LEAF int rkm_blk_store_rw(struct rkm_blk_store *s, struct rkm_blk_request *rq, int may_sleep)
{
	/*
	 * No reclaim that would issue I/O (GFP_NOIO), and none at all in atomic
	 * context: a blocking queue_rq may still hold a spinlock of its own.
	 */
	gfp_t gfp = (may_sleep && preemptible() ? GFP_NOIO : GFP_NOWAIT) | __GFP_NOWARN;
	struct request *r = rkm_krq(rq);
	bool write = req_op(r) == REQ_OP_WRITE;
	u64 pos = blk_rq_pos(r) << SECTOR_SHIFT;
	struct req_iterator iter;
	struct bio_vec bv;
	int err;

	if (!write && req_op(r) != REQ_OP_READ)
		return -EINVAL;
	rq_for_each_segment(bv, r, iter) {
		/* Within one page; it may span two store pages. bv itself stays: the iterator advances by it. */
		u32 done = 0;

		while (done < bv.bv_len) {
			u32 off = offset_in_page(pos);
			struct bio_vec part = bv;

			part.bv_offset += done;
			part.bv_len = min_t(u32, bv.bv_len - done, PAGE_SIZE - off);
			if (write) {
				err = rkm_blk_store_write(s, pos >> PAGE_SHIFT, off, &part, gfp);
				if (err)
					return err;
			} else {
				rkm_blk_store_read(s, pos >> PAGE_SHIFT, off, &part);
			}
			pos += part.bv_len;
			done += part.bv_len;
		}
	}
	return 0;
}

/* Zeroes @n bytes at @off of store page @idx, if it has one. */
static void rkm_blk_store_zero(struct rkm_blk_store *s, unsigned long idx, u32 off, u32 n)
{
	unsigned long flags;
	struct page *page;

	xa_lock_irqsave(&s->pages, flags);
	page = xa_load(&s->pages, idx);
	if (page)
		memzero_page(page, off, n);
	xa_unlock_irqrestore(&s->pages, flags);
}

/* Frees the store pages @first to @last: only those present are visited. */
static void rkm_blk_store_erase(struct rkm_blk_store *s, unsigned long first, unsigned long last)
{
	XA_STATE(xas, &s->pages, first);
	unsigned long flags;
	unsigned int batch = 0;
	struct page *page;

	xas_lock_irqsave(&xas, flags);
	xas_for_each(&xas, page, last) {
		xas_store(&xas, NULL);
		__free_page(page);
		/* Interrupts back on now and then during a long discard. */
		if (!(++batch % 64)) {
			xas_pause(&xas);
			xas_unlock_irqrestore(&xas, flags);
			xas_lock_irqsave(&xas, flags);
		}
	}
	xas_unlock_irqrestore(&xas, flags);
}

RKM_LEAF void rkm_blk_store_discard(struct rkm_blk_store *s, uint64_t pos, uint64_t len)
{
	/* No byte of a disk lies past S64_MAX (its capacity is checked): nothing to do there. */
	const u64 max = (u64)S64_MAX;
	u64 end, first, last;

	if (!len || pos >= max)
		return;
	end = len > max - pos ? max : pos + len;
	first = round_up(pos, PAGE_SIZE);
	last = round_down(end, PAGE_SIZE);
	if (first >= last) {
		/* Within one page, or across one page boundary without a whole page. */
		if (offset_in_page(pos) + len <= PAGE_SIZE) {
			rkm_blk_store_zero(s, pos >> PAGE_SHIFT, offset_in_page(pos), len);
			return;
		}
		first = last = round_down(end, PAGE_SIZE);
	}
	if (pos < first)
		rkm_blk_store_zero(s, pos >> PAGE_SHIFT, offset_in_page(pos), first - pos);
	if (first < last)
		rkm_blk_store_erase(s, first >> PAGE_SHIFT, (last >> PAGE_SHIFT) - 1);
	if (last < end)
		rkm_blk_store_zero(s, last >> PAGE_SHIFT, 0, end - last);
}

RKM_LEAF uint64_t rkm_blk_store_pages(struct rkm_blk_store *s)
{
	struct page *page;
	unsigned long i;
	u64 n = 0;

	rcu_read_lock();
	xa_for_each(&s->pages, i, page)
		n++;
	rcu_read_unlock();
	return n;
}
#else
static void rkm_blk_disks_free(void)
{
}
#endif /* RKM_GLUE_BLK */
