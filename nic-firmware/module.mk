# nic-firmware: the NIC core's firmware. Built as a library for the host
# (simulator, unit tests; plain and with sanitizers) and for riscv64 (the
# NIC core image links it with its own HAL backend).
NF_DIR	    := nic-firmware
NF_SRCS	    := $(wildcard $(NF_DIR)/*.c)
NF_HDRS	    := $(wildcard nicif/*.h $(NF_DIR)/*.h $(NF_DIR)/hal/*.h guest/virtio/include/*.h offload-engine/include/*.h)
# OE_INC comes from offload-engine/module.mk, read after this file.
NF_INC	     = -I. -Iguest/virtio/include -I$(OE_INC)
$(eval $(call lib_rules,nicfw,$(NF_SRCS),$(NF_INC)))
NF_LIB_RV   := $(LIB_RV_nicfw)
NF_LIB_HOST := $(LIB_HOST_nicfw)
NF_LIB_SAN  := $(LIB_SAN_nicfw)

