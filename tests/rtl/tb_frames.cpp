// Frames for the RTL bench (tb_frames.h).
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "tb_frames.h"
extern "C" {
#include "oe.h"
}

std::mt19937 rng(1);

bool read_pcap(const std::string &path, std::vector<Frame> &out)
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

void put16(Bytes &b, size_t o, unsigned v)
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

void edge_frames(std::vector<Frame> &v)
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
Frame mutant(const Frame &f)
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

Frame tcp_frame(size_t len, bool v6)
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
	return x.done("x");
}
