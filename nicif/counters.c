/* Counter names, from the X-macro lists in counters.h. */
#include "counters.h"

#define NIC_CNT_NAME(id, name) name,
const char *const nic_vf_counter_names[VFC_COUNT] = {NIC_VF_COUNTERS(NIC_CNT_NAME)};
const char *const nic_port_counter_names[PC_COUNT] = {NIC_PORT_COUNTERS(NIC_CNT_NAME)};
