#!/usr/bin/env python3
"""Re-test only the mutants a previous Stryker.NET run left alive, and combine the two runs.

    python3 tools/mutation-retest.py spans <previous mutation-report.json> <Folder>[,<Folder>...]
    python3 tools/mutation-retest.py merge <previous mutation-report.json> <new mutation-report.json>

A full run of one folder takes about an hour on two cores. When the folder's source has not
changed since a measured run and its tests have only been added to (none removed or edited),
every mutant that run killed is still killed by the same tests: only its survivors and its
uncovered mutants can change status. `spans` prints one Stryker --mutate pattern per file,
limited to the lines of those mutants (Stryker's `{start..end}` text spans, in characters);
`tools/mutation-test.sh` uses it when MUTATION_RETEST names the previous report. `merge` then
takes every mutant of the previous report, keeps its status if it was killed or timed out,
and otherwise takes the status the new run gave the same mutant (same file, location,
mutator and replacement), and prints the per-folder table of tools/mutation-summary.py for
the combined result, followed by the mutants still alive.

A file whose source changed since the previous run (or that it did not have) is tested whole
again, and the combined result takes all of that file's statuses from the new run: the
previous ones do not describe its code. A file that the new run did not test keeps its
previous statuses only when `spans` found it unchanged in the working tree when the run
started.
"""
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
mutation_summary = __import__("mutation-summary")

ALIVE = ("Survived", "NoCoverage")
DETECTED = ("Killed", "Timeout")


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def load(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except OSError as error:
        fail(f"cannot read the report {path}: {error.strerror}; pass the mutation-report.json of a finished run")
    except json.JSONDecodeError as error:
        fail(f"{path} is not a Stryker JSON report ({error.msg} at line {error.lineno})")


def relative(path):
    path = path.replace("\\", "/")
    marker = "src/Loyalty.Core/"
    return path[path.index(marker):] if marker in path else path


def files_of(report):
    return {relative(path): file for path, file in report["files"].items()}


def line_offsets(source):
    offsets = [0]
    for index, char in enumerate(source):
        if char == "\n":
            offsets.append(index + 1)
    return offsets


IGNORED_SOURCE = "File ignored by mutate filter"


def spans(previous_path, folders):
    previous = files_of(load(previous_path))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    on_disk = set()
    for folder in folders:
        for directory, _, names in os.walk(os.path.join(root, "src", "Loyalty.Core", folder)):
            on_disk.update(relative(os.path.join(directory, name)) for name in names if name.endswith(".cs"))
    patterns = []
    for path in sorted(on_disk | {p for p in previous if mutation_summary.folder_of(p) in folders}):
        if path not in on_disk:
            continue  # removed since: nothing to mutate, and merge drops its previous statuses
        with open(os.path.join(root, path), encoding="utf-8-sig", newline="") as handle:
            current = handle.read()
        file = previous.get(path)
        if file is None or file["source"] != current:
            print(f"{path} changed since the previous run: all its mutants are tested again", file=sys.stderr)
            patterns.append("**/" + path)
            continue
        alive = [m for m in file["mutants"] if m["status"] in ALIVE]
        if not alive:
            continue
        offsets = line_offsets(current)
        ranges = []
        for mutant in alive:
            first = mutant["location"]["start"]["line"] - 1
            last = mutant["location"]["end"]["line"]
            end = offsets[last] - 1 if last < len(offsets) else len(current)
            ranges.append((offsets[first], end))
        ranges.sort()
        merged = []
        for start, end in ranges:
            if merged and start <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        patterns.append("**/" + path + "".join(f"{{{s}..{e}}}" for s, e in merged))
    if not patterns:
        fail(f"the previous report has no surviving or uncovered mutant in {', '.join(sorted(folders))} "
             "and no file changed since: there is nothing to re-test")
    print("\n".join(patterns))
    return 0


def key(mutant):
    location = mutant["location"]
    return (location["start"]["line"], location["start"]["column"], location["end"]["line"],
            location["end"]["column"], mutant["mutatorName"], mutant.get("replacement"))


def merge(previous_path, new_path):
    previous, new = files_of(load(previous_path)), files_of(load(new_path))
    totals = defaultdict(lambda: defaultdict(int))
    still_alive = []
    retested = defaultdict(int)
    folders = {mutation_summary.folder_of(p) for p, f in previous.items()
               if any(m["status"] in mutation_summary.COUNTED for m in f["mutants"])}
    tested_again = {p for p, f in new.items() if f["source"] != IGNORED_SOURCE}
    for path in sorted(set(previous) | tested_again):
        file = previous.get(path)
        folder = mutation_summary.folder_of(path)
        if folder not in folders:
            continue
        if path in tested_again and (file is None or new[path]["source"] != file["source"]):
            # Changed since the previous run: the new run tested the whole file again.
            for mutant in new[path]["mutants"]:
                if mutant["status"] in mutation_summary.COUNTED:
                    totals[folder][mutant["status"]] += 1
                    retested[("changed file", mutant["status"])] += 1
                    if mutant["status"] in ALIVE:
                        still_alive.append((path, mutant))
            continue
        counted = [m for m in file["mutants"] if m["status"] in mutation_summary.COUNTED]
        alive = [m for m in counted if m["status"] in ALIVE]
        by_key = {}
        if alive:
            if path not in tested_again:
                fail(f"{path} has surviving mutants in {previous_path} but none were tested in {new_path}")
            by_key = {key(m): m for m in new[path]["mutants"]}
        for mutant in counted:
            status = mutant["status"]
            if status in ALIVE:
                match = by_key.get(key(mutant))
                if match is None or match["status"] not in mutation_summary.COUNTED:
                    line = mutant["location"]["start"]["line"]
                    fail(f"{path}:{line} {mutant['mutatorName']} was alive in the previous run but the new run "
                         f"did not test it ({match['status'] if match else 'not created'})")
                retested[(status, match["status"])] += 1
                status = match["status"]
                if status in ALIVE:
                    still_alive.append((path, match))
            totals[folder][status] += 1
    print("Combined: statuses of the previous run, with its surviving and uncovered mutants and its changed files re-tested")
    mutation_summary.print_table(totals)
    for (before, after), count in sorted(retested.items()):
        print(f"  {count} mutants {before} before are {after} now")
    for path, mutant in still_alive:
        print(f"{path}:{mutant['location']['start']['line']}: {mutant['status']} {mutant['mutatorName']} "
              f"-> {' '.join(str(mutant.get('replacement', '')).split())[:120]}")
    return 0


def main(argv):
    if len(argv) == 4 and argv[1] == "spans":
        return spans(argv[2], set(argv[3].split(",")))
    if len(argv) == 4 and argv[1] == "merge":
        return merge(argv[2], argv[3])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
