/* nicsim: the NIC firmware as one Linux process (ARCHITECTURE.md §6).
 *
 *   nicsim --ctl PATH [--port tap:NAME | --port pcap:IN,OUT]...
 *          [--vf mac=02:..,mtu=1500,mem=64M,base=0x80000000,policy=LIST]...
 *          [--host-policy LIST] [--counters FILE] [--config FILE]
 *
 * LIST is "all", "none" or a '+'-joined subset of tx_csum, tso4, tso6, uso,
 * rx_csum. A config file holds the same options, one "key value" a line.
 * Counters are written as one JSON line to stdout (and FILE) on SIGUSR1
 * and on exit (SIGINT/SIGTERM). A pcap port's input is replayed once every
 * VF is running (DRIVER_OK).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sim.h"

static struct nic *nic;
static volatile sig_atomic_t want_dump, want_stop;
static const char *counters_path;
static int nvf;

static void on_signal(int s)
{
	if (s == SIGUSR1)
		want_dump = 1;
	else
		want_stop = 1;
}

static int parse_policy(const char *s, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} names[] = {{"tx_csum", NIC_POL_TX_CSUM},
		     {"tso4", NIC_POL_TSO4},
		     {"tso6", NIC_POL_TSO6},
		     {"uso", NIC_POL_USO},
		     {"rx_csum", NIC_POL_RX_CSUM}};
	char buf[128], *save, *tok;

	if (!strcmp(s, "all")) {
		*out = NIC_POL_ALL;
		return 0;
	}
	*out = 0;
	if (!strcmp(s, "none"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*out |= names[i].bit;
	}
	return 0;
}

static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	else if (*end == 'G' || *end == 'g')
		v <<= 30;
	return v;
}

/* Why add_vf refused a spec, when it can say more than "invalid". */
static char vf_why[96];

static int add_vf(const char *spec)
{
	/* default MAC 02:00:00:00:00:<vf + 1> */
	struct nic_mbox_vf_create c = {.mac = {0x02, 0, 0, 0, 0, (uint8_t)(nvf + 1)}};
	uint64_t mtu = 1500;
	uint64_t size = 64 << 20, base = 0x80000000ull;
	uint32_t policy = NIC_POL_ALL;
	struct sim_mem *m = &sim_mem[nvf];
	struct nic_mbox_msg msg = {0};
	char buf[256], *save, *kv;
	uint32_t param[NIC_VFP_COUNT];
	int fd;

	nic_vf_param_defaults(param);

	if (nvf >= NIC_MAX_VF)
		return -ENOSPC;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *v = strchr(kv, '=');

		if (!v)
			return -EINVAL;
		*v++ = 0;
		if (!strcmp(kv, "mac")) {
			unsigned int b[6];

			if (sscanf(v, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
				   &b[5]) != 6)
				return -EINVAL;
			for (int i = 0; i < 6; i++)
				c.mac[i] = (uint8_t)b[i];
		} else if (!strcmp(kv, "mtu")) {
			mtu = strtoull(v, NULL, 0);
		} else if (!strcmp(kv, "mem")) {
			size = parse_size(v);
		} else if (!strcmp(kv, "base")) {
			base = strtoull(v, NULL, 0);
		} else if (!strcmp(kv, "policy")) {
			if (parse_policy(v, &policy))
				return -EINVAL;
		} else if (nic_vf_param_find(kv) >= 0) {
			int k = nic_vf_param_find(kv);
			const char *expect;

			if (nic_vf_param_parse(k, v, &param[k], &expect)) {
				snprintf(vf_why, sizeof(vf_why), "%s: expected %s", kv, expect);
				return -EINVAL;
			}
		} else {
			snprintf(vf_why, sizeof(vf_why), "unknown key '%s'", kv);
			return -EINVAL;
		}
	}
	snprintf(m->shm, sizeof(m->shm), "/nicsim.%d.vf%d", (int)getpid(), nvf);
	fd = shm_open(m->shm, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		close(fd);
		return -errno;
	}
	m->map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m->map == MAP_FAILED) {
		m->map = NULL;
		return -errno;
	}
	m->base = base;
	m->size = size;
	c.win_base = base;
	c.win_size = size;
	c.mtu = mtu;
	msg = nic_mbox_vf_create_msg((uint16_t)nvf, &c);
	ctl_exec(nic, &msg);
	if (msg.status)
		return msg.status;
	msg =
	    (struct nic_mbox_msg){.cmd = NIC_MBOX_SET_POLICY, .vf = (uint16_t)nvf, .arg = {policy}};
	ctl_exec(nic, &msg);
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		msg = (struct nic_mbox_msg){
		    .cmd = NIC_MBOX_VF_SET_PARAM, .vf = (uint16_t)nvf, .arg = {(uint64_t)k, param[k]}};
		ctl_exec(nic, &msg);
		if (msg.status)
			return msg.status;
	}
	msg = (struct nic_mbox_msg){.cmd = NIC_MBOX_VF_RESET, .vf = (uint16_t)nvf};
	ctl_exec(nic, &msg);
	nvf++;
	return 0;
}

static void dump_counters(void)
{
	static unsigned long long seq;
	char line[65536], tmp[4200];
	size_t o = 0;
	FILE *f = NULL;

	/* Written whole then renamed: a reader never sees half a dump, and
	 * seq tells it the dump is a new one. */
	if (counters_path) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", counters_path);
		f = fopen(tmp, "w");
	}
	o += (size_t)snprintf(line + o, sizeof(line) - o, "{\"seq\":%llu,\"vf\":{", ++seq);
	for (int v = 0; v < nvf; v++) {
		struct nic_mbox_msg m = {.cmd = NIC_MBOX_VF_GET_STATE, .vf = (uint16_t)v};

		ctl_exec(nic, &m);
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s\"%d\":{\"needs_reset\":%d",
				      v ? "," : "", v, m.arg[0] ? 1 : 0);
		for (unsigned int c = 0; c < VFC_COUNT; c += NIC_MBOX_COUNTERS_PER_CALL) {
			m = (struct nic_mbox_msg){
			    .cmd = NIC_MBOX_VF_COUNTERS, .vf = (uint16_t)v, .arg = {c}};
			ctl_exec(nic, &m);
			for (int k = 0; k < m.status; k++)
				o += (size_t)snprintf(line + o, sizeof(line) - o, ",\"%s\":%llu",
						      nic_vf_counter_names[c + (unsigned)k],
						      (unsigned long long)m.arg[k]);
		}
		o += (size_t)snprintf(line + o, sizeof(line) - o, "}");
	}
	o += (size_t)snprintf(line + o, sizeof(line) - o, "},\"port\":{");
	for (int p = 0; p < sim_nports(); p++) {
		o += (size_t)snprintf(line + o, sizeof(line) - o, "%s\"%d\":{", p ? "," : "", p);
		for (unsigned int c = 0; c < PC_COUNT; c += NIC_MBOX_COUNTERS_PER_CALL) {
			struct nic_mbox_msg m = {
			    .cmd = NIC_MBOX_PORT_COUNTERS, .vf = (uint16_t)p, .arg = {c}};

			ctl_exec(nic, &m);
			for (int k = 0; k < m.status; k++)
				o += (size_t)snprintf(line + o, sizeof(line) - o, "%s\"%s\":%llu",
						      c + (unsigned)k ? "," : "",
						      nic_port_counter_names[c + (unsigned)k],
						      (unsigned long long)m.arg[k]);
		}
		o += (size_t)snprintf(line + o, sizeof(line) - o, "}");
	}
	snprintf(line + o, sizeof(line) - o, "}}");
	printf("%s\n", line);
	fflush(stdout);
	if (f) {
		fprintf(f, "%s\n", line);
		fclose(f);
		rename(tmp, counters_path);
	}
}

static bool all_running(void)
{
	for (int i = 0; i < nvf; i++)
		if (nic->vf[i].state != VF_STATE_RUNNING)
			return false;
	return true;
}

static const char usage_text[] =
    "usage: nicsim --ctl PATH [--port tap:NAME|pcap:IN,OUT]...\n"
    "              [--vf mac=02:..,mtu=1500,mem=64M,base=0x80000000,policy=LIST]...\n"
    "              [--host-policy LIST] [--counters FILE] [--config FILE]\n"
    "       nicsim -h | --help\n"
    "LIST is all, none or a '+'-joined subset of tx_csum, tso4, tso6, uso, rx_csum.\n"

    "A config file holds the same options, one \"key value\" a line.\n"
    "exit: 0 stopped by a signal, 1 a port, VF or socket failed, 2 bad usage\n";

/* The usage, and the switch's per-VF settings --vf also takes (from their
 * one list, nicif/vf_param.h). */
static void usage(FILE *to)
{
	fputs(usage_text, to);
	fputs("--vf also takes the switch's per-VF settings:", to);
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		const struct nic_vf_param_info *p = &nic_vf_params[k];

		fprintf(to, "%s %s=", k % 4 ? "" : "\n ", p->word);
		if (p->kind == NIC_VFP_BOOL)
			fputs("on|off", to);
		else
			fprintf(to, "%u..%u(%s)", p->min, p->max, p->unit);
	}
	fputc('\n', to);
}

/* A usage error: what was wrong, then the usage, on stderr; exit 2. */
static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("nicsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(2);
}

struct opts {
	const char *ctl;
	const char *ports[SIM_MAX_PORTS];
	int nports;
	const char *vfs[NIC_MAX_VF];
	int nvfs;
	const char *host_policy;
};

static char *strs[1024];
static int nstrs;

/* k without its "--"; NULL when taken, else what is wrong with it */
static const char *set_opt(struct opts *o, const char *k, const char *v)
{
	if (!strcmp(k, "ctl"))
		o->ctl = v;
	else if (!strcmp(k, "port") && o->nports < SIM_MAX_PORTS)
		o->ports[o->nports++] = v;
	else if (!strcmp(k, "port"))
		return "too many ports";
	else if (!strcmp(k, "vf") && o->nvfs < NIC_MAX_VF)
		o->vfs[o->nvfs++] = v;
	else if (!strcmp(k, "vf"))
		return "too many VFs";
	else if (!strcmp(k, "host-policy"))
		o->host_policy = v;
	else if (!strcmp(k, "counters"))
		counters_path = v;
	else
		return "unknown option";
	return NULL;
}

static void read_config(struct opts *o, const char *path)
{
	char line[512];
	int n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		bad_usage("--config %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char k[64], v[448];
		const char *why;

		n++;
		if (line[0] == '#' || sscanf(line, "%63s %447s", k, v) != 2)
			continue;
		if (nstrs + 2 > 1024)
			bad_usage("--config %s: too many lines", path);
		strs[nstrs] = strdup(k);
		strs[nstrs + 1] = strdup(v);
		why = set_opt(o, strs[nstrs], strs[nstrs + 1]);
		nstrs += 2;
		if (why)
			bad_usage("--config %s line %d: %s '%s'", path, n, why, k);
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	struct sigaction sa = {.sa_handler = on_signal};
	uint32_t hp = NIC_POL_ALL;
	unsigned int idle = 0, tick = 0;
	int work, status = 0;

	for (int i = 1; i < argc; i++) {
		const char *why;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (strncmp(argv[i], "--", 2))
			bad_usage("unexpected argument '%s'", argv[i]);
		if (i + 1 >= argc)
			bad_usage("%s needs a value", argv[i]);
		if (!strcmp(argv[i], "--config")) {
			read_config(&o, argv[++i]);
			continue;
		}
		why = set_opt(&o, argv[i] + 2, argv[i + 1]);
		if (why)
			bad_usage("%s '%s'", why, argv[i]);
		i++;
	}
	if (!o.ctl)
		bad_usage("--ctl PATH is required");
	if (o.host_policy && parse_policy(o.host_policy, &hp))
		bad_usage("--host-policy '%s': not all, none or tx_csum+tso4+tso6+uso+rx_csum",
			  o.host_policy);
	for (int i = 0; i < o.nports; i++) {
		int rc = sim_port_open(o.ports[i]);

		if (rc) {
			fprintf(stderr, "nicsim: port %s: %s\n", o.ports[i], strerror(-rc));
			return 1;
		}
	}
	nic = calloc(1, sizeof(*nic));
	nic_init(nic, NIC_POL_ALL);
	{
		struct nic_mbox_msg m = {
		    .cmd = NIC_MBOX_SET_POLICY, .vf = NIC_MBOX_HOST, .arg = {hp}};
		ctl_exec(nic, &m);
	}
	for (int i = 0; i < o.nvfs; i++) {
		int rc = add_vf(o.vfs[i]);

		/* a spec it cannot parse, or values the NIC refuses */
		if (rc == -EINVAL) {
			fprintf(stderr, "nicsim: --vf %s: %s\n", o.vfs[i],
				vf_why[0] ? vf_why : "invalid");
			usage(stderr);
			status = 2;
			goto out;
		}
		if (rc) {
			fprintf(stderr, "nicsim: vf %s: error %d\n", o.vfs[i], rc);
			status = 1;
			goto out;
		}
	}
	if (sim_transport_open(o.ctl, nic)) {
		perror("nicsim: ctl socket");
		status = 1;
		goto out;
	}
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "nicsim: %d VF(s), %d port(s), ctl %s\n", nvf, sim_nports(), o.ctl);

	sim_port_hold(nvf > 0);
	while (!want_stop) {
		struct pollfd pfd[NIC_MAX_VF + SIM_MAX_PORTS + 1];
		int fds[NIC_MAX_VF + 1], n, np = 0;

		if (nvf)
			sim_port_hold(!all_running());

		if (want_dump) {
			want_dump = 0;
			dump_counters();
		}
		work = nic_poll(nic);
		/* Once guests run, register accesses are rare (no kicks while
		 * the NIC polls): spare the datapath the socket syscalls and
		 * look at the control socket every 64th busy pass. */
		if (!work || !(++tick & 63))
			work += sim_transport_poll();
		if (work) {
			idle = 0;
			continue;
		}
		/* Spin a little before sleeping: a busy guest's next frame is
		 * usually microseconds away. */
		if (++idle < 200 || nic_prepare_idle(nic))
			continue;
		n = sim_transport_fds(fds, NIC_MAX_VF + 1);
		for (int i = 0; i < n; i++)
			pfd[np++] = (struct pollfd){.fd = fds[i], .events = POLLIN};
		for (int p = 0; p < sim_nports(); p++)
			if (sim_port_fd(p) >= 0)
				pfd[np++] = (struct pollfd){.fd = sim_port_fd(p), .events = POLLIN};
		/* A VF over its max-tx-rate is back when its tokens are. */
		uint64_t at = nic_tx_wake_ns(nic), now = hal_now_ns();
		int ms = !at ? 50 : at <= now ? 0 : (int)((at - now + 999999) / 1000000);

		poll(pfd, (nfds_t)np, ms < 50 ? ms : 50);
		idle = 0;
	}
	dump_counters();
out:
	sim_transport_close();
	sim_port_close_all();
	for (int i = 0; i < nvf; i++) {
		munmap(sim_mem[i].map, sim_mem[i].size);
		shm_unlink(sim_mem[i].shm);
	}
	free(nic);
	for (int i = 0; i < nstrs; i++)
		free(strs[i]);
	return status;
}
