/* libFuzzer: the virtual PLIC (hv/vdev/vplic.c) under any sequence of
 * guest register accesses and interrupt lines, against a model written
 * from the PLIC specification 1.0.0: per source a priority (7 levels, as
 * QEMU virt's) and a claimed flag, per context an enable word and a
 * threshold, level-triggered gateways (§4: pending while the line is high
 * and the source not claimed), claim (§7: the highest-priority pending
 * enabled source above the threshold, ties to the lowest id; it stops
 * being pending), completion (§8: ignored unless the source is enabled for
 * that context), and every other offset reading 0 and ignoring writes.
 * Every read is compared with the model; a claim must return 0 or a source
 * that was pending, enabled and above the threshold; vplic_pending and
 * vplic_eip must agree with the model after every step.
 *
 * Input: u8 sources (vplic_init clamps past 31), u8 contexts (past 8),
 * u8 bit 0: no line callback; then operations, u8 op % 6: 0 write and 1
 * read a register picked by u8 kind (priority, pending, enable,
 * threshold, claim) and u8 index, 2 any access (u32 offset, u8 width,
 * value, u8 read/write), 3 lines = u32, 4 a claim and its completion on
 * context u8, 5 the same as 1. A value is u8 k: k & 0x3f below 0xc0, else
 * a u32. */
#include <string.h>

#include <hv/vdev/vplic.h>

#include "fuzz_input.h"

struct model {
	uint32_t nsrc, nctx;
	uint32_t prio[32], claimed[32];
	uint32_t en[8], thr[8];
	uint32_t lines;
	int no_lines;
};
static struct model mo;
static uint32_t lines;

static uint32_t levels(void *ctx)
{
	return *(uint32_t *)ctx;
}

static int m_pending(uint32_t s)
{
	return !mo.no_lines && s >= 1 && s <= mo.nsrc && (mo.lines >> s & 1) && !mo.claimed[s];
}

static uint32_t m_pending_word(void)
{
	uint32_t w = 0;
	for (uint32_t s = 1; s <= mo.nsrc; s++)
		if (m_pending(s))
			w |= 1u << s;
	return w;
}

static uint32_t m_best(uint32_t c)
{
	uint32_t id = 0;
	for (uint32_t s = 1; s <= mo.nsrc; s++)
		if (m_pending(s) && (mo.en[c] >> s & 1) && mo.prio[s] > mo.thr[c] &&
		    (!id || mo.prio[s] > mo.prio[id]))
			id = s;
	return id;
}

/* what a 32-bit aligned access at off does, as the spec's map says */
static uint32_t m_access(uint64_t off, int write, uint32_t val)
{
	if (off < 0x1000) {
		uint64_t s = off / 4;
		if (s < 1 || s > mo.nsrc)
			return 0;
		if (write)
			mo.prio[s] = val & 7;
		return mo.prio[s];
	}
	if (off == 0x1000)
		return write ? 0 : m_pending_word();
	if (off >= 0x2000 && off < 0x200000) {
		uint64_t c = (off - 0x2000) / 0x80;
		if (c >= mo.nctx || (off - 0x2000) % 0x80)
			return 0;
		if (write)
			mo.en[c] = val & ((uint32_t)((2ULL << mo.nsrc) - 1) & ~1u);
		return mo.en[c];
	}
	if (off >= 0x200000) {
		uint64_t c = (off - 0x200000) / 0x1000, r = (off - 0x200000) % 0x1000;
		if (c >= mo.nctx)
			return 0;
		if (r == 0) {
			if (write)
				mo.thr[c] = val & 7;
			return mo.thr[c];
		}
		if (r == 4 && write) {
			if (val >= 1 && val <= mo.nsrc && (mo.en[c] >> val & 1))
				mo.claimed[val] = 0;
			return 0;
		}
		if (r == 4) {
			uint32_t id = m_best((uint32_t)c);
			if (id)
				mo.claimed[id] = 1;
			return id;
		}
	}
	return 0;
}

static void guest_access(struct vplic *p, uint64_t off, unsigned width, int write, uint32_t val)
{
	int plain = width == 4 && !(off & 3);
	if (write) {
		vplic_write(p, off, width, val);
		if (plain)
			m_access(off, 1, val);
		return;
	}
	/* a claim's guarantee, checked before the model moves */
	uint64_t c = (off - 0x200000) / 0x1000;
	int claim = plain && off >= 0x200000 && (off - 0x200000) % 0x1000 == 4 && c < mo.nctx;
	uint32_t pend = m_pending_word();
	uint32_t got = vplic_read(p, off, width);
	uint32_t want = plain ? m_access(off, 0, 0) : 0;
	if (claim)
		FZ_CHECK(got == 0 || (got <= mo.nsrc && (pend >> got & 1) &&
				      (mo.en[c] >> got & 1) && mo.prio[got] > mo.thr[c]),
			 "context %llu claimed %u: not a pending enabled source above the "
			 "threshold",
			 (unsigned long long)c, got);
	FZ_CHECK(got == want, "read 0x%llx width %u: 0x%x, want 0x%x", (unsigned long long)off,
		 width, got, want);
}

/* a register of the map, or one just beside it */
static uint64_t pick(struct fz *f)
{
	uint8_t kind = fz_u8(f), i = fz_u8(f);
	switch (kind % 6) {
	case 0:
		return 4ULL * (i % 40);
	case 1:
		return 0x1000 + 4ULL * (i % 4);
	case 2:
		return 0x2000 + 0x80ULL * (i % 10) + 4ULL * (i >> 6);
	case 3:
		return 0x200000 + 0x1000ULL * (i % 10);
	case 4:
		return 0x200004 + 0x1000ULL * (i % 10);
	}
	return 0x200000 + 0x1000ULL * (i % 10) + 4ULL * (i >> 4);
}

static void check_eip(const struct vplic *p, uint32_t c)
{
	FZ_CHECK(vplic_eip(p, c) == (c < mo.nctx && m_best(c) != 0), "context %u: eip %d", c,
		 vplic_eip(p, c));
}

/* a value to write: mostly small (priorities, source ids, thresholds) */
static uint32_t value(struct fz *f)
{
	uint8_t k = fz_u8(f);
	return k < 0xc0 ? k & 0x3f : fz_u32(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vplic p;
	struct fz f = {data, size};
	uint32_t nsrc = fz_u8(&f), nctx = fz_u8(&f);
	memset(&mo, 0, sizeof(mo));
	mo.no_lines = fz_u8(&f) & 1;
	mo.nsrc = nsrc > VPLIC_MAX_SRC ? VPLIC_MAX_SRC : nsrc;
	mo.nctx = nctx > VPLIC_MAX_CTX ? VPLIC_MAX_CTX : nctx;
	lines = 0;
	vplic_init(&p, nsrc, nctx, mo.no_lines ? 0 : levels, &lines);
	for (int k = 0; k < 256 && fz_left(&f); k++) {
		uint8_t op = fz_u8(&f) % 6;
		if (op == 0) {
			uint64_t off = pick(&f);
			guest_access(&p, off, 4, 1, value(&f));
		} else if (op == 1 || op == 5) {
			guest_access(&p, pick(&f), 4, 0, 0);
		} else if (op == 2) {
			uint64_t off = fz_u32(&f);
			unsigned width = fz_u8(&f);
			uint32_t val = value(&f);
			width = width < 0xf0 ? 1u << (width & 3) : width & 15;
			guest_access(&p, off, width, fz_u8(&f) & 1, val);
		} else if (op == 3) {
			lines = mo.lines = fz_u32(&f);
		} else {
			uint32_t c = fz_u8(&f) % 10;
			uint64_t claim = 0x200004 + 0x1000ULL * c;
			uint32_t id = vplic_read(&p, claim, 4),
				 want = c < mo.nctx ? m_access(claim, 0, 0) : 0;
			FZ_CHECK(id == want, "claim on context %u: %u, want %u", c, id, want);
			guest_access(&p, claim, 4, 1, id);
		}
		FZ_CHECK(vplic_pending(&p) == m_pending_word(), "pending 0x%x, want 0x%x",
			 vplic_pending(&p), m_pending_word());
		check_eip(&p, (uint32_t)k % 10); /* one context a step, all at the end */
	}
	for (uint32_t c = 0; c < 10; c++)
		check_eip(&p, c);
	return 0;
}
