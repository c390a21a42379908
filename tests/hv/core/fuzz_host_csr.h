/* For the host builds of hypervisor code that touches CSRs (the fuzzers of
 * tests/hv/module.mk): arch/riscv/csr.h's accessors are riscv64 inline
 * assembly; here they call the harness's fakes. Given to the compiler with
 * -include, so it comes first and csr.h's guard keeps the riscv64
 * definitions from coming back. */
#ifndef TESTS_HV_CORE_FUZZ_HOST_CSR_H
#define TESTS_HV_CORE_FUZZ_HOST_CSR_H
#include <arch/riscv/csr.h>

unsigned long fake_csr_read(unsigned csr);
void fake_csr_write(unsigned csr, unsigned long val);
void fake_csr_set(unsigned csr, unsigned long val);
void fake_csr_clear(unsigned csr, unsigned long val);

#undef csr_read
#undef csr_write
#undef csr_set
#undef csr_clear
#define csr_read(csr)	    fake_csr_read(csr)
#define csr_write(csr, val) fake_csr_write(csr, (unsigned long)(val))
#define csr_set(csr, val)   fake_csr_set(csr, (unsigned long)(val))
#define csr_clear(csr, val) fake_csr_clear(csr, (unsigned long)(val))

#endif
