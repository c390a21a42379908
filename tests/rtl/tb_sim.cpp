// The bench's simulation driver (tb_sim.h).
#include <algorithm>

#include "tb_sim.h"
#include "verilated.h"

Vtb_top *t;
uint64_t cycles;
unsigned gap_pct = 30, stall_pct = 30;

std::deque<Beat> beats_of(const Bytes &b)
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

void tick()
{
	t->clk = 1;
	t->eval();
	t->clk = 0;
	t->eval();
	cycles++;
}

void reg_write(unsigned a, uint32_t v)
{
	t->bus_wr = 1;
	t->bus_addr = a;
	t->bus_wdata = v;
	tick();
	t->bus_wr = 0;
}
uint32_t reg_read(unsigned a)
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
void run_tx(const std::vector<Frame> &in, const std::vector<Desc> &desc, std::vector<Bytes> &out,
	    std::vector<unsigned> &status, size_t expect, std::vector<uint64_t> *done_at)
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
				if (done_at)
					done_at->push_back(cycles);
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

void run_rx(const std::vector<Frame> &in, std::vector<Bytes> &out, std::vector<RxRes> &res,
	    std::vector<uint64_t> *done_at)
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
		if (t->rxr_valid && t->rxr_ready && done_at)
			done_at->push_back(cycles);
		tick();
		if (sfire)
			src.taken();
	}
	t->rxs_tvalid = 0;
}

