/* QEMU TCG plugin: instructions executed per vCPU (= per hart).
 *
 * QEMU 7.2's instret CSR is one machine-wide count (icount or host ticks),
 * so a guest cannot measure its own hart with it. Each hart runs one vCPU
 * of one partition here, so a per-vCPU count is the CPU a VM (plus the
 * hypervisor's traps on its hart) spent. A thread rewrites `out=PATH` every
 * 20 ms with one line "vcpu0 vcpu1 ..." that the benchmark samples around a
 * transfer.
 *
 *   qemu-system-riscv64 ... -plugin build/host/lib/insn_count.so,out=FILE
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <qemu-plugin.h>

#define INSN_MAX_VCPUS 64

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* one writer per slot (the vCPU's own thread); the sampler only reads */
static volatile uint64_t insn_counts[INSN_MAX_VCPUS];
static int insn_vcpus;
static char insn_out[4096];
static char insn_tmp[4200];

static void insn_tb_exec(unsigned int vcpu, void *udata)
{
	if (vcpu < INSN_MAX_VCPUS)
		insn_counts[vcpu] += (uintptr_t)udata;
}

static void insn_tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, insn_tb_exec, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)qemu_plugin_tb_n_insns(tb));
}

static void insn_dump(void)
{
	FILE *f = fopen(insn_tmp, "w");
	if (!f)
		return;
	for (int i = 0; i < insn_vcpus; i++)
		fprintf(f, "%s%" PRIu64, i ? " " : "", insn_counts[i]);
	fputc('\n', f);
	fclose(f);
	rename(insn_tmp, insn_out); /* readers never see half a line */
}

static void *insn_sampler(void *arg)
{
	(void)arg;
	const struct timespec period = {0, 20 * 1000 * 1000};
	for (;;) {
		insn_dump();
		nanosleep(&period, NULL);
	}
	return NULL;
}

static void insn_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	insn_dump();
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
					   char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			snprintf(insn_out, sizeof(insn_out), "%s", argv[i] + 4);
	if (!insn_out[0] || !info->system_emulation)
		return -1;
	snprintf(insn_tmp, sizeof(insn_tmp), "%s.tmp", insn_out);
	insn_vcpus =
	    info->system.max_vcpus < INSN_MAX_VCPUS ? info->system.max_vcpus : INSN_MAX_VCPUS;
	pthread_t t;
	if (pthread_create(&t, NULL, insn_sampler, NULL))
		return -1;
	pthread_detach(t);
	qemu_plugin_register_vcpu_tb_trans_cb(id, insn_tb_trans);
	qemu_plugin_register_atexit_cb(id, insn_exit, NULL);
	return 0;
}
