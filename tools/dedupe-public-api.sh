#!/usr/bin/env bash
# After a merge (the PublicAPI files merge by union), drop duplicated lines and sort.
set -euo pipefail
for f in "$@"; do
python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="utf-8").read().splitlines()
header = [l for l in lines if l.startswith("#")][:1]
body = sorted(set(l for l in lines if l and not l.startswith("#")), key=lambda s: s.lower())
open(p, "w", encoding="utf-8").write("\n".join(header + body) + "\n")
PY
done
