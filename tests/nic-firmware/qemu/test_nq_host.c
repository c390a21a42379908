/* Host tests of the NIC core's qemu backend parts that are plain C: the DT
 * reader (nq_dt.c, on trees compiled by dtc), the DMA window check
 * (nq_win.c) and the idle policy (nq_idle.c), under ASan/UBSan. argv[1] =
 * directory of the .dtb files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <nic-firmware/qemu/nq.h>
#include <nic-firmware/qemu/nq_idle.h>

static const char *dtb_dir;

static void *load(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	void *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dtb_dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The naps of a silence, as poll_loop takes them: each one bounded by an
 * eighth of the silence before it (a guest's TX waits at most that), none
 * shorter than the first, and the whole way to the deep sleep (50 ms) in
 * tens of wakes where fixed 100 us naps took 500. */
static void idle_naps_grow_with_the_silence(void **state)
{
	uint64_t t = NQ_IDLE_US, naps = 0, prev = 0;

	(void)state;
	assert_int_equal(nq_idle_nap_us(0), NQ_NAP_MIN_US);
	while (t < NQ_DEEP_US) {
		uint64_t us = nq_idle_nap_us(t);

		assert_true(us >= NQ_NAP_MIN_US && us >= prev);
		assert_true(us <= NQ_NAP_MIN_US || us <= t / NQ_NAP_SHARE);
		t += us;
		prev = us;
		naps++;
	}
	assert_true(naps < 50);
	/* a backlog that never drains keeps napping, at a bounded period */
	assert_int_equal(nq_idle_nap_us(UINT64_MAX), NQ_NAP_MAX_US);
	assert_true(NQ_NAP_MAX_US <= 10000);
	/* the deep sleep's timer: short only where the wire cannot wake us */
	assert_int_equal(nq_idle_backstop_us(false), 20000);
	assert_true(nq_idle_backstop_us(true) >= 5 * nq_idle_backstop_us(false));
	assert_true(nq_idle_backstop_us(true) <= 1000000); /* a lost port wake's cost */
}

static struct nq_cfg cfg;
static char why[96];

static void dt_hv_tree(void **state)
{
	size_t len;
	void *fdt = load("nic_hv.dtb", &len);
	static const uint8_t mac1[6] = {2, 0, 0, 0, 0, 2};

	(void)state;
	assert_int_equal(nq_dt_read(fdt, &cfg, why, sizeof(why)), 0);
	assert_true(cfg.hv);
	assert_int_equal(cfg.shared, 0x80401000);
	assert_int_equal(cfg.shared_size, 0x1000);
	assert_int_equal(cfg.host_policy, 0x1b);
	assert_true(cfg.port_pass);
	assert_true(cfg.port_wake);
	assert_int_equal(cfg.nport_addr, 1);
	assert_int_equal(cfg.port_addr[0], 0x10008000);
	assert_int_equal(cfg.nvf, 2);
	assert_int_equal(cfg.vf[0].id, 0);
	assert_int_equal(cfg.vf[0].win_base, 0x80000000);
	assert_int_equal(cfg.vf[0].win_size, 0x1000000);
	assert_int_equal(cfg.vf[0].hpa, 0x92000000);
	assert_int_equal(cfg.vf[0].mtu, 1500);
	assert_int_equal(cfg.vf[0].policy, NIC_POL_ALL);
	assert_string_equal(cfg.vf[0].vm_name, "httpd");
	assert_int_equal(cfg.vf[1].id, 1);
	assert_int_equal(cfg.vf[1].win_size, 0x800000);
	assert_int_equal(cfg.vf[1].hpa, 0x93000000);
	assert_memory_equal(cfg.vf[1].mac, mac1, 6);
	assert_int_equal(cfg.vf[1].mtu, 9000);
	assert_int_equal(cfg.vf[1].policy, NIC_POL_TX_CSUM | NIC_POL_TSO4);
	assert_string_equal(cfg.vf[1].vm_name, "iperf");
	free(fdt);
}

static void dt_bare_tree(void **state)
{
	size_t len;
	void *fdt = load("nic_bare.dtb", &len);

	(void)state;
	assert_int_equal(nq_dt_read(fdt, &cfg, why, sizeof(why)), 0);
	assert_false(cfg.hv);
	assert_false(cfg.port_pass); /* the self-test's port is a wire port */
	assert_false(cfg.port_wake);
	assert_int_equal(cfg.nvf, 0);
	assert_int_equal(cfg.nport_addr, 2);
	assert_int_equal(cfg.port_addr[0] + cfg.port_addr[1], 0x10008000 + 0x10007000);
	free(fdt);
}

static void dt_bad_mac_refused(void **state)
{
	size_t len;
	void *fdt = load("nic_bad.dtb", &len);

	(void)state;
	assert_int_equal(nq_dt_read(fdt, &cfg, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "mac"));
	assert_int_equal(nq_dt_read(NULL, &cfg, why, sizeof(why)), -1);
	free(fdt);
}

/* Every single-byte corruption of the tree: an error or a parse, never an
 * access outside the blob (ASan) and never a VF id out of range. */
static void dt_corruption(void **state)
{
	size_t len;
	uint8_t *good = load("nic_hv.dtb", &len), *bad = malloc(len);

	(void)state;
	assert_non_null(bad);
	for (size_t i = 0; i < len; i++) {
		for (int k = 0; k < 2; k++) {
			memcpy(bad, good, len);
			bad[i] = k ? 0xff : (uint8_t)(bad[i] ^ 0x5a);
			if (nq_dt_read(bad, &cfg, why, sizeof(why)) == 0) {
				assert_true(cfg.nvf <= NIC_MAX_VF);
				for (unsigned int v = 0; v < cfg.nvf; v++)
					assert_true(cfg.vf[v].id < NIC_MAX_VF);
			}
		}
	}
	free(bad);
	free(good);
}

static void dt_vf_window_isolation(void **state)
{
	struct nq_vf_cfg v = {.win_base = 0x80000000, .win_size = 0x1000000, .hpa = 0x92000000};
	const uint64_t own = 0x90000000, own_len = 0x2000000, sh = 0x80401000;

	(void)state;
	assert_true(nq_dt_vf_ok(&v, own, own_len, sh, 0x1000));
	v.hpa = own + own_len - 0x1000; /* last page of the NIC's RAM */
	assert_false(nq_dt_vf_ok(&v, own, own_len, sh, 0x1000));
	v.hpa = own - v.win_size + 1; /* first byte of it */
	assert_false(nq_dt_vf_ok(&v, own, own_len, sh, 0x1000));
	v.hpa = own - v.win_size; /* just below: fine */
	assert_true(nq_dt_vf_ok(&v, own, own_len, sh, 0x1000));
	v.hpa = sh & ~0xffffffull; /* covers the shared page */
	assert_false(nq_dt_vf_ok(&v, own, own_len, sh, 0x1000));
	v.hpa = UINT64_MAX - 0x1000; /* wraps */
	assert_false(nq_dt_vf_ok(&v, own, own_len, sh, 0x1000));
	v.hpa = 0x92000000;
	v.win_size = 0;
	assert_false(nq_dt_vf_ok(&v, own, own_len, sh, 0x1000));
}

/* ---- DMA windows ---------------------------------------------------- */
static uint8_t ram[4096];

static void win_inside_and_edges(void **state)
{
	uint8_t b[16] = {0};
	const uint64_t base = 0x80000000;

	(void)state;
	for (unsigned int i = 0; i < sizeof(ram); i++)
		ram[i] = (uint8_t)i;
	assert_int_equal(nq_hal_set_window(3, base, sizeof(ram), (uintptr_t)ram), 0);
	assert_int_equal(hal_dma_read(3, base + 16, b, 4), 0);
	assert_int_equal(b[0], 16);
	assert_int_equal(hal_dma_read(3, base + sizeof(ram) - 4, b, 4), 0); /* last bytes */
	assert_int_equal(b[3], (uint8_t)(sizeof(ram) - 1));
	assert_int_equal(hal_dma_read(3, base + sizeof(ram) - 3, b, 4), NIC_EFAULT);
	assert_int_equal(hal_dma_read(3, base - 1, b, 1), NIC_EFAULT);
	assert_int_equal(hal_dma_read(3, base + sizeof(ram), b, 0), 0); /* empty, at end */
	assert_int_equal(hal_dma_read(3, base + sizeof(ram) + 1, b, 0), NIC_EFAULT);
	assert_int_equal(hal_dma_write(3, base + 8, "\xaa\xbb", 2), 0);
	assert_int_equal(ram[8], 0xaa);
	assert_int_equal(ram[9], 0xbb);
	assert_int_equal(hal_dma_write(3, base + sizeof(ram) - 1, "\1\2", 2), NIC_EFAULT);
	assert_int_equal(ram[sizeof(ram) - 1], (uint8_t)(sizeof(ram) - 1)); /* untouched */
	assert_ptr_equal(hal_dma_view(3, base + 100, 10), ram + 100);
	assert_null(hal_dma_view(3, base + 100, sizeof(ram)));
}

static void win_wrap_and_ids(void **state)
{
	uint8_t b[4];

	(void)state;
	assert_int_equal(nq_hal_set_window(3, 0x80000000, sizeof(ram), (uintptr_t)ram), 0);
	/* gpa + len wraps past 2^64: outside, whatever the sum says. */
	assert_int_equal(hal_dma_read(3, UINT64_MAX - 1, b, 4), NIC_EFAULT);
	assert_null(hal_dma_view(3, 0x80000010, UINT32_MAX));
	assert_null(hal_dma_view(3, UINT64_MAX, 1));
	/* Another VF, an unset VF, an id past the table. */
	assert_int_equal(hal_dma_read(4, 0x80000000, b, 1), NIC_EFAULT);
	assert_int_equal(hal_dma_read(NIC_MAX_VF, 0x80000000, b, 1), NIC_EFAULT);
	assert_int_equal(hal_dma_read(HAL_SG_LOCAL, 0x80000000, b, 1), NIC_EFAULT);
	/* Windows that would wrap are refused. */
	assert_int_equal(nq_hal_set_window(5, UINT64_MAX - 10, 100, 0x1000), NIC_EINVAL);
	assert_int_equal(nq_hal_set_window(5, 0x1000, 100, UINT64_MAX - 10), NIC_EINVAL);
	assert_int_equal(nq_hal_set_window(NIC_MAX_VF, 0, 100, 0), NIC_EINVAL);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(idle_naps_grow_with_the_silence),
	    cmocka_unit_test(dt_hv_tree),
	    cmocka_unit_test(dt_bare_tree),
	    cmocka_unit_test(dt_bad_mac_refused),
	    cmocka_unit_test(dt_corruption),
	    cmocka_unit_test(dt_vf_window_isolation),
	    cmocka_unit_test(win_inside_and_edges),
	    cmocka_unit_test(win_wrap_and_ids),
	};

	dtb_dir = argc > 1 ? argv[1] : ".";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
