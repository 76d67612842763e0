#!/usr/bin/env python3
"""Print-edition throughput (a script, not a test): PDFs per second for a generated archive.

Generates SIZE bulletins (default 1000) with ../shared/bench/gen_corpus.py into /dev/shm, then with the build
cache: a first `bulletin build --pdf` (every bulletin printed), a rebuild with nothing changed, and a rebuild
after appending a paragraph to one bulletin's body (one PDF printed again). Prints the wall time of each, the
PDFs printed and PDFs per second, beside a build without --pdf of the same archive for comparison.

usage: Benchmarks/print_speed.py [--jobs N] [SIZE]
Needs: a release build (`swift build -c release --product bulletin`) and Debian's chromium.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BULLETIN = os.path.join(ROOT, ".build", "release", "bulletin")
GENERATOR = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")


def build(site, *extra):
    start = time.monotonic()
    result = subprocess.run([BULLETIN, "build", "--source", site, "--destination", os.path.join(site, "output"), *extra],
                            capture_output=True, text=True)
    seconds = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(result.stderr[-2000:])
    printed = re.search(r"\((\d+) printed\)", result.stdout)
    return seconds, int(printed.group(1)) if printed else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("size", nargs="?", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    arguments = parser.parse_args()
    site = f"/dev/shm/bulletin-print-{arguments.size}"
    shutil.rmtree(site, ignore_errors=True)
    subprocess.run([sys.executable, GENERATOR, site, str(arguments.size)], check=True, capture_output=True)
    with open(os.path.join(site, "content", "site.yaml"), "a", encoding="utf-8") as file:
        file.write("\nstat_conflicts: warning\n")
    jobs = ["--jobs", str(arguments.jobs)]
    plain, _ = build(site, "--no-cache", *jobs)
    shutil.rmtree(os.path.join(site, "output"))
    first, printed = build(site, "--pdf", *jobs)
    unchanged, printed_again = build(site, "--pdf", *jobs)
    bulletins = sorted(os.path.join(folder, name) for folder, _, names in os.walk(os.path.join(site, "content")) for name in names
                       if name.endswith(".md"))
    with open(bulletins[len(bulletins) // 2], "a", encoding="utf-8") as file:
        file.write("\n本期补充一段正文，用于测量重建。\n")
    edited, printed_after_edit = build(site, "--pdf", *jobs)
    print(f"{arguments.size} bulletins, --jobs {arguments.jobs}")
    print(f"  build without --pdf (no cache)          {plain:7.2f} s")
    print(f"  first build with --pdf                  {first:7.2f} s  {printed} PDFs printed, {printed / (first - plain):.1f} PDFs/s "
          f"over the build without PDFs")
    print(f"  rebuild, nothing changed                {unchanged:7.2f} s  {printed_again} PDFs printed")
    print(f"  rebuild after one body edit             {edited:7.2f} s  {printed_after_edit} PDF printed")
    shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()
