# nicif: the contract between the hypervisor and the NIC (nicif/README.md).
# One library, linked by both sides: the hypervisor and the NIC core image
# (riscv64), nicsim, nicbench and the unit tests (host).
NICIF_SRCS := $(wildcard nicif/*.c)
NICIF_INC  := -I. -Iguest/virtio/include -Ioffload-engine/include
$(eval $(call lib_rules,nicif,$(NICIF_SRCS),$(NICIF_INC)))
