// Frames for the RTL bench: the oracle corpus (pcap), edge cases built
// here (offload-edge-cases.md; every error of the parser) and mutants.
#ifndef TB_FRAMES_H
#define TB_FRAMES_H
#include <cstdint>
#include <random>
#include <string>
#include <vector>

typedef std::vector<uint8_t> Bytes;
struct Frame {
	Bytes b;
	std::string name;
};

static const size_t FRAME_MAX = 2047 * 8; // the engines' store at AW = 11
extern std::mt19937 rng;
static inline unsigned rnd(unsigned n) { return n ? rng() % n : 0; }
static inline bool chance(unsigned pct) { return rnd(100) < pct; }

bool read_pcap(const std::string &path, std::vector<Frame> &out);
void put16(Bytes &b, size_t o, unsigned v);
void edge_frames(std::vector<Frame> &v);
Frame mutant(const Frame &f);
// An untagged IPv4 or IPv6 TCP frame of len bytes, sums filled (the
// throughput runs).
Frame tcp_frame(size_t len, bool v6);
#endif
