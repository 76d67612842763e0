#!/usr/bin/env python3
"""Checks the print editions (bulletin.pdf) of built sites with poppler-utils, as a reader's tools would see them.

usage: scripts/print_check.py BULLETIN SAMPLE_SOURCE RICH_SOURCE WORKDIR

Builds the sample site and the rich fixture with --pdf into WORKDIR, then checks, for the sample's 305 issue
and the rich fixture's long table: A4 pages and the expected page count (pdfinfo), every font embedded
(pdffonts), the text in reading order equal to the plain-text edition's words and each page's foot carrying its
`— N —` (pdftotext), the red masthead and rule at the top of page one and the 版记 rules at the foot of the
last page (pdftoppm), a table's header row repeated on the page it continues on, the document information
(title, author, subject, creation date from the bulletin), byte-identical PDFs from two clean builds, and no
PDF printed again by a rebuild with nothing changed.
"""
import collections
import difflib
import os
import re
import shutil
import subprocess
import sys

from checks import check, summary

def run(*arguments):
    return subprocess.run(arguments, capture_output=True, text=True, check=True).stdout


def words(text):
    """The letters, digits and CJK characters of a text, in order: what both editions must share (a date the text
    edition's tables give as 2016-12-31 is the page's 2016年12月31日)."""
    text = re.sub(r"(\d{4})-(\d{2})-(\d{2})", lambda m: f"{m[1]}年{int(m[2])}月{int(m[3])}日", text)
    return re.sub(r"[\W_]+", "", text)


def pdf_info(path):
    return dict((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in run("pdfinfo", path).splitlines() if ":" in line))


def page_texts(path):
    return run("pdftotext", "-layout", path, "-").split("\f")[:-1]


def ppm(path, page, resolution=30):
    data = subprocess.run(["pdftoppm", "-r", str(resolution), "-f", str(page), "-l", str(page), "-singlefile", path],
                          capture_output=True, check=True).stdout
    parts = data.split(b"\n", 3)
    width, height = (int(v) for v in parts[1].split())
    return width, height, parts[3]


def rows_matching(width, height, pixels, predicate):
    """The rows of an image where more than half the pixels satisfy `predicate` (rules drawn across it)."""
    found = []
    for y in range(height):
        row = pixels[y * width * 3:(y + 1) * width * 3]
        count = sum(1 for x in range(width) if predicate(row[x * 3], row[x * 3 + 1], row[x * 3 + 2]))
        if count > width * 0.5:
            found.append(y)
    return found


def is_red(r, g, b):
    return r > 150 and g < 90 and b < 90


def is_dark(r, g, b):
    return r < 110 and g < 110 and b < 110


def check_pdf(name, pdf, text_edition, bulletin, expected_pages):
    info = pdf_info(pdf)
    check("(A4)" in info.get("Page size", ""), f"{name}: A4 pages ({info.get('Page size')})")
    pages = int(info.get("Pages", "0"))
    check(pages == expected_pages, f"{name}: {pages} pages, {expected_pages} expected")
    check(info.get("Title") == bulletin["title"], f"{name}: title {info.get('Title')!r}")
    check(info.get("Author") == "、".join(bulletin["publishers"]), f"{name}: author {info.get('Author')!r}")
    check(info.get("Subject", "").endswith(bulletin["issue_label"]), f"{name}: subject {info.get('Subject')!r}")
    created = dict((k.strip(), v.strip()) for k, v in (line.split(":", 1) for line in run("pdfinfo", "-isodates", pdf).splitlines()
                                                            if ":" in line)).get("CreationDate", "")
    check(created == bulletin["date_iso"] + "T00:00:00+08", f"{name}: created on the bulletin's date, at midnight in the site's zone ({created})")
    check(info.get("Tagged") == "yes", f"{name}: tagged for screen readers")
    fonts = run("pdffonts", pdf).splitlines()[2:]
    check(fonts and all(line.split()[-5] == "yes" for line in fonts), f"{name}: every font embedded ({len(fonts)} fonts)")
    texts = page_texts(pdf)
    feet = [next((line.strip() for line in reversed(text.splitlines()) if line.strip()), "") for text in texts]
    check(feet == [f"—{n}—" for n in range(1, pages + 1)] or feet == [f"— {n} —" for n in range(1, pages + 1)],
          f"{name}: each page's foot has its — N — {feet}")
    # A table's header row repeated at the top of a page it continues on is printed once more than in text.
    pages_text = [re.sub(r"^\s*—\s*\d+\s*—\s*$", "", text, flags=re.M) for text in texts]
    lines = open(text_edition, encoding="utf-8").read().splitlines()
    headers = {words(lines[i + 1]) for i in range(len(lines) - 2) if lines[i].startswith("━") and lines[i + 2].startswith("─")}
    headers |= {words("项目 数值 截至"), words("项目 数值")}  # the figures' table
    kept = [pages_text[0]] + ["\n".join(text.lstrip("\n").split("\n")[1:]) if words(text.lstrip("\n").split("\n")[0]) in headers
                               else text for text in pages_text[1:]]
    printed, plain = words("".join(kept)), words(open(text_edition, encoding="utf-8").read())
    # The text edition wraps a long cell onto lines of its own, between the cells of the next rows: the same
    # characters, in nearly the same order.
    similarity = difflib.SequenceMatcher(None, printed, plain, autojunk=False).ratio()
    if printed != plain:
        at = next((i for i, (a, b) in enumerate(zip(printed, plain)) if a != b), min(len(printed), len(plain)))
        print(f"  printed: …{printed[max(0, at - 20):at + 40]}\n  text:    …{plain[max(0, at - 20):at + 40]}")
    check(collections.Counter(printed) == collections.Counter(plain) and similarity >= 0.98,
          f"{name}: the PDF has the plain-text edition's words, in its reading order ({len(printed)} characters, "
          f"order {similarity:.3f} alike, 1 where no table cell wraps)")
    width, height, pixels = ppm(pdf, 1)
    red = rows_matching(width, height, pixels, is_red)
    red_pixels = sum(1 for i in range(0, len(pixels), 3) if is_red(pixels[i], pixels[i + 1], pixels[i + 2]))
    check(red_pixels > 200 and red and red[0] < height * 0.35,
          f"{name}: page one has the red masthead ({red_pixels} red pixels) and its rule near the top (row {red[:1]} of {height})")
    width, height, pixels = ppm(pdf, pages, 60)
    rules = [row for row in rows_matching(width, height, pixels, is_dark) if row > height * 0.6]
    type_area_foot = height * (297 - 35) / 297
    check(len(rules) >= 2 and type_area_foot - 6 <= rules[-1] <= type_area_foot + 2,
          f"{name}: the 版记 rules sit at the foot of the last page (rows {rules} of {height}, type area ends at {type_area_foot:.0f})")
    return texts


def bulletin_of(site, url):
    import json
    for record in json.load(open(os.path.join(site, "data", "bulletins.json"), encoding="utf-8")):
        if record["url"].endswith(url):
            label = f"第{record['issue']}期" + (f"（总第{record['serial']}期）" if record.get("serial") else "")
            return {"title": record["title"], "publishers": record["publishers"], "issue_label": label, "date_iso": record["date"]}
    raise SystemExit(f"no bulletin at {url}")


def build(bulletin, source, destination, *extra):
    return run(bulletin, "build", "--source", source, "--destination", destination, "--pdf", *extra)


def main():
    bulletin, sample, rich, work = sys.argv[1:5]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    first, second = os.path.join(work, "sample-1"), os.path.join(work, "sample-2")
    print(build(bulletin, sample, first, "--no-cache").strip())
    build(bulletin, sample, second, "--no-cache")
    pdf = os.path.join(first, "bulletins", "2017", "305", "bulletin.pdf")
    check_pdf("sample 305", pdf, os.path.join(first, "bulletins", "2017", "305", "bulletin.txt"),
              bulletin_of(first, "bulletins/2017/305/"), 7)
    same = open(pdf, "rb").read() == open(os.path.join(second, "bulletins", "2017", "305", "bulletin.pdf"), "rb").read()
    check(same, "sample 305: two clean builds print byte-identical PDFs")
    page = open(os.path.join(first, "bulletins", "2017", "305", "index.html"), encoding="utf-8").read()
    check('href="../../../bulletins/2017/305/bulletin.pdf"' in page, "sample 305: the page links to its PDF")

    site = os.path.join(work, "rich-site")
    shutil.copytree(rich, site)
    output = os.path.join(work, "rich")
    print(build(bulletin, site, output).strip())
    long = os.path.join(output, "xxjl", "2017", "306", "bulletin.pdf")
    texts = check_pdf("rich 306 (a long table)", long, os.path.join(output, "xxjl", "2017", "306", "bulletin.txt"),
                      bulletin_of(output, "xxjl/2017/306/"), 3)
    continued = [text.strip().split("\n")[0] for text in texts[1:]]
    check(continued and all("序号" in line and "服务时长" in line for line in continued),
          f"rich 306: the table's header row is repeated on every page it continues on {continued}")
    again = build(bulletin, site, output)
    check("(0 printed)" in again, f"rich: a rebuild with nothing changed prints no PDF again ({again.strip()})")
    return summary()


if __name__ == "__main__":
    sys.exit(main())
