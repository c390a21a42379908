# nic-offload: the offload engines applied to pcap files (host, libpcap).
NIO_DIR  := sim/nic-offload
NIO_SRCS := $(wildcard $(NIO_DIR)/*.c)
NIO_HDRS := $(wildcard $(NIO_DIR)/*.h) $(wildcard $(OE_INC)/*.h)
NIO_BIN  := $(HOSTB)/bin/nic-offload
# The same tool with ASan/UBSan, for the oracle suite's hostile-input tests.
NIO_SAN  := $(HOSTB)/nic-offload-san
NIO_CFLAGS := -I$(NIO_DIR) -I$(OE_INC)
NIO_LIBS   := -lpcap

$(NIO_BIN): $(NIO_SRCS) $(NIO_HDRS) $(OE_LIB_HOST)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(NIO_CFLAGS) $(NIO_SRCS) $(OE_LIB_HOST) $(NIO_LIBS) -o $@

$(NIO_SAN): $(NIO_SRCS) $(NIO_HDRS) $(OE_LIB_SAN)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(NIO_CFLAGS) $(NIO_SRCS) $(OE_LIB_SAN) $(NIO_LIBS) -o $@

TOOLS += $(NIO_BIN)
