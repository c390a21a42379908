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
#include <cstdint>
#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Vtb_top.h"
#include "verilated.h"
#include "verilated_cov.h"

extern "C" {
#include "oe.h"
}

typedef std::vector<uint8_t> Bytes;
struct Frame {
	Bytes b;
	std::string name;
};

static const size_t FRAME_MAX = 2047 * 8; // the engines' store at AW = 11
static std::mt19937 rng(1);
static unsigned rnd(unsigned n) { return n ? rng() % n : 0; }
static bool chance(unsigned pct) { return rnd(100) < pct; }

// ---- frames --------------------------------------------------------------
static bool read_pcap(const std::string &path, std::vector<Frame> &out)
{
	FILE *f = fopen(path.c_str(), "rb");
	if (!f)
		return false;
	uint8_t gh[24], rh[16];
	if (fread(gh, 1, 24, f) != 24) {
		fclose(f);
		return false;
	}
	std::string base = path.substr(path.rfind('/') + 1);
	for (unsigned i = 1; fread(rh, 1, 16, f) == 16; i++) {
		uint32_t cap;
		memcpy(&cap, rh + 8, 4); // the files are written little-endian
		Frame fr;
		fr.b.resize(cap);
		if (fread(fr.b.data(), 1, cap, f) != cap)
			break;
		fr.name = base + "#" + std::to_string(i);
		out.push_back(fr);
	}
	fclose(f);
	return true;
}

static void put16(Bytes &b, size_t o, unsigned v)
{
	b[o] = (uint8_t)(v >> 8);
	b[o + 1] = (uint8_t)v;
}

// Edge cases the corpus lacks (offload-edge-cases.md; the parser's every
// error): built from a template, checksums filled by the C engine or not.
struct Builder {
	Bytes b;
	size_t l3 = 0, nh_at = 0;
	void eth(int tags, unsigned type)
	{
		b.assign(12, 0x02);
		for (int i = 0; i < tags; i++) {
			b.push_back(i == 0 && tags > 1 ? 0x88 : 0x81);
			b.push_back(i == 0 && tags > 1 ? 0xA8 : 0x00);
			b.push_back(0x00);
			b.push_back((uint8_t)(5 + i));
		}
		b.push_back((uint8_t)(type >> 8));
		b.push_back((uint8_t)type);
		l3 = b.size();
	}
	void ipv4(unsigned proto, unsigned opt_words = 0, unsigned frag = 0)
	{
		eth(rnd(3), 0x0800);
		Bytes h(20 + 4 * opt_words, 0x01);
		h[0] = (uint8_t)(0x40 | (5 + opt_words));
		h[1] = 0;
		h[6] = (uint8_t)(frag >> 8);
		h[7] = (uint8_t)frag;
		h[8] = 64;
		h[9] = (uint8_t)proto;
		h[10] = h[11] = 0;
		for (int i = 12; i < 20; i++)
			h[i] = (uint8_t)rnd(256);
		b.insert(b.end(), h.begin(), h.end());
	}
	void ipv6(unsigned nh)
	{
		eth(rnd(3), 0x86DD);
		Bytes h(40, 0);
		h[0] = 0x60;
		h[6] = (uint8_t)nh;
		h[7] = 64;
		for (int i = 8; i < 40; i++)
			h[i] = (uint8_t)rnd(256);
		nh_at = l3 + 6;
		b.insert(b.end(), h.begin(), h.end());
	}
	// an extension header of `len` bytes (a multiple of 8, or of 4 for AH)
	void ext(unsigned type, unsigned len, unsigned nh)
	{
		b[nh_at] = (uint8_t)type;
		size_t p = b.size();
		b.resize(p + len, 0);
		b[p] = (uint8_t)nh;
		b[p + 1] = (uint8_t)(type == 51 ? len / 4 - 2 : type == 44 ? 0 : len / 8 - 1);
		if (type == 1 || type == 0 || type == 60)
			b[p + 2] = 1; // PadN
		if (type == 0 || type == 60)
			b[p + 3] = (uint8_t)(len - 4);
		nh_at = p;
	}
	void routing(unsigned rtype, unsigned naddr, unsigned left, unsigned nh)
	{
		ext(43, 8 + 16 * naddr, nh);
		size_t p = nh_at;
		b[p + 2] = (uint8_t)rtype;
		b[p + 3] = (uint8_t)left;
		if (rtype == 4)
			b[p + 4] = (uint8_t)(naddr ? naddr - 1 : 0);
		for (size_t i = p + 8; i < b.size(); i++)
			b[i] = (uint8_t)rnd(256);
	}
	void l4(unsigned proto, size_t pay)
	{
		size_t o = b.size();
		unsigned hl = proto == 6 ? 20 : proto == 17 || proto == 1 || proto == 58 ? 8 : 0;
		b.resize(o + hl + pay);
		for (size_t i = o; i < b.size(); i++)
			b[i] = (uint8_t)rnd(256);
		if (proto == 6)
			b[o + 12] = 0x50;
		if (proto == 17)
			put16(b, o + 4, (unsigned)(hl + pay));
		if (b[l3] >> 4 == 4) {
			put16(b, l3 + 2, (unsigned)(b.size() - l3));
		} else {
			put16(b, l3 + 4, (unsigned)(b.size() - l3 - 40));
			if (nh_at)
				b[nh_at] = (uint8_t)proto;
		}
	}
	Frame done(const std::string &name, bool fill = true)
	{
		if (fill)
			oe_tx_csum(b.data(), b.size(), OE_CSUM_ALL);
		return Frame{b, "edge:" + name};
	}
};

static void edge_frames(std::vector<Frame> &v)
{
	for (unsigned proto : {6u, 17u, 1u, 58u, 253u}) {
		Builder x;
		x.ipv4(proto);
		x.l4(proto, rnd(100));
		v.push_back(x.done("ipv4-" + std::to_string(proto)));
		Builder y;
		y.ipv6(proto);
		y.l4(proto, rnd(100));
		v.push_back(y.done("ipv6-" + std::to_string(proto)));
	}
	for (unsigned n = 7; n <= 9; n++) { // OE_IPV6_EXT_MAX is 8
		Builder x;
		x.ipv6(0);
		for (unsigned i = 0; i < n; i++)
			x.ext(i % 2 ? 60 : 0, 8, 6);
		x.l4(6, 30);
		v.push_back(x.done("ext-chain-" + std::to_string(n)));
	}
	for (unsigned len : {400u, 448u, 456u, 464u, 488u}) { // around OE_HDR_MAX
		Builder x;
		x.ipv6(60);
		x.ext(60, len, 6);
		x.l4(6, 20);
		v.push_back(x.done("deep-" + std::to_string(len)));
	}
	for (unsigned t : {0u, 2u, 4u, 3u})
		for (unsigned left : {0u, 1u, 2u, 3u}) {
			Builder x;
			x.ipv6(43);
			x.routing(t, 2, left, 17);
			x.l4(17, 20 + rnd(50));
			v.push_back(x.done("rt" + std::to_string(t) + "-left" + std::to_string(left)));
		}
	{
		Builder x; // AH then fragment (first, then a later one), atomic fragment
		x.ipv6(51);
		x.ext(51, 24, 6);
		x.l4(6, 40);
		v.push_back(x.done("ah"));
		for (unsigned fo : {0x0000u, 0x0001u, 0x0008u, 0x0009u}) {
			Builder y;
			y.ipv6(44);
			y.ext(44, 8, 17);
			put16(y.b, y.nh_at + 2, fo);
			y.l4(17, 30);
			v.push_back(y.done("frag6-" + std::to_string(fo), false));
		}
	}
	for (unsigned frag : {0x2000u, 0x0010u, 0x4000u}) {
		Builder x;
		x.ipv4(17, 0, frag);
		x.l4(17, 30);
		v.push_back(x.done("frag4-" + std::to_string(frag)));
	}
	for (unsigned opt : {1u, 10u}) {
		Builder x;
		x.ipv4(6, opt);
		x.l4(6, 10);
		v.push_back(x.done("ipopt-" + std::to_string(opt)));
	}
	{
		Builder x; // three tags, an unknown EtherType, a runt
		x.eth(2, 0x8100);
		x.b.insert(x.b.end(), {0, 1, 0x08, 0x00});
		x.b.resize(80, 0x45);
		v.push_back(x.done("three-tags", false));
		Builder y;
		y.eth(0, 0x88CC);
		y.b.resize(60, 0);
		v.push_back(y.done("lldp", false));
		v.push_back(Frame{Bytes(13, 0xAB), "edge:runt"});
	}
	{
		Builder x; // UDP sum 0 on both families; UDP length short/long
		x.ipv4(17);
		x.l4(17, 20);
		put16(x.b, x.b.size() - 22, 0);
		v.push_back(x.done("udp4-sum0", false));
		Builder y;
		y.ipv6(17);
		y.l4(17, 20);
		v.push_back(y.done("udp6-sum0", false));
		for (unsigned ul : {4u, 7u, 8u, 29u, 200u}) {
			Builder z;
			z.ipv4(17);
			z.l4(17, 20);
			z.done("x");
			put16(z.b, z.b.size() - 24, ul);
			v.push_back(Frame{z.b, "edge:udp-len-" + std::to_string(ul)});
		}
		for (unsigned proto : {6u, 17u, 1u}) { // L4 header cut by the IP length
			Builder t4;
			t4.ipv4(proto);
			t4.l4(proto, 0);
			put16(t4.b, t4.l3 + 2, 20 + (proto == 6 ? 12 : 4));
			v.push_back(Frame{t4.b, "edge:l4-cut-" + std::to_string(proto)});
		}
		Builder th; // TCP data offset past the datagram
		th.ipv4(6);
		th.l4(6, 8);
		th.b[th.l3 + 20 + 12] = 0xF0;
		v.push_back(th.done("tcp-doff-past"));
		Builder te; // an extension header the payload length cuts
		te.ipv6(0);
		te.ext(0, 8, 6);
		te.l4(6, 0);
		put16(te.b, te.l3 + 4, 4);
		v.push_back(Frame{te.b, "edge:ext-cut"});
		Builder p; // Ethernet padding past the IP length (edge case 9)
		p.ipv4(17);
		p.l4(17, 3);
		p.done("x");
		p.b.resize(60, 0);
		v.push_back(Frame{p.b, "edge:padded"});
	}
}

// Derived cases: truncations and header byte changes (the parser's every
// check, on every kind of frame).
static Frame mutant(const Frame &f)
{
	Frame m = f;
	switch (rnd(3)) {
	case 0:
		m.b.resize(1 + rnd((unsigned)f.b.size()));
		m.name += "/cut" + std::to_string(m.b.size());
		break;
	case 1: {
		size_t at = rnd((unsigned)std::min<size_t>(f.b.size(), 96));
		m.b[at] ^= (uint8_t)(1u << rnd(8));
		m.name += "/flip" + std::to_string(at);
		break;
	}
	default: {
		static const uint8_t v[] = {0, 1, 4, 5, 6, 0x40, 0x45, 0x46, 0x4F, 0x60, 0xFF, 0x11,
					    0x2C, 0x3C, 0x2B, 0x33};
		size_t at = rnd((unsigned)std::min<size_t>(f.b.size(), 120));
		m.b[at] = v[rnd(sizeof v)];
		m.name += "/set" + std::to_string(at);
	}
	}
	return m;
}

// ---- the simulation --------------------------------------------------------
struct Beat {
	uint64_t data;
	uint8_t keep;
	bool last;
};
static std::deque<Beat> beats_of(const Bytes &b)
{
	std::deque<Beat> q;
	for (size_t o = 0; o < b.size(); o += 8) {
		Beat bt = {0, 0, o + 8 >= b.size()};
		for (size_t i = 0; i < 8 && o + i < b.size(); i++) {
			bt.data |= (uint64_t)b[o + i] << (8 * i);
			bt.keep |= (uint8_t)(1u << i);
		}
		q.push_back(bt);
	}
	return q;
}

struct Desc {
	bool needs;
	uint16_t start, offset;
};
struct RxRes {
	unsigned ip, l4, ip_ver, proto, err, n_vlan, flags, hash, report;
};

static Vtb_top *t;
static uint64_t cycles;
static unsigned gap_pct = 30, stall_pct = 30; // 0, 0 for the throughput runs
static unsigned passed, failed;
static unsigned n_csum, n_txerr, n_ipbad, n_l4bad, n_malformed; // what the counters must say

static void tick()
{
	t->clk = 1;
	t->eval();
	t->clk = 0;
	t->eval();
	cycles++;
}

static void reg_write(unsigned a, uint32_t v)
{
	t->bus_wr = 1;
	t->bus_addr = a;
	t->bus_wdata = v;
	tick();
	t->bus_wr = 0;
}
static uint32_t reg_read(unsigned a)
{
	t->bus_rd = 1;
	t->bus_addr = a;
	tick();
	t->bus_rd = 0;
	return t->bus_rdata;
}

// A source of beats: presents a beat (maybe after a gap) and holds it until taken.
struct Source {
	std::deque<Beat> q;
	bool valid = false;
	void present()
	{
		if (!valid && !q.empty() && !chance(gap_pct))
			valid = true;
	}
	void taken()
	{
		q.pop_front();
		valid = false;
	}
};

// Runs TX frames through the engine; returns each frame's output and status.
static void run_tx(const std::vector<Frame> &in, const std::vector<Desc> &desc,
		   std::vector<Bytes> &out, std::vector<unsigned> &status, size_t expect = SIZE_MAX)
{
	Source src;
	size_t next_desc = 0, next_frame = 0;
	bool dvalid = false;
	Bytes cur;
	out.clear();
	status.clear();
	uint64_t limit = cycles + 200000 + 8 * 40 * in.size();
	expect = std::min(expect, in.size());
	while (out.size() < expect && cycles < limit) {
		if (src.q.empty() && next_frame < in.size() && next_frame < next_desc)
			src.q = beats_of(in[next_frame++].b);
		if (!dvalid && next_desc < in.size() && !chance(gap_pct))
			dvalid = true;
		src.present();
		t->txd_valid = dvalid;
		if (dvalid) {
			t->txd_needs_csum = desc[next_desc].needs;
			t->txd_csum_start = desc[next_desc].start;
			t->txd_csum_offset = desc[next_desc].offset;
		}
		t->txs_tvalid = src.valid;
		if (src.valid) {
			t->txs_tdata = src.q.front().data;
			t->txs_tkeep = src.q.front().keep;
			t->txs_tlast = src.q.front().last;
		}
		t->txm_tready = !chance(stall_pct);
		t->eval();
		bool dfire = dvalid && t->txd_ready;
		bool sfire = src.valid && t->txs_tready;
		bool mfire = t->txm_tvalid && t->txm_tready;
		if (mfire) {
			for (int i = 0; i < 8; i++)
				if (t->txm_tkeep >> i & 1)
					cur.push_back((uint8_t)(t->txm_tdata >> (8 * i)));
			if (t->txm_tlast) {
				out.push_back(cur);
				status.push_back(t->txm_tuser);
				cur.clear();
			}
		}
		tick();
		if (dfire) {
			dvalid = false;
			next_desc++;
		}
		if (sfire)
			src.taken();
	}
	t->txd_valid = 0;
	t->txs_tvalid = 0;
}

static void run_rx(const std::vector<Frame> &in, std::vector<Bytes> &out, std::vector<RxRes> &res)
{
	Source src;
	size_t next_frame = 0;
	Bytes cur;
	out.clear();
	res.clear();
	uint64_t limit = cycles + 200000 + 8 * 40 * in.size();
	while (res.size() < in.size() && cycles < limit) {
		if (src.q.empty() && next_frame < in.size())
			src.q = beats_of(in[next_frame++].b);
		src.present();
		t->rxs_tvalid = src.valid;
		if (src.valid) {
			t->rxs_tdata = src.q.front().data;
			t->rxs_tkeep = src.q.front().keep;
			t->rxs_tlast = src.q.front().last;
		}
		t->rxm_tready = !chance(stall_pct);
		t->rxr_ready = !chance(stall_pct);
		t->eval();
		bool sfire = src.valid && t->rxs_tready;
		if (t->rxm_tvalid && t->rxm_tready) {
			for (int i = 0; i < 8; i++)
				if (t->rxm_tkeep >> i & 1)
					cur.push_back((uint8_t)(t->rxm_tdata >> (8 * i)));
			if (t->rxm_tlast) {
				out.push_back(cur);
				cur.clear();
			}
		}
		if (t->rxr_valid && t->rxr_ready)
			res.push_back(RxRes{t->rxr_ip, t->rxr_l4, t->rxr_ip_ver, t->rxr_l4_proto,
					    t->rxr_err, t->rxr_n_vlan, t->rxr_flags, t->rxr_hash,
					    t->rxr_report});
		tick();
		if (sfire)
			src.taken();
	}
	t->rxs_tvalid = 0;
}

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
static void measure(const char *what, size_t len, bool v6)
{
	Builder x;
	if (v6)
		x.ipv6(6);
	else
		x.ipv4(6);
	x.b.erase(x.b.begin() + 12, x.b.begin() + (long)x.l3 - 2); // untagged
	x.l3 = 14;
	if (v6)
		x.nh_at = 20;
	x.l4(6, len - x.b.size() - 20);
	Frame f = x.done("x");
	std::vector<Frame> fs(32, f);
	std::vector<Desc> ds(32, Desc{true, (uint16_t)(v6 ? 54 : 34), 16});
	std::vector<Bytes> out;
	std::vector<unsigned> st;
	std::vector<RxRes> res;
	unsigned g = gap_pct, s = stall_pct;
	gap_pct = stall_pct = 0;
	uint64_t c0 = cycles;
	run_tx(fs, ds, out, st);
	uint64_t c1 = cycles;
	run_rx(fs, out, res);
	uint64_t c2 = cycles;
	gap_pct = g;
	stall_pct = s;
	double budget = (len + 24) / 8.0; // + FCS, preamble, IFG at 64 bits a cycle
	printf("cycles/frame %s %zu B: tx %.1f rx %.1f (10 Gbit/s budget at 156.25 MHz: %.1f)\n",
	       what, len, (double)(c1 - c0) / 32, (double)(c2 - c1) / 32, budget);
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
	printf("tx: %zu frames x 2 descriptors (+20 with the engine off), %u failed\n", tx.size(),
	       failed - f0);

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
	printf("rx: %zu frames x 2 RSS configurations, %u failed\n", rxall.size(), failed - f0);

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
		{0x10, (uint32_t)(2 * (tx.size() + 20) + 2), "TX_FRAMES"},
		{0x14, n_csum, "TX_CSUM"},
		{0x18, n_txerr, "TX_ERRORS"},
		{0x20, (uint32_t)(2 * rxall.size() + 21), "RX_FRAMES"},
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
