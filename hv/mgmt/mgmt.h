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

/* Makes the management console the console's input filter
 * (console_set_input_filter): Ctrl-A escapes and command mode. */
void mgmt_init(void);
/* Runs a completed command line or power-off request, outside the console
 * lock (any hart; one at a time). */
void mgmt_run(void);
/* The console hart's loop: polls the UART every 10 ms, sleeping in wfi. */
void mgmt_loop(void) __attribute__((noreturn));

#endif
