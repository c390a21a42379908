# Example unikernels, one folder each: apps/<name>/*.c. guest/module.mk turns
# each into $(RVB)/apps/<name>.bin (the hypervisor's image=NAME) and .elf.
# Per-app extras go here: APP_CFLAGS_<name>, APP_LIBS_<name>.
