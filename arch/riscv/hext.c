/* Guest memory access that survives faults: the HS trap handler sees
 * fault_expected, records the cause and skips the 4-byte hlvx instruction. */
#include "hext.h"
#include <common/err.h>
#include "hart.h"

int hext_fetch_half(uint64_t gva, uint16_t *out)
{
	struct hart *h = hart_self();
	unsigned long v = 0;
	h->fault_taken = 0;
	h->fault_expected = 1;
	/* hlvx.hu v, (gva): funct7 0110010, rs2 = 00011 */
	asm volatile(".insn r 0x73, 4, 0x32, %0, %1, x3" : "+r"(v) : "r"(gva) : "memory");
	h->fault_expected = 0;
	if (h->fault_taken)
		return ERR_FAULT;
	*out = (uint16_t)v;
	return 0;
}

int hext_probe_vstimecmp(void)
{
	struct hart *h = hart_self();
	unsigned long v;
	h->fault_taken = 0;
	h->fault_expected = 1;
	asm volatile(".option push\n.option norvc\ncsrr %0, 0x24d\n.option pop"
		     : "=r"(v)::"memory");
	h->fault_expected = 0;
	(void)v;
	return !h->fault_taken;
}
