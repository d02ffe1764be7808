#!/usr/bin/env bash
# Mutation testing of one folder of src/Loyalty.Core with Stryker.NET.
#
#   bash tools/mutation-test.sh <Folder>[,<Folder>...] [extra Stryker options]
#
# <Folder> is a folder of src/Loyalty.Core (Ledger, Earning, Tiers, Segmentation, ...).
# Only the files under that folder are mutated, and only the tests of the matching
# folder of tests/Loyalty.Core.Tests (namespace Loyalty.Core.Tests.<Folder>) are run
# against the mutants, so the score says how well the folder's own tests pin its
# behaviour. Several folders separated by commas are measured in one run (Stryker's
# set-up, which instruments the whole project, is then paid once); their mutants run
# against the tests of all the folders named. Set MUTATION_TESTS=all to run the whole core test project instead
# (slower; other folders' tests then kill mutants too).
#
# Set MUTATION_RETEST=<mutation-report.json of an earlier run> to re-test only the mutants that
# run left alive (survived or not covered), when the folder's source has not changed since and
# its tests were only added to: the other mutants keep their status (tools/mutation-retest.py
# checks the source is the same and prints the combined score at the end, also saved as
# combined.txt beside the reports).
#
# Reports (dots on the console, JSON and HTML) go to artifacts/mutation/<Folder>/<timestamp>/
# (artifacts/ is git-ignored). Concurrency defaults to 1 (one test process at a time);
# pass --concurrency N to use more cores on an idle machine.
set -euo pipefail

if [[ $# -lt 1 || "$1" == -* ]]; then
  echo "usage: bash tools/mutation-test.sh <Folder>[,<Folder>...] [extra Stryker options]" >&2
  echo "       <Folder> is a folder of src/Loyalty.Core, e.g. Ledger, Earning, Tiers, Segmentation" >&2
  exit 2
fi

IFS=',' read -r -a folders <<< "$1"; shift
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

mutate=()
filter=""
for folder in "${folders[@]}"; do
  if [[ -z "$folder" || ! -d "$root/src/Loyalty.Core/$folder" ]]; then
    echo "error: src/Loyalty.Core/$folder does not exist; pass the name of a folder of src/Loyalty.Core" >&2
    exit 2
  fi
  mutate+=(--mutate "**/$folder/**/*.cs")
  filter+="${filter:+|}FullyQualifiedName~Loyalty.Core.Tests.$folder."
done
name="$(IFS=+; echo "${folders[*]}")"

if [[ -n "${MUTATION_RETEST:-}" ]]; then
  previous="$(cd "$(dirname "$MUTATION_RETEST")" && pwd)/$(basename "$MUTATION_RETEST")"
  spans="$(python3 "$root/tools/mutation-retest.py" spans "$previous" "$(IFS=,; echo "${folders[*]}")")"
  mutate=()
  while IFS= read -r pattern; do mutate+=(--mutate "$pattern"); done <<< "$spans"
  name="$name-retest"
fi

output="$root/artifacts/mutation/$name/$(date -u +%Y-%m-%dT%H-%M-%SZ)"
mkdir -p "$output"

# LocalCalendarTests sweep every transition of every zone of the time-zone database (30 s and
# more on a loaded machine); they pin Internal/LocalCalendar, not the folders measured here, and a
# mutant that has to run them would hit Stryker's timeout and be counted as detected.
filter="(${filter})&FullyQualifiedName!~LocalCalendarTests"

if [[ "${MUTATION_TESTS:-folder}" == "all" ]]; then
  filter=""
fi

cd "$root"
dotnet tool restore >/dev/null

cd "$root/tests/Loyalty.Core.Tests"
# Theories are not enumerated at discovery in mutation runs (see Loyalty.Core.Tests.csproj).
export LoyaltyMutationRun=true
args=(
  --config-file "$root/tools/stryker-config.json"
  --project Loyalty.Core.csproj
  "${mutate[@]}"
  --reporter dots --reporter json --reporter html
  --output "$output"
  --skip-version-check
)
if [[ -n "$filter" ]]; then
  args+=(--test-case-filter "$filter")
fi

echo "Stryker on src/Loyalty.Core/{${name//+/,}}; reports in ${output#"$root"/}" >&2
if [[ -z "${MUTATION_RETEST:-}" ]]; then
  exec dotnet dotnet-stryker "${args[@]}" "$@"
fi
dotnet dotnet-stryker "${args[@]}" "$@"
python3 "$root/tools/mutation-retest.py" merge "$previous" "$output/reports/mutation-report.json" | tee "$output/combined.txt"
