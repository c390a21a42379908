/* Management console (see mgmt.h): the Ctrl-A escapes, the command line
 * editor (under the console lock, raw output only) and the commands (run
 * outside it, through hv_printf and the NIC mailbox). */
#include "mgmt.h"
#include "mgmt_input.h"
#include <hv/core/hv.h>
#include <hv/core/console_wait.h>
#include <hv/nic/nic_mbox.h>
#include <hv/nic/nic_part.h>
#include <nicif/counters.h>
#include <nicif/vf_param.h>
#include <common/err.h>
#include <hv/vdev/vf_transport.h>
#include <hv/core/vm.h>
#include <arch/riscv/csr.h>
#include <arch/riscv/sbi_call.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_WORDS 6

static int running;

/* --- commands --- */

static const char *state_name(enum vm_state s)
{
	return s == VM_RUNNING ? "running" : s == VM_REBOOTING ? "rebooting" : "stopped";
}

static int err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int err(const char *fmt, ...)
{
	char why[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	hv_printf("hv: error: %s\n", why);
	return ERR_INVAL; /* said; the command is over */
}

/* one answer line is built whole, so another hart's output cannot split it */
struct linebuf {
	char s[400];
	unsigned n;
};

static void add(struct linebuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct linebuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (b->n < sizeof(b->s)) {
		int k = vsnprintf(b->s + b->n, sizeof(b->s) - b->n, fmt, ap);
		b->n += k > 0 ? (unsigned)k : 0;
	}
	va_end(ap);
}

static void add_mac(struct linebuf *b, const uint8_t *mac)
{
	add(b, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

/* the words of the VF's switch settings (nicif/vf_param.h), sep between */
static void add_settings(struct linebuf *b, const char *sep)
{
	for (int k = 0; k < NIC_VFP_COUNT; k++)
		add(b, "%s%s", k ? sep : "", nic_vf_params[k].word);
}

static int cmd_vms(void)
{
	for (unsigned i = 0; i < vm_count; i++) {
		struct vm *vm = vm_table[i];
		const struct vm_config *c = vm->cfg;
		struct linebuf b = {.n = 0};
		add(&b, "vm %u %s state=%s harts=", i, c->name, state_name(vm->state));
		for (unsigned j = 0; j < c->num_vcpus; j++)
			add(&b, "%s%u", j ? "," : "", c->harts[j]);
		if (vm->vf_id >= 0) {
			add(&b, " vf=%d mac=", vm->vf_id);
			add_mac(&b, c->mac);
		} else {
			add(&b, " vf=- mac=-");
		}
		hv_printf("hv: %s\n", b.s);
	}
	/* the heartbeat: whether the NIC's poll loop moves, seen without
	 * asking it anything (a stuck NIC cannot answer) */
	if (nic_part.vm)
		hv_printf("hv: nic state=%s hart=%u ready=%s ports=%d vfs=%u heartbeat=%u\n",
			  state_name(nic_part.vm->state), nic_part.cfg.harts[0],
			  nic_mbox_ready() ? "yes" : "no", nic_part.nports, nic_part.nvf,
			  (unsigned)__atomic_load_n(&nic_shared_page.heartbeat, __ATOMIC_RELAXED));
	return 0;
}

static void print_traps(struct vm *vm)
{
	struct linebuf b = {.n = 0};
	add(&b, "traps %s total=%lu", vm->cfg->name, (unsigned long)trap_stats_total(&vm->traps));
	for (int i = 0; i < TRAP_NCAUSES; i++)
		add(&b, " %s=%lu", trap_cause_names[i],
		    (unsigned long)__atomic_load_n(&vm->traps.n[i], __ATOMIC_RELAXED));
	for (int i = 0; i < TRAP_SBI_N; i++)
		add(&b, " %s=%lu", trap_sbi_names[i],
		    (unsigned long)__atomic_load_n(&vm->traps.sbi[i], __ATOMIC_RELAXED));
	hv_printf("hv: %s\n", b.s);
}

static struct vm *vm_by_name(const char *s)
{
	for (unsigned i = 0; i < vm_count; i++)
		if (!strcmp(vm_table[i]->cfg->name, s))
			return vm_table[i];
	if (nic_part.vm && !strcmp(s, "nic"))
		return nic_part.vm;
	if (s[0] >= '0' && s[0] <= '9' && !s[1] && (unsigned)(s[0] - '0') < vm_count)
		return vm_table[s[0] - '0'];
	return 0;
}

static int cmd_traps(int argc, char **argv)
{
	if (argc > 1) {
		struct vm *vm = vm_by_name(argv[1]);
		if (!vm)
			return err("no such VM");
		print_traps(vm);
		return 0;
	}
	for (unsigned i = 0; i < vm_count; i++)
		print_traps(vm_table[i]);
	if (nic_part.vm)
		print_traps(nic_part.vm);
	return 0;
}

/* all counters of one VF or port, NIC_MBOX_COUNTERS_PER_CALL a call */
static int print_counters(uint32_t cmdno, uint16_t id, const char *prefix, const char *const *names,
			  unsigned count)
{
	const unsigned per = NIC_MBOX_COUNTERS_PER_CALL;
	for (unsigned first = 0; first < count; first += per) {
		struct nic_mbox_msg m = {.cmd = cmdno, .vf = id, .arg = {first}};
		if (nic_mbox_call(&m))
			return err("the NIC did not answer");
		if (m.status < 0)
			return err("the NIC refused the request");
		for (int k = 0; k < m.status && k < (int)per && first + k < count; k++)
			hv_printf("hv: %s.%s %lu\n", prefix, names[first + k], m.arg[k]);
		if (m.status < (int)per)
			break;
	}
	return 0;
}

static int cmd_counters(int argc, char **argv)
{
	if (!nic_part.vm)
		return err("no NIC partition");
	if (argc > 2 && !strcmp(argv[1], "port")) {
		if (strcmp(argv[2], "0"))
			return err("no such port");
		return print_counters(NIC_MBOX_PORT_COUNTERS, 0, "port0", nic_port_counter_names,
				      PC_COUNT);
	}
	if (argc > 1) {
		int id = nic_part_vf_by_name(argv[1]);
		if (id < 0)
			return err("no such VF");
		return print_counters(NIC_MBOX_VF_COUNTERS, (uint16_t)id,
				      nic_part.vf_vm[id]->cfg->name, nic_vf_counter_names,
				      VFC_COUNT);
	}
	for (unsigned id = 0; id < nic_part.nvf; id++)
		if (print_counters(NIC_MBOX_VF_COUNTERS, (uint16_t)id,
				   nic_part.vf_vm[id]->cfg->name, nic_vf_counter_names, VFC_COUNT))
			return ERR_TIMEDOUT;
	return print_counters(NIC_MBOX_PORT_COUNTERS, 0, "port0", nic_port_counter_names, PC_COUNT);
}

static const struct {
	const char *name;
	uint32_t bits;
} offloads[] = {
    {"tx-csum", NIC_POL_TX_CSUM}, {"tso4", NIC_POL_TSO4},	{"tso6", NIC_POL_TSO6},
    {"uso", NIC_POL_USO},	  {"rx-csum", NIC_POL_RX_CSUM}, {"all", NIC_POL_ALL},
};

static int cmd_offload(int argc, char **argv)
{
	if (argc != 4)
		return err(
		    "usage: offload <host|VF|VM> <tx-csum|tso4|tso6|uso|rx-csum|all> <on|off>");
	if (!nic_part.vm)
		return err("no NIC partition");
	int host = !strcmp(argv[1], "host");
	int id = host ? -1 : nic_part_vf_by_name(argv[1]);
	if (!host && id < 0)
		return err("no such VF");
	uint32_t bits = 0;
	for (unsigned i = 0; i < sizeof(offloads) / sizeof(offloads[0]); i++)
		if (!strcmp(argv[2], offloads[i].name))
			bits = offloads[i].bits;
	if (!bits)
		return err("unknown offload");
	int on = !strcmp(argv[3], "on");
	if (!on && strcmp(argv[3], "off"))
		return err("on or off");
	uint32_t pol = nic_part_policy(id);
	uint32_t next = on ? (pol | bits) : (pol & ~bits);
	int rc = nic_part_set_policy(id, next);
	if (rc == ERR_TIMEDOUT)
		return err("the NIC did not answer");
	if (rc)
		return err("the NIC refused the policy");
	hv_printf("hv: offload %s policy=0x%x (applies at the next VF reset)\n",
		  host ? "host" : nic_part.vf_vm[id]->cfg->name, next);
	return 0;
}

/* set vf <VF|VM> <setting> <value>: in force at once; kept in nic_part
 * (for the NIC's next device tree and a resync) once the NIC took it */
static int cmd_set(int argc, char **argv)
{
	if (argc != 5 || strcmp(argv[1], "vf"))
		return err("usage: set vf <VF|VM> <setting> <value>");
	if (!nic_part.vm)
		return err("no NIC partition");
	int id = nic_part_vf_by_name(argv[2]);
	if (id < 0)
		return err("no such VF");
	int k = nic_vf_param_find(argv[3]);
	if (k < 0) {
		struct linebuf b = {.n = 0};
		add_settings(&b, ", ");
		return err("unknown setting '%s' (%s)", argv[3], b.s);
	}
	uint32_t val;
	const char *expect;
	if (nic_vf_param_parse(k, argv[4], &val, &expect))
		return err("%s: expected %s", argv[3], expect);
	int rc = nic_part_set_param(id, k, val);
	if (rc == ERR_TIMEDOUT)
		return err("the NIC did not answer");
	if (rc)
		return err("the NIC refused the value");
	char text[16];
	hv_printf("hv: vf %s: %s %s\n", nic_part.vf_vm[id]->cfg->name, argv[3],
		  nic_vf_param_format(k, val, text, sizeof(text)));
	return 0;
}

/* One VF's line: its MAC, MTU and switch settings as the NIC holds them
 * now (what it enforces, asked rather than remembered). */
static int show_vf(unsigned id)
{
	struct nic_mbox_msg m = {.cmd = NIC_MBOX_VF_GET_STATE, .vf = (uint16_t)id};
	struct linebuf b = {.n = 0};
	if (nic_mbox_call(&m))
		return err("the NIC did not answer");
	if (m.status)
		return err("the NIC refused the request");
	struct nic_mbox_vf_state st = nic_mbox_vf_state_of(&m);
	add(&b, "vf %u %s mac=", id, nic_part.vf_vm[id]->cfg->name);
	add_mac(&b, st.mac);
	add(&b, " mtu=%u", st.mtu);
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		uint32_t val;
		char text[16];
		int rc = nic_part_get_param((int)id, k, &val);
		if (rc == ERR_TIMEDOUT)
			return err("the NIC did not answer");
		if (rc)
			return err("the NIC refused the request");
		add(&b, " %s=%s", nic_vf_params[k].word,
		    nic_vf_param_format(k, val, text, sizeof(text)));
	}
	hv_printf("hv: %s\n", b.s);
	return 0;
}

static int cmd_show(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || strcmp(argv[1], "vf"))
		return err("usage: show vf [VF|VM]");
	if (!nic_part.vm)
		return err("no NIC partition");
	if (argc == 3) {
		int id = nic_part_vf_by_name(argv[2]);
		return id < 0 ? err("no such VF") : show_vf((unsigned)id);
	}
	for (unsigned id = 0; id < nic_part.nvf; id++)
		if (show_vf(id))
			return ERR_INVAL;
	return 0;
}

static int cmd_reset(int argc, char **argv)
{
	if (argc != 2)
		return err("usage: reset <VF|VM>");
	int id = nic_part_vf_by_name(argv[1]);
	if (id < 0)
		return err("no such VF");
	vf_transport_request_reset(nic_part.vf_vm[id]);
	hv_printf("hv: reset %s: device asks its driver for a reset\n",
		  nic_part.vf_vm[id]->cfg->name);
	return 0;
}

static int cmd_help(void)
{
	struct linebuf b = {.n = 0};
	add_settings(&b, "|");
	hv_printf("hv: vms | traps [VM] | counters [VF|port 0] | reset <VF>\n"
		  "hv: offload <host|VF|VM> <tx-csum|tso4|tso6|uso|rx-csum|all> <on|off>\n"
		  "hv: set vf <VF|VM> <%s> <value> | show vf [VF|VM]\n"
		  "hv: Ctrl-A 0..9 input to VM n, Ctrl-A x power off\n",
		  b.s);
	return 0;
}

static void execute(char *s)
{
	char *argv[MAX_WORDS];
	int argc = 0;
	while (*s && argc < MAX_WORDS) {
		while (*s == ' ' || *s == '\t')
			*s++ = 0;
		if (!*s)
			break;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
	if (*s)
		*s = 0;
	int r;
	if (argc == 0)
		r = 1; /* empty line: just a new prompt */
	else if (!strcmp(argv[0], "vms"))
		r = cmd_vms();
	else if (!strcmp(argv[0], "traps"))
		r = cmd_traps(argc, argv);
	else if (!strcmp(argv[0], "counters"))
		r = cmd_counters(argc, argv);
	else if (!strcmp(argv[0], "offload"))
		r = cmd_offload(argc, argv);
	else if (!strcmp(argv[0], "reset"))
		r = cmd_reset(argc, argv);
	else if (!strcmp(argv[0], "set"))
		r = cmd_set(argc, argv);
	else if (!strcmp(argv[0], "show"))
		r = cmd_show(argc, argv);
	else if (!strcmp(argv[0], "help"))
		r = cmd_help();
	else
		r = err("unknown command (help)");
	if (r == 0)
		hv_printf("hv: ok\n");
	hv_printf("hv> ");
}

void mgmt_run(void)
{
	if (!mgmt_input_pending())
		return;
	if (__atomic_exchange_n(&running, 1, __ATOMIC_ACQUIRE))
		return;
	if (mgmt_input_poweroff()) {
		hv_printf("\nhv: power off (Ctrl-A x)\n");
		sbi_shutdown(0);
	}
	char cmd[MGMT_LINE_MAX];
	while (mgmt_input_next(cmd, sizeof(cmd)))
		execute(cmd);
	__atomic_store_n(&running, 0, __ATOMIC_RELEASE);
}

static volatile int loop_hart; /* a hart runs mgmt_loop */

/* a VM reading its input carries the console when no hart runs
 * mgmt_loop: commands must not stall otherwise */
static void idle(void)
{
	if (!loop_hart)
		mgmt_run();
}

static const struct console_input_ops filter = {
    .input = mgmt_input_byte, .active = mgmt_input_active, .idle = idle};

void mgmt_init(void)
{
	console_set_input_filter(&filter);
}

void mgmt_loop(void)
{
	loop_hart = 1;
	console_wait_start();
	for (;;) {
		console_poll_input();
		console_report_drops();
		mgmt_run();
		console_wait(); /* until input, a due drop report, or the poll tick */
	}
}
