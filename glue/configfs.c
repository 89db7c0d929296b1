// SPDX-License-Identifier: GPL-2.0
/*
 * rkm glue: configfs subsystems, only in a module whose Rust object calls
 * rkm_cfs_* (kbuild/glue.mk defines RKM_GLUE_CONFIGFS then), since configfs
 * is a module, configfs.ko, on the stock kernels and every other module must
 * not depend on it.
 *
 * A subsystem (struct rkm_cfs_subsys) is named at run time; its root group
 * makes plain items (make_item) on mkdir; its attributes and its items' are
 * described by Rust tables and reach Rust through per-index trampolines
 * (configfs' show/store get no attribute pointer). configfs itself gives
 * the guarantees the Rust side relies on (6.1 and 6.12 alike): mkdir and
 * rmdir take a reference on the module (ct_owner) so the module cannot go
 * while items exist; an open attribute file holds one too (ca_owner);
 * show/store run under the fragment lock and never once rmdir (or
 * unregistration) set frag_dead; make_item/drop_item run under su_mutex.
 * Subsystem records (attribute tables included) are freed only at module
 * exit: open files of an unregistered subsystem still point at them.
 */
#ifdef RKM_GLUE_CONFIGFS
#include <linux/configfs.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>

#if !IS_ENABLED(CONFIG_CONFIGFS_FS)
#error "rkm: this driver uses configfs (rkm::configfs), which this kernel lacks: CONFIG_CONFIGFS_FS is not set"
#endif

/**
 * struct rkm_cfs_subsys - a registered configfs subsystem
 * @subsys: the kernel's; su_group is the root group
 * @root_type: the root group's type: make_item/drop_item, root attributes
 * @item_type: every item's type: release, item attributes
 * @gops, @iops: configfs operations of the two types
 * @root_attrs, @item_attrs: NULL-terminated pointer arrays into @attrs
 * @attrs: the configfs attributes, root ones first
 * @ops: the Rust callbacks; @state: their subsystem argument
 * @closed: set under su_mutex by rkm_cfs_unregister(): mkdir fails
 * @registered: configfs knows it (until unregistered)
 * @orphan: unregistration found items: the glue owns @state now
 * @node: in rkm_cfs_list until module exit
 */
struct rkm_cfs_subsys {
	struct configfs_subsystem subsys;
	struct config_item_type root_type;
	struct config_item_type item_type;
	struct configfs_group_operations gops;
	struct configfs_item_operations iops;
	struct configfs_attribute *root_attrs[RKM_CFS_MAX_ROOT_ATTRS + 1];
	struct configfs_attribute *item_attrs[RKM_CFS_MAX_ATTRS + 1];
	struct configfs_attribute attrs[RKM_CFS_MAX_ROOT_ATTRS + RKM_CFS_MAX_ATTRS];
	char names[RKM_CFS_MAX_ROOT_ATTRS + RKM_CFS_MAX_ATTRS][RKM_NAME_MAX];
	char name[RKM_NAME_MAX];
	const struct rkm_cfs_ops *ops;
	const void *state;
	bool closed;
	bool registered;
	bool deferred;	/* made during init: registered once init has succeeded */
	bool orphan;
	struct list_head node;
};

/* The subsystem's name, allocated by configfs if it did not fit its inline buffer. */
static void rkm_cfs_kfree(struct rkm_cfs_subsys *s)
{
	struct config_item *ci = &s->subsys.su_group.cg_item;

	if (ci->ci_name != ci->ci_namebuf)
		kfree(ci->ci_name);
	kfree(s);
}

/**
 * struct rkm_cfs_item - an item made by mkdir
 * @item: the kernel's
 * @s: its subsystem
 * @data: the Rust item, released with the last reference
 */
struct rkm_cfs_item {
	struct config_item item;
	struct rkm_cfs_subsys *s;
	void *data;
};

static LIST_HEAD(rkm_cfs_list);
static DEFINE_MUTEX(rkm_cfs_lock);
static bool rkm_cfs_exiting;

static struct rkm_cfs_item *rkm_cfs_item(struct config_item *item)
{
	return container_of(item, struct rkm_cfs_item, item);
}

static struct rkm_cfs_subsys *rkm_cfs_root(struct config_item *item)
{
	return container_of(to_configfs_subsystem(to_config_group(item)), struct rkm_cfs_subsys,
			    subsys);
}

/* The show result: a length within the page, or an errno; anything else is the crate's bug. */
static ssize_t rkm_cfs_shown(long r)
{
	if (WARN_ON_ONCE(r > RKM_CFS_SHOW_MAX))
		return -EIO;
	return r;
}

/* A store returns the count written, or an errno. */
static ssize_t rkm_cfs_stored(long r, size_t count)
{
	return r < 0 ? r : (ssize_t)count;
}

static ssize_t rkm_cfs_ishow(struct config_item *item, unsigned int idx, char *page)
{
	struct rkm_cfs_item *it = rkm_cfs_item(item);

	return rkm_cfs_shown(it->s->ops->show(it->data, idx, page));
}

static ssize_t rkm_cfs_istore(struct config_item *item, unsigned int idx, const char *page,
			      size_t count)
{
	struct rkm_cfs_item *it = rkm_cfs_item(item);

	return rkm_cfs_stored(it->s->ops->store(it->data, idx, page, count), count);
}

static ssize_t rkm_cfs_rshow(struct config_item *item, unsigned int idx, char *page)
{
	struct rkm_cfs_subsys *s = rkm_cfs_root(item);

	return rkm_cfs_shown(s->ops->root_show(s->state, idx, page));
}

static ssize_t rkm_cfs_rstore(struct config_item *item, unsigned int idx, const char *page,
			      size_t count)
{
	struct rkm_cfs_subsys *s = rkm_cfs_root(item);

	return rkm_cfs_stored(s->ops->root_store(s->state, idx, page, count), count);
}

/* Per-index trampolines: configfs passes no attribute to show/store. */
#define RKM_CFS_TRAMP(k, a, b)                                                                  \
	static ssize_t rkm_cfs_##k##show_##a##b(struct config_item *item, char *page)           \
	{                                                                                       \
		return rkm_cfs_##k##show(item, (a) * 8 + (b), page);                            \
	}                                                                                       \
	static ssize_t rkm_cfs_##k##store_##a##b(struct config_item *item, const char *page,    \
						 size_t count)                                  \
	{                                                                                       \
		return rkm_cfs_##k##store(item, (a) * 8 + (b), page, count);                    \
	}
#define RKM_CFS_TRAMP8(k, a)                                                                    \
	RKM_CFS_TRAMP(k, a, 0) RKM_CFS_TRAMP(k, a, 1) RKM_CFS_TRAMP(k, a, 2)                    \
	RKM_CFS_TRAMP(k, a, 3) RKM_CFS_TRAMP(k, a, 4) RKM_CFS_TRAMP(k, a, 5)                    \
	RKM_CFS_TRAMP(k, a, 6) RKM_CFS_TRAMP(k, a, 7)
#define RKM_CFS_FN(k, a, b) { rkm_cfs_##k##show_##a##b, rkm_cfs_##k##store_##a##b },
#define RKM_CFS_FN8(k, a)                                                                       \
	RKM_CFS_FN(k, a, 0) RKM_CFS_FN(k, a, 1) RKM_CFS_FN(k, a, 2) RKM_CFS_FN(k, a, 3)         \
	RKM_CFS_FN(k, a, 4) RKM_CFS_FN(k, a, 5) RKM_CFS_FN(k, a, 6) RKM_CFS_FN(k, a, 7)

struct rkm_cfs_fns {
	ssize_t (*show)(struct config_item *item, char *page);
	ssize_t (*store)(struct config_item *item, const char *page, size_t count);
};

RKM_CFS_TRAMP8(i, 0) RKM_CFS_TRAMP8(i, 1) RKM_CFS_TRAMP8(i, 2) RKM_CFS_TRAMP8(i, 3)
RKM_CFS_TRAMP8(i, 4) RKM_CFS_TRAMP8(i, 5) RKM_CFS_TRAMP8(i, 6) RKM_CFS_TRAMP8(i, 7)
RKM_CFS_TRAMP8(r, 0) RKM_CFS_TRAMP8(r, 1)

static const struct rkm_cfs_fns rkm_cfs_ifns[RKM_CFS_MAX_ATTRS] = {
	RKM_CFS_FN8(i, 0) RKM_CFS_FN8(i, 1) RKM_CFS_FN8(i, 2) RKM_CFS_FN8(i, 3)
	RKM_CFS_FN8(i, 4) RKM_CFS_FN8(i, 5) RKM_CFS_FN8(i, 6) RKM_CFS_FN8(i, 7)
};
static const struct rkm_cfs_fns rkm_cfs_rfns[RKM_CFS_MAX_ROOT_ATTRS] = {
	RKM_CFS_FN8(r, 0) RKM_CFS_FN8(r, 1)
};

static struct config_item *rkm_cfs_make_item(struct config_group *group, const char *name)
{
	struct rkm_cfs_subsys *s = rkm_cfs_root(&group->cg_item);
	struct rkm_cfs_item *it;
	int err = -ENOMEM;

	/* Under su_mutex, as rkm_cfs_unregister() sets it. */
	if (s->closed)
		return ERR_PTR(-ENODEV);
	it = rkm_kzalloc(sizeof(*it));
	if (!it)
		return ERR_PTR(-ENOMEM);
	config_item_init_type_name(&it->item, name, &s->item_type);
	/* Names longer than the inline buffer are allocated, silently failing. */
	if (!it->item.ci_name)
		goto fail;
	it->s = s;
	it->data = s->ops->make_item(s->state, name, strlen(name), &err);
	if (!it->data) {
		if (err >= 0 || err < -MAX_ERRNO)
			err = -EINVAL;
		goto fail;
	}
	return &it->item;
fail:
	if (it->item.ci_name != it->item.ci_namebuf)
		kfree(it->item.ci_name);
	kfree(it);
	return ERR_PTR(err);
}

static void rkm_cfs_drop_item(struct config_group *group, struct config_item *item)
{
	struct rkm_cfs_subsys *s = rkm_cfs_root(&group->cg_item);

	s->ops->drop_item(s->state, rkm_cfs_item(item)->data);
	config_item_put(item);
}

static void rkm_cfs_release(struct config_item *item)
{
	struct rkm_cfs_item *it = rkm_cfs_item(item);

	it->s->ops->release(it->data);
	kfree(it);
}

/* Fills @out from Rust's table: -EINVAL for a bad name or flags, or a name seen in @seen. */
static int rkm_cfs_attr_init(struct rkm_cfs_subsys *s, size_t slot, const struct rkm_cfs_attr *a,
			     const struct rkm_cfs_fns *fns, size_t first)
{
	struct configfs_attribute *ca = &s->attrs[slot];
	char *name = s->names[slot];
	size_t i;

	if (!a->name || !a->name_len || a->name_len >= RKM_NAME_MAX ||
	    memchr(a->name, '/', a->name_len) || memchr(a->name, 0, a->name_len) ||
	    !a->flags || (a->flags & ~(RKM_CFS_READ | RKM_CFS_WRITE)))
		return -EINVAL;
	memcpy(name, a->name, a->name_len);
	name[a->name_len] = 0;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EINVAL;
	for (i = first; i < slot; i++)
		if (!strcmp(s->names[i], name))
			return -EINVAL;
	ca->ca_name = name;
	ca->ca_owner = THIS_MODULE;
	ca->ca_mode = ((a->flags & RKM_CFS_READ) ? 0444 : 0) | ((a->flags & RKM_CFS_WRITE) ? 0200 : 0);
	if (a->flags & RKM_CFS_READ)
		ca->show = fns->show;
	if (a->flags & RKM_CFS_WRITE)
		ca->store = fns->store;
	return 0;
}

static bool rkm_cfs_name_ok(const char *name, size_t len)
{
	return len && len < RKM_NAME_MAX && !memchr(name, '/', len) && !memchr(name, 0, len) &&
	       !(len == 1 && name[0] == '.') && !(len == 2 && name[0] == '.' && name[1] == '.');
}

struct rkm_cfs_subsys *rkm_cfs_register(const char *name, size_t name_len,
					const struct rkm_cfs_attr *root_attrs, size_t nroot,
					const struct rkm_cfs_attr *item_attrs, size_t nitem,
					const struct rkm_cfs_ops *ops, const void *state, int *err)
{
	struct rkm_cfs_subsys *s;
	size_t i;

	if (!rkm_cfs_name_ok(name, name_len) || nroot > RKM_CFS_MAX_ROOT_ATTRS ||
	    nitem > RKM_CFS_MAX_ATTRS) {
		*err = -EINVAL;
		return NULL;
	}
	s = rkm_kzalloc(sizeof(*s));
	if (!s) {
		*err = -ENOMEM;
		return NULL;
	}
	memcpy(s->name, name, name_len);
	for (i = 0; i < nroot; i++) {
		*err = rkm_cfs_attr_init(s, i, &root_attrs[i], &rkm_cfs_rfns[i], 0);
		if (*err)
			goto free;
		s->root_attrs[i] = &s->attrs[i];
	}
	for (i = 0; i < nitem; i++) {
		*err = rkm_cfs_attr_init(s, nroot + i, &item_attrs[i], &rkm_cfs_ifns[i], nroot);
		if (*err)
			goto free;
		s->item_attrs[i] = &s->attrs[nroot + i];
	}
	s->ops = ops;
	s->state = state;
	s->gops.make_item = rkm_cfs_make_item;
	s->gops.drop_item = rkm_cfs_drop_item;
	s->iops.release = rkm_cfs_release;
	s->root_type.ct_owner = THIS_MODULE;
	s->root_type.ct_group_ops = &s->gops;
	s->root_type.ct_attrs = s->root_attrs;
	s->item_type.ct_owner = THIS_MODULE;
	s->item_type.ct_item_ops = &s->iops;
	s->item_type.ct_attrs = s->item_attrs;
	config_group_init_type_name(&s->subsys.su_group, s->name, &s->root_type);
	/* A name too long for the inline buffer is allocated, silently failing. */
	if (!s->subsys.su_group.cg_item.ci_name) {
		*err = -ENOMEM;
		goto free;
	}
	mutex_init(&s->subsys.su_mutex);

	mutex_lock(&rkm_cfs_lock);
	if (rkm_cfs_exiting) {
		mutex_unlock(&rkm_cfs_lock);
		*err = -ENODEV;
		goto free;
	}
	/*
	 * During the module's init nothing is shown yet: a mkdir or an open
	 * then would pin a module that a failing init frees anyway.
	 */
	if (!smp_load_acquire(&rkm_module_live)) {
		s->deferred = true;
		*err = 0;
	} else {
		*err = configfs_register_subsystem(&s->subsys);
		s->registered = !*err;
	}
	if (!*err)
		list_add(&s->node, &rkm_cfs_list);
	mutex_unlock(&rkm_cfs_lock);
	if (*err)
		goto free;
	return s;
free:
	rkm_cfs_kfree(s);
	return NULL;
}

/* The module's init succeeded: the subsystems it made appear. */
static void rkm_cfs_go_live(void)
{
	struct rkm_cfs_subsys *s;

	mutex_lock(&rkm_cfs_lock);
	list_for_each_entry(s, &rkm_cfs_list, node) {
		int err;

		if (!s->deferred)
			continue;
		s->deferred = false;
		err = configfs_register_subsystem(&s->subsys);
		s->registered = !err;
		if (err)
			pr_warn(KBUILD_MODNAME ": configfs subsystem %s not registered: %d\n", s->name,
				err);
	}
	mutex_unlock(&rkm_cfs_lock);
}

/* configfs_unregister_subsystem() if no item is left; true if done. */
static bool rkm_cfs_try_unregister(struct rkm_cfs_subsys *s)
{
	bool busy;

	/* Never shown (init failed, or registration did) or already gone. */
	s->deferred = false;
	if (!s->registered)
		return true;
	mutex_lock(&s->subsys.su_mutex);
	s->closed = true;
	busy = !list_empty(&s->subsys.su_group.cg_children);
	mutex_unlock(&s->subsys.su_mutex);
	if (busy)
		return false;
	configfs_unregister_subsystem(&s->subsys);
	s->registered = false;
	return true;
}

bool rkm_cfs_unregister(struct rkm_cfs_subsys *s)
{
	bool done;

	mutex_lock(&rkm_cfs_lock);
	done = rkm_cfs_try_unregister(s);
	if (!done)
		s->orphan = true;
	mutex_unlock(&rkm_cfs_lock);
	if (!done)
		pr_warn(KBUILD_MODNAME ": configfs subsystem %s dropped with items: kept until module exit\n",
			s->name);
	return done;
}

/*
 * Module exit: items hold module references, so none is left; unregister
 * what is still registered (leaked or orphaned), free every record.
 */
static void rkm_cfs_free(void)
{
	struct rkm_cfs_subsys *s, *tmp;

	mutex_lock(&rkm_cfs_lock);
	rkm_cfs_exiting = true;
	mutex_unlock(&rkm_cfs_lock);
	list_for_each_entry_safe(s, tmp, &rkm_cfs_list, node) {
		if (s->registered) {
			if (!s->orphan)
				pr_warn(KBUILD_MODNAME ": configfs subsystem %s leaked by the driver, unregistered at unload\n",
					s->name);
			if (WARN_ON(!rkm_cfs_try_unregister(s)))
				continue;
			if (s->orphan)
				s->ops->release_state((void *)s->state);
		}
		list_del(&s->node);
		rkm_cfs_kfree(s);
	}
}
#else
static inline void rkm_cfs_free(void)
{
}

static inline void rkm_cfs_go_live(void)
{
}
#endif /* RKM_GLUE_CONFIGFS */
