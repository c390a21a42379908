// The bench's simulation driver: the Verilated top (tb_top.sv), its clock
// and register bus, and the stream drivers with random gaps (the bench's
// streams) and back-pressure (the engines' streams).
#ifndef TB_SIM_H
#define TB_SIM_H
#include <cstdint>
#include <deque>
#include <vector>

#include "Vtb_top.h"
#include "tb_frames.h"

struct Beat {
	uint64_t data;
	uint8_t keep;
	bool last;
};
struct Desc {
	bool needs;
	uint16_t start, offset;
};
struct RxRes {
	unsigned ip, l4, ip_ver, proto, err, n_vlan, flags, hash, report;
};

extern Vtb_top *t;
extern uint64_t cycles;
extern unsigned gap_pct, stall_pct; // 0, 0 for the throughput runs

void tick();
void reg_write(unsigned a, uint32_t v);
uint32_t reg_read(unsigned a);
std::deque<Beat> beats_of(const Bytes &b);
// TX frames (and one descriptor each) through the engine: each frame's
// output and status, until `expect` frames came out; done_at: the cycle each
// frame's last beat left.
void run_tx(const std::vector<Frame> &in, const std::vector<Desc> &desc, std::vector<Bytes> &out,
	    std::vector<unsigned> &status, size_t expect = SIZE_MAX,
	    std::vector<uint64_t> *done_at = nullptr);
// RX frames through the engine: the pass-through bytes and the results;
// done_at: the cycle each result was taken.
void run_rx(const std::vector<Frame> &in, std::vector<Bytes> &out, std::vector<RxRes> &res,
	    std::vector<uint64_t> *done_at = nullptr);
#endif
