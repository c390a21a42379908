/* What a hart's ISA description in the device tree says about it
 * (Linux Documentation/devicetree/bindings/riscv/cpus.yaml and
 * extensions.yaml; ISA naming: unprivileged spec ch. "ISA Extension Naming
 * Conventions"). Pure, host-testable. */
#ifndef ARCH_RISCV_ISA_H
#define ARCH_RISCV_ISA_H

/* Whether the riscv,isa string ("rv64imafdch_zicsr_...") names the
 * hypervisor extension H: as a single letter after rv32/rv64 (before the
 * first multi-letter extension), or as a separate "_h" component. 0 for
 * NULL or a string not starting with rv32/rv64. Case-insensitive. */
int isa_string_has_h(const char *isa);

/* Whether the riscv,isa-extensions string list (len bytes of
 * NUL-terminated strings, as stored in the DT) holds exactly ext. */
int isa_list_has(const char *list, int len, const char *ext);

#endif
