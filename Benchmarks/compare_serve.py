#!/usr/bin/env python3
"""Two builds of `bulletin` compared on preview rebuilds (a script, not a test).

Runs `bulletin serve` with each binary in turn (A B A B ..., ROUNDS each) on a copy of a generated archive of
SIZE bulletins (default 10000, made as `compare_hugo.py` makes it) and appends a paragraph to EDITS bulletins per
session, timing each from the write to the reload event an open page receives. Prints every session's times
and, per binary, the medians of those times and of the rebuilds' own times. For judging a change to the
incremental path: this machine varies too much from run to run for figures taken at different times.

usage: Benchmarks/compare_serve.py BINARY_A BINARY_B [--size N] [--rounds N] [--edits N]
(copy a release build aside, e.g. `cp .build/release/bulletin /tmp/bulletin-before`, before changing the code)
"""
import argparse
import glob
import os
import shutil
import statistics
import tempfile

import compare_hugo


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binaries", nargs=2)
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--edits", type=int, default=4)
    args = parser.parse_args()
    source = compare_hugo.corpus(args.size, os.path.join(tempfile.gettempdir(), "bulletin-bench"))
    copy = f"/dev/shm/bulletin-serve-compare-{args.size}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(source, copy)
    files = sorted(glob.glob(os.path.join(copy, "content", "**", "*.md"), recursive=True))
    results = {binary: ([], []) for binary in args.binaries}
    edited = 0
    for _ in range(args.rounds):
        for binary in args.binaries:
            compare_hugo.BULLETIN = binary
            picks = [files[((edited + number) * 104729 + 13) % len(files)] for number in range(args.edits)]
            edited += args.edits
            seen, built, rss = compare_hugo.serve_edits(copy, picks)
            results[binary][0].extend(seen)
            results[binary][1].extend(built)
            print(f"{binary}: reload {' '.join(f'{s:.2f}' for s in seen)} s; rebuilds {' '.join(f'{s:.2f}' for s in built)} s; "
                  f"peak RSS {rss:.0f} MiB", flush=True)
    for binary, (seen, built) in results.items():
        print(f"{binary}: median reload {statistics.median(seen):.3f} s, rebuild {statistics.median(built):.3f} s")
    shutil.rmtree(copy, ignore_errors=True)


if __name__ == "__main__":
    main()
