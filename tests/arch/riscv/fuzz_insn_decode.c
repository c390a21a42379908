/* libFuzzer: the load/store decoder the MMIO emulation trusts with a
 * guest's instruction (arch/riscv/insn_decode.c), against the opcode table
 * of insn_ref.h. The input is a run of 12-byte records: an instruction
 * word (either length; a 16-bit one is its low half) and the raw value a
 * load of it would read. Invariants:
 *   - insn_length agrees with the spec's length encoding (1.5);
 *   - insn_decode_mem accepts exactly the integer loads and stores, and
 *     says what the table says: store or load, width, sign extension,
 *     register, length; on a refusal *out is left as it was;
 *   - insn_load_result is C's own narrowing and widening of the raw value,
 *     for every width and sign, decoded or not. */
#include <string.h>

#include <arch/riscv/insn_decode.h>

#include "fuzz_input.h"
#include "insn_ref.h"

static void check_result(unsigned width, int sign, uint64_t raw)
{
	struct insn_mem m = {.width = (uint8_t)width, .sign_extend = sign != 0};
	uint64_t got = insn_load_result(&m, raw), want = ref_load_result(width, sign, raw);
	FZ_CHECK(got == want, "width %u sign %d raw 0x%llx: 0x%llx, want 0x%llx", width, sign,
		 (unsigned long long)raw, (unsigned long long)got, (unsigned long long)want);
}

static void check_one(uint32_t insn, uint64_t raw)
{
	unsigned reg = 0;
	const struct ref_insn *ref = ref_decode(insn, &reg);
	struct insn_mem m, before;
	int len = insn_length((uint16_t)insn);

	FZ_CHECK(len == ref_length((uint16_t)insn), "insn 0x%08x: length %d", insn, len);
	memset(&m, 0xa5, sizeof(m));
	before = m;
	int rc = insn_decode_mem(insn, &m);
	if (!ref) {
		FZ_CHECK(rc != 0, "insn 0x%08x is no integer load/store, decoded as one", insn);
		FZ_CHECK(!memcmp(&m, &before, sizeof(m)), "insn 0x%08x: refused, out written",
			 insn);
	} else {
		FZ_CHECK(rc == 0, "insn 0x%08x (%s) refused: %d", insn, ref->name, rc);
		FZ_CHECK(m.is_store == ref->store && m.width == ref->width && m.reg == reg &&
			     m.len == ref->len && (m.width == 8 || m.sign_extend == ref->sign),
			 "insn 0x%08x (%s x%u): store %d width %u reg %u len %u sign %d", insn,
			 ref->name, reg, m.is_store, m.width, m.reg, m.len, m.sign_extend);
		if (!m.is_store) {
			uint64_t got = insn_load_result(&m, raw);
			uint64_t want = ref_load_result(ref->width, ref->sign, raw);
			FZ_CHECK(got == want, "insn 0x%08x (%s) raw 0x%llx: 0x%llx, want 0x%llx",
				 insn, ref->name, (unsigned long long)raw, (unsigned long long)got,
				 (unsigned long long)want);
		}
	}
	for (unsigned w = 1; w <= 8; w <<= 1) {
		check_result(w, 0, raw);
		check_result(w, 1, raw);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	do {
		uint32_t insn = fz_u32(&f);
		check_one(insn, fz_u64(&f));
	} while (fz_left(&f));
	return 0;
}
