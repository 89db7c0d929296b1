/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ticker.h - the interface of rust_ticker and its C twin c_ticker: kernel
 * services working together.
 *
 * On load: an hrtimer fires every 1 ms and counts; a delayed work item runs
 * every period_ms (default 10) in process context, counts and wakes a
 * kernel thread named after the module; the thread counts its wakeups and,
 * while "fill" is on, appends one digit ('0' + wakeups % 10) per wakeup to a
 * 256-byte ring.
 *
 * debugfs, /sys/kernel/debug/NAME/ (absent if the kernel has no debugfs:
 * the module loads anyway):
 *   hrtimer_ticks, work_runs, thread_wakes, ring_len   0444, "%llu\n"
 *   period_ms   0644, "%u\n"; write 1..1000 in decimal (a trailing newline
 *               allowed): anything else EINVAL; more than 16 bytes EINVAL
 *   fill        0644, "0\n" or "1\n"; write "0" or "1" (newline allowed)
 * /dev/NAME (misc, 0600):
 *   read   moves up to len bytes out of the ring: the count, 0 for len 0,
 *          EAGAIN if the ring is empty, EFAULT on a bad buffer (nothing lost)
 *   write  appends up to len bytes: the count (short when nearly full),
 *          0 for len 0, EAGAIN if full, EFAULT on a bad buffer
 * rmmod stops the timer, the work and the thread; it is refused
 * (EWOULDBLOCK) while a debugfs file or the device is open.
 */
#ifndef TICKER_H
#define TICKER_H
#define TICKER_RING_SIZE 256
#define TICKER_PERIOD_MAX 1000
#define TICKER_WRITE_MAX 16
#endif
