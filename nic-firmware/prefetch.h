/* Cache prefetch hints of the datapath. */
#ifndef NIC_PREFETCH_H
#define NIC_PREFETCH_H

#include <stdint.h>

/* Start fetching [p, p+len) into the cache, for reading (wr 0) or for
 * writing (wr 1), so that misses overlap other work. Only a hint: no
 * fault, no visible effect (nothing on a core without prefetch, where
 * NIC_HAVE_PREFETCH lets callers skip the work of finding the address). */
#if defined(__x86_64__) || defined(__aarch64__) || defined(__riscv_zicbop)
#define NIC_HAVE_PREFETCH 1
#else
#define NIC_HAVE_PREFETCH 0
#endif
#define NIC_PREFETCH(p, len, wr)                                                                   \
	do {                                                                                       \
		const uint8_t *pf_p_ = (const uint8_t *)(p);                                       \
		uint32_t pf_n_ = (len), pf_o_ = 0;                                                 \
		for (; pf_o_ + 256 <= pf_n_; pf_o_ += 256) {                                       \
			__builtin_prefetch(pf_p_ + pf_o_, wr);                                     \
			__builtin_prefetch(pf_p_ + pf_o_ + 64, wr);                                \
			__builtin_prefetch(pf_p_ + pf_o_ + 128, wr);                               \
			__builtin_prefetch(pf_p_ + pf_o_ + 192, wr);                               \
		}                                                                                  \
		for (; pf_o_ < pf_n_; pf_o_ += 64)                                                 \
			__builtin_prefetch(pf_p_ + pf_o_, wr);                                     \
	} while (0)

#endif
