/* QEMU riscv64 "virt" (hw/riscv/virt.c): the memory map and features the
 * hypervisor and its build-time config check assume. The live values come
 * from the host device tree at boot; these are the nominal ones of
 * board/qemu-virt/qemu.sh (-m 1G -smp 4). */
#ifndef BOARD_QEMU_VIRT_H
#define BOARD_QEMU_VIRT_H

#define BOARD_NAME	"qemu-virt"
#define BOARD_UART_BASE 0x10000000UL /* fallback before the DT is read */
#define BOARD_RAM_BASE	0x80000000UL
#define BOARD_RAM_SIZE	0x40000000UL /* -m 1G */
#define BOARD_HARTS	4	     /* -smp 4 */
#define BOARD_HV_BASE	0x80200000UL /* where OpenSBI fw_jump enters */

#endif
