#!/usr/bin/env python3
"""Per-folder summary of a Stryker.NET JSON report (mutation-report.json).

    python3 tools/mutation-summary.py artifacts/mutation/<Folder>/<timestamp>/reports/mutation-report.json [--survivors]
    python3 tools/mutation-summary.py --log artifacts/mutation/<Folder>/<timestamp>/logs/log-<date>.txt [--survivors]

Prints, for each folder of src/Loyalty.Core that has tested mutants: mutants tested,
killed, survived, timeout, no coverage and the mutation score
(killed + timeout) / (killed + timeout + survived + no coverage), the same formula as Stryker.
With --survivors, also lists every surviving and uncovered mutant (file:line, mutator, replacement).

--log reads the trace log of a run started with --log-to-file instead, so that a run stopped
before the end (Stryker writes its reports only at the end) can still be counted: the mutants
tested so far, by the result of their test run ("failed" = killed, "success" = survived,
"timeout"), plus the mutants of the folder that no test covers. Mutants tested in a group
whose run failed are only counted as undetermined. Lines are not in the log, so
survivors are listed with the original and mutated code.
"""
import json
import sys
from collections import defaultdict

COUNTED = ("Killed", "Survived", "Timeout", "NoCoverage")


def folder_of(path):
    parts = path.replace("\\", "/").split("/")
    return parts[parts.index("Loyalty.Core") + 1] if "Loyalty.Core" in parts else parts[0]


def from_log(path, show_survivors):
    import re
    text = open(path, encoding="utf-8", errors="replace").read()
    entry = re.compile(r"^\S+\s+\[\w+\] (.*?)(?=^\d{4}-\d\d-\d\dT|\Z)", re.S | re.M)
    current = None
    files = {}
    mutants = {}
    results = {}
    uncovered = set()
    for match in entry.finditer(text):
        message = match.group(1)
        m = re.match(r'Mutating "(.*?)"', message)
        if m:
            current = m.group(1)
            continue
        m = re.match(r'Mutant (\d+) created "(.*)" -> "(.*)" using "(?:.*\.)?(\w+)"', message, re.S)
        if m and current is not None:
            mutant = int(m.group(1))
            files[mutant] = current
            mutants[mutant] = (m.group(4), m.group(2), m.group(3))
            continue
        m = re.match(r"Mutant (\d+) is not covered by any test", message)
        if m:
            uncovered.add(int(m.group(1)))
            continue
        m = re.match(r'Test run for "(.*)" is "(\w+)"', message, re.S)
        if m:
            ids = [int(i.group(1)) for i in re.finditer(r"(?:^|,)\s*(\d+):", m.group(1))]
            # A failed run of several mutants (Stryker groups mutants whose tests do not
            # overlap) does not say which of them the failing tests killed.
            outcome = m.group(2) if len(ids) == 1 or m.group(2).lower() != "failed" else "undetermined"
            for mutant in ids:
                results[mutant] = outcome
    status_of = {"failed": "Killed", "success": "Survived", "timeout": "Timeout"}
    totals = defaultdict(lambda: defaultdict(int))
    tested_folders = {folder_of(files[i]) for i in results if i in files}
    survivors = []
    undetermined = 0
    for mutant, result in results.items():
        if mutant not in files:
            continue
        if result == "undetermined":
            undetermined += 1
            continue
        status = status_of.get(result.lower(), "Survived")
        totals[folder_of(files[mutant])][status] += 1
        if status == "Survived":
            survivors.append(mutant)
    for mutant in uncovered:
        if mutant in files and folder_of(files[mutant]) in tested_folders and mutant not in results:
            totals[folder_of(files[mutant])]["NoCoverage"] += 1
    print_table(totals)
    if undetermined:
        print(f"{undetermined} more mutants were tested in groups that failed; the log does not say which of them"
              " were killed (the console's dots count them: '.' killed, 'S' survived, 'T' timeout).")
    if show_survivors:
        for mutant in sorted(survivors):
            mutator, original, replacement = mutants[mutant]
            short = files[mutant].split("src/Loyalty.Core/")[-1]
            flat = lambda t: " ".join(t.split())[:140]
            print(f"{short}: #{mutant} {mutator}: {flat(original)}  ->  {flat(replacement)}")
    return 0


def print_table(totals):
    print(f"{'folder':<14}{'mutants':>9}{'killed':>8}{'survived':>10}{'timeout':>9}{'no cov.':>9}{'score':>9}")
    for folder, counts in sorted(totals.items()):
        tested = sum(counts[s] for s in COUNTED)
        detected = counts["Killed"] + counts["Timeout"]
        score = 100.0 * detected / tested if tested else 0.0
        print(f"{folder:<14}{tested:>9}{counts['Killed']:>8}{counts['Survived']:>10}{counts['Timeout']:>9}"
              f"{counts['NoCoverage']:>9}{score:>8.1f}%")


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if argv[1] == "--log":
        return from_log(argv[2], "--survivors" in argv[3:])
    with open(argv[1], encoding="utf-8") as handle:
        report = json.load(handle)
    show_survivors = "--survivors" in argv[2:]
    totals = defaultdict(lambda: defaultdict(int))
    survivors = []
    for path, file in sorted(report["files"].items()):
        folder = folder_of(path)
        for mutant in file["mutants"]:
            status = mutant["status"]
            if status not in COUNTED:
                continue
            totals[folder][status] += 1
            if status in ("Survived", "NoCoverage"):
                line = mutant["location"]["start"]["line"]
                survivors.append((path, line, status, mutant["mutatorName"], mutant.get("replacement", "")))
    print_table(totals)
    if show_survivors:
        for path, line, status, mutator, replacement in survivors:
            short = path.split("src/Loyalty.Core/")[-1]
            print(f"{short}:{line}: {status}: {mutator}: {replacement.replace(chr(10), ' ')[:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
