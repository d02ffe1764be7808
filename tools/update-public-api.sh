#!/usr/bin/env bash
# Adds every public symbol the PublicApiAnalyzers report as undeclared (RS0016) to the
# project's PublicAPI.Unshipped.txt, and removes symbols reported as gone (RS0017).
# Usage: tools/update-public-api.sh [src/Project ...]   (default: every src project with PublicAPI files)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -eq 0 ]; then
  set -- $(for f in src/*/PublicAPI.Unshipped.txt; do dirname "$f"; done)
fi
for project_dir in "$@"; do
project_dir=${project_dir%/}
unshipped="$project_dir/PublicAPI.Unshipped.txt"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet build "$project_dir" -f net10.0 --no-incremental -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
# Only this project's diagnostics: a referenced project's symbols belong to its own file.
project_name=$(basename "$project_dir")
grep -F "/$project_name.csproj" "$log" >"$log.own" || true
mv "$log.own" "$log"
python3 - "$log" "$unshipped" <<'PY'
import re, sys
log, path = sys.argv[1], sys.argv[2]
text = open(log, encoding="utf-8").read()
add = sorted(set(re.findall(r"RS0016: Symbol '(.+?)' is not part of the declared public API", text)))
remove = set(re.findall(r"RS0017: Symbol '(.+?)' is part of the declared API, but is either not public or could not be found", text))
lines = open(path, encoding="utf-8").read().splitlines()
header = [l for l in lines if l.startswith("#")]
body = [l for l in lines if l and not l.startswith("#") and l not in remove]
body = sorted(set(body) | set(add), key=lambda s: s.lower())
open(path, "w", encoding="utf-8").write("\n".join(header + body) + "\n")
print(f"{path}: +{len(add)} -{len(remove)}")
PY
done
