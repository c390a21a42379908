/* SBI calls a guest makes (RISC-V SBI specification v2.0). */
#ifndef GUEST_SBI_H
#define GUEST_SBI_H

#include <stdint.h>

/* Extension IDs (§5 legacy, §4 base, §6-§10, §12 debug console). */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR	 0x01
#define SBI_EXT_LEGACY_GETCHAR	 0x02
#define SBI_EXT_LEGACY_SHUTDOWN	 0x08
#define SBI_EXT_BASE		 0x10
#define SBI_EXT_TIME		 0x54494D45
#define SBI_EXT_IPI		 0x735049
#define SBI_EXT_RFENCE		 0x52464E43
#define SBI_EXT_HSM		 0x48534D
#define SBI_EXT_SRST		 0x53525354
#define SBI_EXT_DBCN		 0x4442434E

/* Base functions (§4). */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_PROBE_EXTENSION  3

/* HSM functions and states (§9). */
#define SBI_HSM_HART_START	    0
#define SBI_HSM_HART_STOP	    1
#define SBI_HSM_HART_GET_STATUS	    2
#define SBI_HSM_STATE_STARTED	    0
#define SBI_HSM_STATE_STOPPED	    1
#define SBI_HSM_STATE_START_PENDING 2
#define SBI_HSM_STATE_STOP_PENDING  3

/* SRST (§10). */
#define SBI_SRST_TYPE_SHUTDOWN	  0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_TYPE_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE	  0
#define SBI_SRST_REASON_FAILURE	  1

/* DBCN functions (§12). */
#define SBI_DBCN_WRITE	    0
#define SBI_DBCN_READ	    1
#define SBI_DBCN_WRITE_BYTE 2

/* Standard error codes (§3, table 1). */
#define SBI_SUCCESS		  0
#define SBI_ERR_FAILED		  -1
#define SBI_ERR_NOT_SUPPORTED	  -2
#define SBI_ERR_INVALID_PARAM	  -3
#define SBI_ERR_DENIED		  -4
#define SBI_ERR_INVALID_ADDRESS	  -5
#define SBI_ERR_ALREADY_AVAILABLE -6

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_ecall(unsigned long eid, unsigned long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3);

/* 1 when the extension is implemented, 0 otherwise. */
int sbi_probe(unsigned long eid);
long sbi_spec_version(void);

long sbi_set_timer(uint64_t stime);
long sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
long sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base);

long sbi_hart_start(unsigned long hartid, unsigned long start_addr, unsigned long opaque);
long sbi_hart_stop(void);
/* Returns the SBI_HSM_STATE_* value, or a negative SBI error. */
long sbi_hart_get_status(unsigned long hartid);

/* Does not return when it succeeds. */
long sbi_system_reset(uint32_t type, uint32_t reason);

/* Returns bytes written (>= 0) or a negative SBI error. */
long sbi_dbcn_write(const void *buf, unsigned long len);
long sbi_dbcn_read(void *buf, unsigned long len);

void sbi_legacy_putchar(int c);
int sbi_legacy_getchar(void);

#endif
