/* The management console's input filter: what each UART byte does before
 * any VM sees it.
 *   Ctrl-A c     command mode, prompt "hv> " (a line, then Enter)
 *   Ctrl-A 0..9  input focus to VM n (and out of command mode)
 *   Ctrl-A x     power off
 *   Ctrl-A Ctrl-A  one Ctrl-A (what a terminal behind QEMU's mux types)
 * Completed lines wait in a queue of 4 for mgmt_run (hv/mgmt/mgmt.c). */
#ifndef HV_MGMT_INPUT_H
#define HV_MGMT_INPUT_H

#define MGMT_LINE_MAX 96

/* One UART byte, under the console lock: CONSOLE_INPUT_PASS,
 * CONSOLE_INPUT_EATEN, or a VM index (0..9) to give the focus to. */
int mgmt_input_byte(int c);
/* Whether command mode holds the input (VMs read nothing meanwhile). */
int mgmt_input_active(void);
/* Whether a completed line or a power-off request waits. */
int mgmt_input_pending(void);
int mgmt_input_poweroff(void);
/* Takes the oldest completed line into buf (NUL-terminated): 1, or 0 when
 * none waits. */
int mgmt_input_next(char *buf, unsigned size);

#endif
