// SPDX-License-Identifier: MIT
/*
 * nic-offload: apply the NIC's offload engines to pcap files.
 *
 *   nic-offload tx [--csum|--generic] [--tso MSS] [--uso MSS] IN.pcap OUT.pcap
 *   nic-offload rx IN.pcap
 *   nic-offload rss --key HEX [--table N] IN.pcap
 */
#include "nic_offload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oe.h"

static const char usage[] =
    "usage: nic-offload tx [--csum|--generic] [--tso MSS] [--uso MSS] IN.pcap OUT.pcap\n"
    "       nic-offload rx IN.pcap\n"
    "       nic-offload rss --key HEX [--table N] IN.pcap\n"
    "       nic-offload -h | --help\n"
    "\n"
    "tx   each frame is a guest's transmit (super-)frame; writes what the wire\n"
    "     carries. --csum fills the IPv4 header, TCP, UDP and ICMP sums;\n"
    "     --tso/--uso segment TCP/UDP frames whose payload exceeds MSS\n"
    "     (1..65535); other frames pass through with their sums filled.\n"
    "     --generic: --csum with the TCP/UDP sums as a virtio guest asks for\n"
    "     them (NEEDS_CSUM: pseudo-header seeded, summed from csum_start).\n"
    "rx   one JSON object per frame with the receive verdicts.\n"
    "rss  one JSON object per frame with the Toeplitz hash and the queue for\n"
    "     an identity indirection table of N entries (power of 2, default 128).\n"
    "\n"
    "exit: 0 ok, 1 some frames refused or damaged, 2 usage or file error\n";

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "nic-offload: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return NIO_EXIT_USAGE;
}

void nio_frame_error(unsigned long n, const char *what, int err)
{
	/* A damaged capture can have millions of frames: name the first few,
	 * the callers print the total. */
	static unsigned long shown;
	if (++shown > NIO_ERRORS_SHOWN) {
		if (shown == NIO_ERRORS_SHOWN + 1)
			fprintf(stderr, "nic-offload: (further frame errors not shown)\n");
		return;
	}
	if (err)
		fprintf(stderr, "nic-offload: frame %lu: %s: %s (%s)\n", n, what, oe_strerror(err),
			oe_errname(err));
	else
		fprintf(stderr, "nic-offload: frame %lu: %s\n", n, what);
}

/* A decimal number in [lo, hi], the whole string. */
static int parse_num(const char *s, unsigned long lo, unsigned long hi, uint32_t *out)
{
	char *end;
	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits, optionally separated by ':' or '-' between bytes; "0x" ok. */
static int parse_key(const char *s, uint8_t *key, unsigned max, unsigned *len)
{
	unsigned n = 0;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	while (*s) {
		int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
		if (hi < 0 || lo < 0 || n == max)
			return -1;
		key[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
		if ((*s == ':' || *s == '-') && s[1])
			s++;
	}
	*len = n;
	return n ? 0 : -1;
}

static int main_tx(int argc, char **argv)
{
	struct nio_tx_opts o = {0};
	const char *file[2];
	int nfile = 0;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--csum")) {
			o.csum = 1;
		} else if (!strcmp(argv[i], "--generic")) {
			o.csum = o.generic = 1;
		} else if (!strcmp(argv[i], "--tso") || !strcmp(argv[i], "--uso")) {
			uint32_t *mss = argv[i][2] == 't' ? &o.tso : &o.uso;
			if (i + 1 >= argc)
				return bad_usage("%s needs an MSS", argv[i]);
			if (parse_num(argv[i + 1], 1, 65535, mss))
				return bad_usage("bad MSS '%s' (1..65535)", argv[i + 1]);
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return bad_usage("tx: unknown option '%s'", argv[i]);
		} else if (nfile < 2) {
			file[nfile++] = argv[i];
		} else {
			return bad_usage("tx: extra argument '%s'", argv[i]);
		}
	}
	if (nfile != 2)
		return bad_usage("tx needs %s", "IN.pcap and OUT.pcap");
	return nio_cmd_tx(&o, file[0], file[1]);
}

static int main_rx(int argc, char **argv)
{
	if (argc != 1 || (argv[0][0] == '-' && argv[0][1]))
		return bad_usage("rx needs %s", "exactly one IN.pcap");
	return nio_cmd_rx(argv[0]);
}

static int main_rss(int argc, char **argv)
{
	uint8_t key[OE_RSS_KEY_MAX];
	unsigned key_len = 0;
	uint32_t table = 128;
	const char *in = NULL;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--key")) {
			if (i + 1 >= argc)
				return bad_usage("%s needs a value", argv[i]);
			if (parse_key(argv[++i], key, sizeof(key), &key_len) || key_len < 4)
				return bad_usage("bad key '%s' (4..40 bytes of hex)", argv[i]);
		} else if (!strcmp(argv[i], "--table")) {
			if (i + 1 >= argc)
				return bad_usage("%s needs a value", argv[i]);
			if (parse_num(argv[i + 1], 1, OE_RSS_INDIR_MAX, &table) ||
			    (table & (table - 1)))
				return bad_usage("bad table size '%s' (power of 2, 1..128)",
						 argv[i + 1]);
			i++;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return bad_usage("rss: unknown option '%s'", argv[i]);
		} else if (!in) {
			in = argv[i];
		} else {
			return bad_usage("rss: extra argument '%s'", argv[i]);
		}
	}
	if (!key_len)
		return bad_usage("rss needs %s", "--key HEX");
	if (!in)
		return bad_usage("rss needs %s", "IN.pcap");
	return nio_cmd_rss(key, key_len, table, in);
}

int main(int argc, char **argv)
{
	/* anywhere: no file name starts with '-' here */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			return NIO_EXIT_OK;
		}
	if (argc < 2)
		return bad_usage("%s", "no command");
	if (!strcmp(argv[1], "tx"))
		return main_tx(argc - 2, argv + 2);
	if (!strcmp(argv[1], "rx"))
		return main_rx(argc - 2, argv + 2);
	if (!strcmp(argv[1], "rss"))
		return main_rss(argc - 2, argv + 2);
	return bad_usage("unknown command '%s'", argv[1]);
}
