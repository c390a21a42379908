"""bench-nicq: the NIC core's TX path on QEMU (TCG), nicfw's self-test VF
to a TAP: 64000-byte TSO4 super-frames and 1448-byte frames with the TCP sum
offloaded, timed inside the NIC (`time` CSR). Prints the firmware's lines
and writes them to build/bench/nicq.txt. Needs root (namespace)."""
import sys
from pathlib import Path

from nicq_run import REPO, PEER_MAC, VF_MAC, run_nicfw

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
r = run_nicfw("nicq-bench", f"mac={VF_MAC} peer={PEER_MAC} bench={n}", capture=False,
              timeout=300)
lines = [l for l in r["lines"] if l.startswith("nicq: bench")]
out = REPO / "build" / "bench" / "nicq.txt"
out.parent.mkdir(parents=True, exist_ok=True)
out.write_text("\n".join(lines) + "\n")
print("\n".join(lines))
ok = r["rc"] == 0 and len(lines) == 2 and "nicq: selftest passed" in r["lines"]
print(f"bench-nicq: {'ok' if ok else 'FAILED, see ' + str(r['log'])}")
sys.exit(0 if ok else 1)
