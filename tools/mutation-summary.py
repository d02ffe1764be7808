#!/usr/bin/env python3
"""Per-folder summary of a Stryker.NET JSON report (mutation-report.json).

    python3 tools/mutation-summary.py artifacts/mutation/<Folder>/<timestamp>/reports/mutation-report.json [--survivors]

Prints, for each folder of src/Loyalty.Core that has tested mutants: mutants tested,
killed, survived, timeout, no coverage and the mutation score
(killed + timeout) / (killed + timeout + survived + no coverage), the same formula as Stryker.
With --survivors, also lists every surviving and uncovered mutant (file:line, mutator, replacement).
"""
import json
import sys
from collections import defaultdict

COUNTED = ("Killed", "Survived", "Timeout", "NoCoverage")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as handle:
        report = json.load(handle)
    show_survivors = "--survivors" in argv[2:]
    totals = defaultdict(lambda: defaultdict(int))
    survivors = []
    for path, file in sorted(report["files"].items()):
        parts = path.replace("\\", "/").split("/")
        folder = parts[parts.index("Loyalty.Core") + 1] if "Loyalty.Core" in parts else parts[0]
        for mutant in file["mutants"]:
            status = mutant["status"]
            if status not in COUNTED:
                continue
            totals[folder][status] += 1
            if status in ("Survived", "NoCoverage"):
                line = mutant["location"]["start"]["line"]
                survivors.append((path, line, status, mutant["mutatorName"], mutant.get("replacement", "")))
    print(f"{'folder':<14}{'mutants':>9}{'killed':>8}{'survived':>10}{'timeout':>9}{'no cov.':>9}{'score':>9}")
    for folder, counts in sorted(totals.items()):
        tested = sum(counts[s] for s in COUNTED)
        detected = counts["Killed"] + counts["Timeout"]
        score = 100.0 * detected / tested if tested else 0.0
        print(f"{folder:<14}{tested:>9}{counts['Killed']:>8}{counts['Survived']:>10}{counts['Timeout']:>9}"
              f"{counts['NoCoverage']:>9}{score:>8.1f}%")
    if show_survivors:
        for path, line, status, mutator, replacement in survivors:
            short = path.split("src/Loyalty.Core/")[-1]
            print(f"{short}:{line}: {status}: {mutator}: {replacement.replace(chr(10), ' ')[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
