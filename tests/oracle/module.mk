# Oracle tests: a scapy corpus through nic-offload, every output frame checked
# by scapy and tshark (suite `oracle`).
ORACLE_DIR := tests/oracle
ORACLE_OUT := $(B)/oracle

$(ORACLE_OUT)/manifest.json: $(ORACLE_DIR)/gen_corpus.py $(ORACLE_DIR)/oracle.py
	@mkdir -p $(dir $@)
	PYTHONDONTWRITEBYTECODE=1 $(PY) $(ORACLE_DIR)/gen_corpus.py $(ORACLE_OUT)

test-oracle: $(NIO_BIN) $(NIO_SAN) $(ORACLE_OUT)/manifest.json
	PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider $(ORACLE_DIR)

SUITES += oracle
.PHONY: test-oracle
