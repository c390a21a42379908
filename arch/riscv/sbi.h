/* SBI numbers (RISC-V SBI specification 2.0), shared by the calls the
 * hypervisor makes to OpenSBI and the server it offers its guests. */
#ifndef ARCH_RISCV_SBI_H
#define ARCH_RISCV_SBI_H

/* 3.2 standard error codes */
#define SBI_SUCCESS		  0
#define SBI_ERR_FAILED		  -1
#define SBI_ERR_NOT_SUPPORTED	  -2
#define SBI_ERR_INVALID_PARAM	  -3
#define SBI_ERR_DENIED		  -4
#define SBI_ERR_INVALID_ADDRESS	  -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED	  -7
#define SBI_ERR_ALREADY_STOPPED	  -8

/* 5 legacy extensions */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR	 0x01
#define SBI_EXT_LEGACY_GETCHAR	 0x02
#define SBI_EXT_LEGACY_SHUTDOWN	 0x08

/* 4 base extension */
#define SBI_EXT_BASE		  0x10
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID	  1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXT	  3
#define SBI_BASE_GET_MVENDORID	  4
#define SBI_BASE_GET_MARCHID	  5
#define SBI_BASE_GET_MIMPID	  6

/* 6 timer */
#define SBI_EXT_TIME	   0x54494D45
#define SBI_TIME_SET_TIMER 0

/* 7 IPI */
#define SBI_EXT_IPI	 0x735049
#define SBI_IPI_SEND_IPI 0

/* 8 RFENCE */
#define SBI_EXT_RFENCE		    0x52464E43
#define SBI_RFENCE_FENCE_I	    0
#define SBI_RFENCE_SFENCE_VMA	    1
#define SBI_RFENCE_SFENCE_VMA_ASID  2
#define SBI_RFENCE_HFENCE_GVMA_VMID 3
#define SBI_RFENCE_HFENCE_GVMA	    4
#define SBI_RFENCE_HFENCE_VVMA_ASID 5
#define SBI_RFENCE_HFENCE_VVMA	    6

/* 9 hart state management */
#define SBI_EXT_HSM		    0x48534D
#define SBI_HSM_HART_START	    0
#define SBI_HSM_HART_STOP	    1
#define SBI_HSM_HART_STATUS	    2
#define SBI_HSM_HART_SUSPEND	    3
#define SBI_HSM_STATE_STARTED	    0
#define SBI_HSM_STATE_STOPPED	    1
#define SBI_HSM_STATE_START_PENDING 2
#define SBI_HSM_STATE_STOP_PENDING  3

/* 10 system reset */
#define SBI_EXT_SRST		  0x53525354
#define SBI_SRST_RESET		  0
#define SBI_SRST_TYPE_SHUTDOWN	  0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_TYPE_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE	  0
#define SBI_SRST_REASON_SYSFAIL	  1

/* 12 debug console */
#define SBI_EXT_DBCN	    0x4442434E
#define SBI_DBCN_WRITE	    0
#define SBI_DBCN_READ	    1
#define SBI_DBCN_WRITE_BYTE 2

/* vendor extension of this hypervisor ("RVHV", vendor EID range
 * 0x09000000-0x09FFFFFF, §3), for the NIC partition only: the doorbell of
 * the hv<->NIC contract (nicif/shared.h) */
#define SBI_EXT_RVHV	      0x09525648UL /* "RVHV" */
#define SBI_RVHV_RAISE_VF_IRQ 0u	   /* a0 = VF id; SBI_SUCCESS or an error */
#define SBI_RVHV_LOG	      1u	   /* a0 = level (optional, for diagnostics) */

/* spec version 2.0: (major << 24) | minor */
#define SBI_SPEC_VERSION_2_0 (2UL << 24)
/* implementation id of this hypervisor's SBI server (not in the spec's
 * table of assigned ids; chosen far above it) */
#define SBI_IMPL_ID_RVHV 0x52564856UL /* "RVHV" */

#endif
