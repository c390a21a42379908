/* The management console on the hypervisor's UART (issue 5):
 *   Ctrl-A c     command mode, prompt "hv> " (until Ctrl-A <digit>)
 *   Ctrl-A 0..9  input focus to VM n (Ctrl-T: next VM)
 *   Ctrl-A x     power off
 * Commands answer with lines "hv: ..." and end with "hv: ok" or
 * "hv: error: <why>": vms, traps [VM], counters [VF|port N],
 * offload <host|VF|VM> <tx-csum|tso4|tso6|uso|rx-csum|all> <on|off>,
 * reset <VF|VM>, help. */
#ifndef HV_MGMT_H
#define HV_MGMT_H

#define MGMT_INPUT_PASS	 (-1) /* an ordinary byte for the focused VM */
#define MGMT_INPUT_EATEN (-2) /* taken by the console */

/* One UART byte, called under the console lock: MGMT_INPUT_PASS,
 * MGMT_INPUT_EATEN, or a VM index (0..9) to give the focus to. */
int mgmt_input(int c);
/* Whether command mode holds the input. */
int mgmt_active(void);
/* Runs a completed command line or power-off request, outside the console
 * lock (any hart; one at a time). */
void mgmt_run(void);
/* mgmt_run, but only when no hart runs mgmt_loop (a VM reading its input
 * then carries the console: commands must not stall a guest otherwise). */
void mgmt_run_fallback(void);
/* The console hart's loop: polls the UART every 10 ms, sleeping in wfi. */
void mgmt_loop(void) __attribute__((noreturn));

#endif
