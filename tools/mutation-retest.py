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

Both commands refuse to go on when a file's source differs between the previous report and
the working tree (spans) or the new report (merge): the previous statuses would not be
those of the code measured.
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


def spans(previous_path, folders):
    previous = load(previous_path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    patterns = []
    for path, file in sorted(files_of(previous).items()):
        if mutation_summary.folder_of(path) not in folders:
            continue
        alive = [m for m in file["mutants"] if m["status"] in ALIVE]
        if not alive:
            continue
        on_disk = os.path.join(root, path)
        try:
            with open(on_disk, encoding="utf-8-sig", newline="") as handle:
                current = handle.read()
        except OSError:
            fail(f"{path} is in the previous report but not in the working tree; run a full measurement instead")
        if current != file["source"]:
            fail(f"{path} changed since the previous run; its statuses no longer describe this code, "
                 "run a full measurement instead")
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
        fail(f"the previous report has no surviving or uncovered mutant in {', '.join(sorted(folders))}")
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
    for path, file in sorted(previous.items()):
        counted = [m for m in file["mutants"] if m["status"] in mutation_summary.COUNTED]
        if not counted:
            continue
        alive = [m for m in counted if m["status"] in ALIVE]
        by_key = {}
        if alive:
            if path not in new or not new[path]["mutants"]:
                fail(f"{path} has surviving mutants in {previous_path} but none were tested in {new_path}")
            if new[path]["source"] != file["source"]:
                fail(f"{path} differs between the two reports; the previous statuses do not describe the code "
                     "the new run tested")
            by_key = {key(m): m for m in new[path]["mutants"]}
        folder = mutation_summary.folder_of(path)
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
    print("Combined: statuses of the previous run, with its surviving and uncovered mutants re-tested")
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
