// Verilator bench of the RTL offload engines (offload-engine/rtl) against
// the C engines (liboe) linked in: every frame of the oracle corpus, edge
// cases built here, and mutants of both, through the RTL with random gaps on
// the bench's streams and random back-pressure on the engines'; each output
// byte, TX status, RX verdict and RSS hash compared with the C engine's.
//
// usage: tb_oe CORPUS_DIR [+oe_break_tx|+oe_break_rx] [--coverage FILE] [--seed N]
// Prints one FAIL line per differing frame (naming it), then
// "N passed, N failed" (frames). Exit status 0 when nothing failed.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "tb_frames.h"
#include "tb_sim.h"
#include "verilated.h"
#include "verilated_cov.h"

extern "C" {
#include "oe.h"
}

static unsigned passed, failed;
static unsigned n_csum, n_txerr, n_ipbad, n_l4bad, n_malformed; // what the counters must say

static void check(bool ok, const std::string &what)
{
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL %s\n", what.c_str());
	}
}

static std::string first_diff(const Bytes &a, const Bytes &b)
{
	if (a.size() != b.size())
		return "length rtl " + std::to_string(a.size()) + " c " + std::to_string(b.size());
	for (size_t i = 0; i < a.size(); i++)
		if (a[i] != b[i]) {
			char s[64];
			snprintf(s, sizeof s, "byte %zu: rtl 0x%02x c 0x%02x", i, a[i], b[i]);
			return s;
		}
	return "";
}

// ---- TX ------------------------------------------------------------------
// The descriptor a guest's driver writes for a frame (csum_start at the L4
// header, the pseudo-header sum as the field's seed), or a random one.
static Desc tx_desc(Bytes &b, bool random)
{
	struct oe_pkt pkt;
	Desc d = {true, 0, 0};
	if (!random && oe_parse(b.data(), b.size(), &pkt) == OE_OK && !(pkt.flags & OE_PKT_F_FRAG) &&
	    (pkt.l4_proto == IPPROTO_TCP || pkt.l4_proto == IPPROTO_UDP)) {
		unsigned co = pkt.l4_proto == IPPROTO_TCP ? 16 : 6;
		uint32_t l4len = pkt.ip_end - pkt.l4_off;
		uint32_t s = pkt.ip_ver == 4
				     ? csum_pseudo_v4(&b[pkt.l3_off + 12], &b[pkt.l3_off + 16],
						      pkt.l4_proto, l4len)
				     : csum_pseudo_v6(&b[pkt.l3_off + 8], &b[pkt.final_dst_off],
						      pkt.l4_proto, l4len);
		put16(b, pkt.l4_off + co, csum_fold(s));
		d.start = pkt.l4_off;
		d.offset = (uint16_t)co;
		return d;
	}
	unsigned len = (unsigned)b.size();
	switch (rnd(6)) {
	case 0:
		d.needs = false;
		break;
	case 1: // past the end, or the field past it
		d.start = (uint16_t)(len - 1 + rnd(4));
		d.offset = (uint16_t)(2 * rnd(4));
		break;
	case 2: // odd offset
		d.start = (uint16_t)rnd(len);
		d.offset = (uint16_t)(2 * rnd(8) + 1);
		break;
	case 3: // around OE_HDR_MAX
		d.start = (uint16_t)(508 + rnd(8));
		d.offset = (uint16_t)(2 * rnd(4));
		break;
	default: // anywhere, odd starts included
		d.start = (uint16_t)rnd(len);
		d.offset = (uint16_t)(2 * rnd(len / 2 + 2));
	}
	return d;
}

static void test_tx(const std::vector<Frame> &frames, bool enabled)
{
	std::vector<Frame> in;
	std::vector<Desc> desc;
	std::vector<Bytes> want;
	std::vector<unsigned> want_st;
	for (const Frame &f0 : frames) {
		if (f0.b.size() > FRAME_MAX)
			continue;
		for (int random = 0; random < 2; random++) {
			Frame f = f0;
			Desc d = tx_desc(f.b, random);
			Bytes c = f.b;
			int r = d.needs && enabled ? oe_tx_csum_generic(c.data(), c.size(), d.start, d.offset)
						   : 0;
			f.name += random ? "/desc-random" : "/desc-l4";
			char s[48];
			snprintf(s, sizeof s, "(%s start %u offset %u)", d.needs ? "csum" : "no-csum",
				 d.start, d.offset);
			f.name += s;
			in.push_back(f);
			desc.push_back(d);
			want.push_back(c);
			want_st.push_back((unsigned)-r);
			n_csum += d.needs && enabled && r == 0;
			n_txerr += r < 0;
		}
	}
	std::vector<Bytes> out;
	std::vector<unsigned> st;
	run_tx(in, desc, out, st);
	check(out.size() == in.size(), "tx: " + std::to_string(out.size()) + " of " +
					   std::to_string(in.size()) + " frames came out");
	for (size_t i = 0; i < out.size(); i++) {
		std::string d = first_diff(out[i], want[i]);
		if (d.empty() && st[i] != want_st[i])
			d = "status rtl " + std::to_string(st[i]) + " c " + std::to_string(want_st[i]) +
			    " (" + oe_errname(-(int)want_st[i]) + ")";
		check(d.empty(), "tx " + in[i].name + ": " + d);
	}
}

// ---- RX ------------------------------------------------------------------
static struct oe_rss rss;

static void test_rx(const std::vector<Frame> &frames, const uint8_t *key, unsigned key_len,
		    unsigned types, const char *label, bool enabled = true)
{
	for (unsigned i = 0; i < 10; i++)
		reg_write(0x40 + 4 * i, (uint32_t)key[4 * i] << 24 | key[4 * i + 1] << 16 |
						key[4 * i + 2] << 8 | key[4 * i + 3]);
	reg_write(0x0C, key_len << 8 | types);
	oe_rss_init(&rss, key, key_len, types);
	std::vector<Frame> in;
	for (const Frame &f : frames)
		if (f.b.size() <= FRAME_MAX)
			in.push_back(f);
	std::vector<Bytes> out;
	std::vector<RxRes> res;
	run_rx(in, out, res);
	check(res.size() == in.size() && out.size() == in.size(),
	      std::string("rx ") + label + ": " + std::to_string(res.size()) + " of " +
		      std::to_string(in.size()) + " results came out");
	for (size_t i = 0; i < res.size() && i < out.size(); i++) {
		struct oe_rx_result c;
		struct oe_rss_result h;
		oe_rx_check(in[i].b.data(), in[i].b.size(), &c);
		oe_rss_frame(&rss, in[i].b.data(), in[i].b.size(), &h);
		const RxRes &r = res[i];
		if (!enabled) {
			check(r.ip == 0 && r.l4 == 0 && r.hash == 0 && r.report == 0,
			      std::string("rx (engines off) ") + in[i].name);
			continue;
		}
		n_ipbad += c.ip == OE_IP_BAD;
		n_l4bad += c.l4 == OE_L4_BAD;
		n_malformed += c.err != OE_OK;
		char s[512] = "";
		if (r.ip != c.ip || r.l4 != c.l4 || r.ip_ver != c.ip_ver || r.proto != c.l4_proto ||
		    r.err != (unsigned)-c.err || r.n_vlan != c.n_vlan || r.flags != c.flags ||
		    r.hash != h.hash || r.report != h.report)
			snprintf(s, sizeof s,
				 "rtl ip %s l4 %s ver %u proto %u err %u vlan %u flags %u hash %08x/%u; "
				 "c ip %s l4 %s ver %u proto %u err %u (%s) vlan %u flags %u hash %08x/%u",
				 oe_ip_verdict_name(r.ip), oe_l4_verdict_name(r.l4), r.ip_ver, r.proto,
				 r.err, r.n_vlan, r.flags, r.hash, r.report, oe_ip_verdict_name(c.ip),
				 oe_l4_verdict_name(c.l4), c.ip_ver, c.l4_proto, -c.err,
				 oe_errname(c.err), c.n_vlan, c.flags, h.hash, h.report);
		std::string d = first_diff(out[i], in[i].b);
		if (!d.empty())
			d = "pass-through " + d;
		check(!*s && d.empty(), std::string("rx ") + label + " " + in[i].name + ": " + s + d);
	}
}

// ---- throughput: cycles per frame, streams never stalled -----------------
// Sustained: the spacing of back-to-back frames once the stream is full
// (the first frame's completion to the last's, over the frames between);
// latency: the first frame, from its first beat in to its last out (TX) or
// its result (RX).
static void measure(const char *what, size_t len, bool v6)
{
	const size_t n = 32;
	Frame f = tcp_frame(len, v6);
	std::vector<Frame> fs(n, f);
	std::vector<Desc> ds(n, Desc{true, (uint16_t)(v6 ? 54 : 34), 16});
	std::vector<Bytes> out;
	std::vector<unsigned> st;
	std::vector<RxRes> res;
	std::vector<uint64_t> dtx, drx;
	unsigned g = gap_pct, s = stall_pct;
	gap_pct = stall_pct = 0;
	uint64_t c0 = cycles;
	run_tx(fs, ds, out, st, SIZE_MAX, &dtx);
	uint64_t c1 = cycles;
	run_rx(fs, out, res, &drx);
	gap_pct = g;
	stall_pct = s;
	if (dtx.size() != n || drx.size() != n) {
		check(false, std::string("throughput ") + what + ": frames lost");
		return;
	}
	double budget = (len + 24) / 8.0; // + FCS, preamble, IFG at 64 bits a cycle
	printf("cycles/frame %s %zu B sustained: tx %.1f rx %.1f (10 Gbit/s budget at 156.25 MHz: "
	       "%.1f); latency of one frame: tx %u rx %u\n",
	       what, len, (double)(dtx[n - 1] - dtx[0]) / (n - 1),
	       (double)(drx[n - 1] - drx[0]) / (n - 1), budget, (unsigned)(dtx[0] - c0),
	       (unsigned)(drx[0] - c1));
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	std::string dir, cov;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--coverage") && i + 1 < argc)
			cov = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng.seed((unsigned)atoi(argv[++i]));
		else if (argv[i][0] != '+')
			dir = argv[i];
	}
	if (dir.empty()) {
		fprintf(stderr, "usage: tb_oe CORPUS_DIR [+oe_break_tx|+oe_break_rx] "
				"[--coverage FILE] [--seed N]\n");
		return 2;
	}
	std::vector<Frame> csum, rx, edge;
	if (!read_pcap(dir + "/csum.pcap", csum) || !read_pcap(dir + "/rx.pcap", rx) ||
	    !read_pcap(dir + "/rss.pcap", rx)) {
		fprintf(stderr, "tb_oe: cannot read the corpus in %s\n", dir.c_str());
		return 2;
	}
	edge_frames(edge);
	std::vector<Frame> all = csum;
	all.insert(all.end(), rx.begin(), rx.end());
	all.insert(all.end(), edge.begin(), edge.end());
	std::vector<Frame> mut;
	for (const Frame &f : all)
		for (int k = 0; k < 2; k++)
			mut.push_back(mutant(f));

	t = new Vtb_top;
	t->rst = 1;
	tick();
	tick();
	t->rst = 0;
	tick();
	check(reg_read(0x00) == 0x4F450100, "registers: ID");

	// TX: the checksum corpus, edge cases, mutants; then the engine off.
	std::vector<Frame> tx = csum;
	tx.insert(tx.end(), edge.begin(), edge.end());
	tx.insert(tx.end(), mut.begin(), mut.end());
	unsigned f0 = failed;
	test_tx(tx, true);
	reg_write(0x04, 0x6);
	test_tx(std::vector<Frame>(csum.begin(), csum.begin() + 20), false);
	reg_write(0x04, 0x7);
	// Back to back (no gaps from the bench, back-pressure still): both
	// buffers in use, a frame filling while the other drains.
	std::vector<Frame> b2b(tx.begin(), tx.begin() + (long)(csum.size() + edge.size()));
	gap_pct = 0;
	test_tx(b2b, true);
	gap_pct = 30;
	printf("tx: %zu frames x 2 descriptors (+20 with the engine off, +%zu back to back), "
	       "%u failed\n", tx.size(), b2b.size(), failed - f0);

	// RX: every frame, with the full 40-byte key and all hash types, then a
	// short key and a random subset of types.
	uint8_t key[40];
	for (uint8_t &k : key)
		k = (uint8_t)rnd(256);
	std::vector<Frame> rxall = all;
	rxall.insert(rxall.end(), mut.begin(), mut.end());
	f0 = failed;
	test_rx(rxall, key, 40, 0x3F, "key40/all");
	unsigned kl = 4 + rnd(37), types = rnd(64);
	std::string l2 = "key" + std::to_string(kl) + "/types" + std::to_string(types);
	test_rx(rxall, key, kl, types, l2.c_str());
	gap_pct = 0; // back to back: the parse of one frame beside the next one's arrival
	test_rx(all, key, 40, 0x3F, "back-to-back");
	gap_pct = 30;
	printf("rx: %zu frames x 2 RSS configurations (+%zu back to back), %u failed\n",
	       rxall.size(), all.size(), failed - f0);

	// Engine bounds: a frame past the store is dropped by TX (too_big), and
	// passed by RX with a too_big result.
	{
		Frame big{Bytes(FRAME_MAX + 40, 0x5A), "edge:too-big"}, small = csum[0];
		std::vector<Bytes> out;
		std::vector<unsigned> st;
		run_tx({big, small}, {Desc{true, 40, 6}, Desc{false, 0, 0}}, out, st, 2);
		check(out.size() == 1 && out[0] == small.b, "tx edge:too-big: not dropped alone");
		n_txerr++;
		std::vector<RxRes> res;
		run_rx({big}, out, res);
		check(res.size() == 1 && res[0].err == 28 && res[0].ip == 0 && res[0].l4 == 0 &&
			      out.size() == 1 && out[0] == big.b,
		      "rx edge:too-big: no too_big result");
		n_malformed++;
	}
	// RX with the checks and RSS off: frames pass, verdicts none, hash 0.
	reg_write(0x04, 0x1);
	test_rx(std::vector<Frame>(rx.begin(), rx.begin() + 20), key, 40, 0x3F, "off", false);
	reg_write(0x04, 0x7);

	// Counters and status against what the bench saw (since reset).
	struct {
		unsigned addr;
		uint32_t want;
		const char *name;
	} regs[] = {
		{0x10, (uint32_t)(2 * (tx.size() + 20 + b2b.size()) + 2), "TX_FRAMES"},
		{0x14, n_csum, "TX_CSUM"},
		{0x18, n_txerr, "TX_ERRORS"},
		{0x20, (uint32_t)(2 * rxall.size() + all.size() + 21), "RX_FRAMES"},
		{0x24, n_ipbad, "RX_IP_BAD"},
		{0x28, n_l4bad, "RX_L4_BAD"},
		{0x2C, n_malformed, "RX_MALFORMED"},
		{0x04, 0x7, "CTRL"},
		{0x08, 28u << 8 | 3, "STATUS"},
		{0x0C, 40u << 8 | 0x3F, "RSS_CFG"}, // the "off" run set them
		{0x40, (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 | key[3], "RSS_KEY0"},
	};
	for (auto &r : regs) {
		uint32_t v = reg_read(r.addr);
		char s[96];
		snprintf(s, sizeof s, "registers: %s = 0x%x, want 0x%x", r.name, v, r.want);
		check(v == r.want, s);
	}
	reg_write(0x08, 1); // write 1 to clear
	check((reg_read(0x08) & 3) == 2, "registers: STATUS bit 0 not cleared by writing 1");
	reg_write(0x10, 0);
	check(reg_read(0x10) == 0, "registers: TX_FRAMES not cleared by a write");

	measure("ipv4/tcp", 64, false);
	measure("ipv4/tcp", 1514, false);
	measure("ipv6/tcp", 1514, true);

	if (!cov.empty())
		Verilated::threadContextp()->coveragep()->write(cov.c_str());
	t->final();
	delete t;
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
