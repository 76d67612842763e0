#!/usr/bin/env python3
"""Checks the built sample site in a real browser (Debian's headless Chromium through Selenium).

Builds nothing itself: takes the folder of a built site, serves it on 127.0.0.1 and, for the home page, the
305 bulletin, the stats overview and the exemplar index at phone (390 px) and desktop (1280 px) widths:
saves a screenshot, asserts no horizontal scrolling at phone width, no console errors, the masthead red and
the Chinese text set in an installed CJK font, and the accessibility basics (lang, one h1, ordered headings,
landmarks, labelled charts, a visible focus ring, contrast of the red). Then prints the 305 bulletin to PDF
and checks A4 pages, the page count, page numbers `— N —` and the red masthead on page one (with pdfinfo,
pdftotext and pdftoppm), keeping a PNG of page one.

With the built fixture archive as a third argument, also checks the ranking of search results there.

With --hostile (the built fixture Tests/BulletinTests/Fixtures/hostile: `unsafe_html: true` and a bulletin
carrying `<script>document.title='pwned'</script>`), checks that the page's Content-Security-Policy refuses
the inline script (a violation in the console, the title unchanged) while the page's own stylesheet applies.
With --serve BULLETIN SOURCE, runs `BULLETIN serve` on SOURCE (a copy it may edit) and checks that served
pages load the reload script under the same policy without console errors and reload after an edit.

usage: browser_check.py SITE_DIR ARTIFACTS_DIR [ARCHIVE_SITE_DIR] [--hostile DIR] [--serve BULLETIN SOURCE]
The search page: the shared tokenizer vectors run through templates/static/search.js, then queries typed
into the page (a substring of a name, a phrase, a number, a Latin word, a number in plain form, a query
with no hits) with their results, highlighted snippets, filters, the URL and the keyboard; a screenshot.

Prints 'N passed, N failed' last; exits 1 when any check failed.
"""
import argparse
import base64
import functools
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from checks import check, summary

PAGES = {
    "home": "",
    "bulletin-305": "bulletins/2017/305/",
    "stats": "stats/",
    "exemplars": "exemplars/",
    "search": "search/?q=%E9%9D%92%E8%8D%B7",
}
VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "BulletinTests", "Fixtures", "search",
                       "tokenizer-vectors.json")
WIDTHS = {"phone": 390, "desktop": 1280}
MASTHEAD_RED = (200, 22, 29)

class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(directory):
    handler = functools.partial(QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)


def relative_luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def rgb(css):
    values = css[css.index("(") + 1:css.index(")")].split(",")
    return tuple(int(float(v)) for v in values[:3])


def platform_fonts(driver, selector):
    document = driver.execute_cdp_cmd("DOM.getDocument", {"depth": 0})
    node = driver.execute_cdp_cmd("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector})
    driver.execute_cdp_cmd("CSS.enable", {})
    fonts = driver.execute_cdp_cmd("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})
    return [font["familyName"] for font in fonts["fonts"]]


def accessibility(driver, name):
    check(driver.execute_script("return document.documentElement.lang") == "zh-CN", f"{name}: lang is zh-CN")
    check(len(driver.find_elements(By.TAG_NAME, "h1")) == 1, f"{name}: exactly one h1")
    levels = driver.execute_script(
        "return Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => Number(h.tagName[1]))")
    check(levels and levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:])),
          f"{name}: headings in order {levels[:12]}")
    for landmark in ["header", "nav", "main", "footer"]:
        check(len(driver.find_elements(By.CSS_SELECTOR, landmark)) >= 1, f"{name}: has a <{landmark}> landmark")
    unlabelled = driver.execute_script(
        "return Array.from(document.querySelectorAll('svg')).filter(s => !(s.getAttribute('role') === 'img'"
        " && s.getAttribute('aria-labelledby') && s.querySelector('title'))).length")
    check(unlabelled == 0, f"{name}: every chart is an image labelled by its title")
    missing_alt = driver.execute_script("return document.querySelectorAll('img:not([alt])').length")
    check(missing_alt == 0, f"{name}: every img has alt text")


def main():
    parser = argparse.ArgumentParser(description="Checks built sites in headless Chromium.")
    parser.add_argument("site")
    parser.add_argument("artifacts")
    parser.add_argument("archive", nargs="?")
    parser.add_argument("--hostile", metavar="DIR", help="the built hostile fixture site")
    parser.add_argument("--rich", metavar="DIR", help="the built rich fixture site (tables, photos, attachments, two series)")
    parser.add_argument("--serve", nargs=2, metavar=("BULLETIN", "SOURCE"), help="the bulletin binary and a site to preview")
    arguments = parser.parse_args()
    site, artifacts = arguments.site, arguments.artifacts
    os.makedirs(artifacts, exist_ok=True)
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    driver = browser()
    try:
        for width_name, width in WIDTHS.items():
            driver.set_window_size(width, 900)
            for name, path in PAGES.items():
                label = f"{name} at {width}px"
                driver.get(base + path)
                driver.get_log("browser")  # drop entries from before this page
                driver.get(base + path)
                height = driver.execute_script("return document.documentElement.scrollHeight")
                driver.set_window_size(width, min(max(height, 900), 16000))
                shot = os.path.join(artifacts, f"{name}-{width_name}.png")
                driver.save_screenshot(shot)
                driver.set_window_size(width, 900)
                check(os.path.getsize(shot) > 0, f"{label}: screenshot saved to {shot}")
                errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
                check(not errors, f"{label}: no console errors {[e['message'] for e in errors]}")
                if width_name == "phone":
                    overflow = driver.execute_script(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    check(overflow <= 0, f"{label}: no horizontal scrolling (overflow {overflow}px)")
                    accessibility(driver, name)
                if name == "bulletin-305":
                    color = rgb(driver.execute_script(
                        "return getComputedStyle(document.querySelector('.masthead-series')).color"))
                    check(color == MASTHEAD_RED, f"{label}: masthead is red {color}")
                    rule = rgb(driver.execute_script(
                        "return getComputedStyle(document.querySelector('.masthead-rule')).borderTopColor"))
                    check(rule == MASTHEAD_RED, f"{label}: masthead rule is red {rule}")
                    check(contrast(color, (255, 255, 255)) >= 4.5,
                          f"{label}: red on white contrast {contrast(color, (255, 255, 255)):.2f} >= 4.5")
                    fonts = platform_fonts(driver, ".bulletin-title")
                    check(any("CJK" in font or "Noto" in font for font in fonts),
                          f"{label}: Chinese text falls back to an installed CJK font {fonts}")
        driver.get(base + PAGES["home"])
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
        outline = driver.execute_script(
            "const s = getComputedStyle(document.activeElement); return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]")
        check(outline[0] == "A" and outline[1] != "none" and outline[2] != "0px", f"keyboard focus is visible {outline}")

        search_checks(driver, base, artifacts)
        if arguments.archive:
            ranking_checks(driver, arguments.archive)
        if arguments.hostile:
            csp_checks(driver, arguments.hostile)
        if arguments.rich:
            rich_checks(driver, arguments.rich, artifacts)
        if arguments.serve:
            serve_checks(driver, *arguments.serve)

        driver.get(base + PAGES["bulletin-305"])
        pdf = base64.b64decode(driver.execute_cdp_cmd(
            "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"])
        pdf_path = os.path.join(artifacts, "bulletin-305.pdf")
        with open(pdf_path, "wb") as file:
            file.write(pdf)
        info = subprocess.run(["pdfinfo", pdf_path], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        size = fields.get("Page size", "").strip()
        check("(A4)" in size, f"print: A4 pages ({size})")
        pages = int(fields.get("Pages", "0").strip())
        check(2 <= pages <= 12, f"print: {pages} pages")
        text = subprocess.run(["pdftotext", "-layout", pdf_path, "-"], capture_output=True, text=True, check=True).stdout
        numbers = [int(n) for n in re.findall(r"—\s*(\d+)\s*—", text)]
        check(numbers == list(range(1, pages + 1)), f"print: page numbers — N — on every page {numbers}")
        boxes = subprocess.run(["pdftotext", "-bbox", pdf_path, "-"], capture_output=True, text=True, check=True).stdout
        lefts = [float(v) for v in re.findall(r'<word xMin="([0-9.]+)"', boxes)]
        rights = [float(v) for v in re.findall(r'xMax="([0-9.]+)"', boxes)]
        # GB/T 9704: left margin 28 mm (79.4 pt), right margin 26 mm (73.7 pt) on a 595.3 pt wide page.
        check(min(lefts) >= 78.5 and max(rights) <= 522.5,
              f"print: text within the GB/T 9704 side margins (x from {min(lefts):.1f} to {max(rights):.1f} pt)")
        check("往期" not in text and "纯文本版" not in text, "print: site navigation and screen-only links are not printed")
        first_page = text.split("\f")[0]
        check("第1期（总第305期）" in first_page and "坚持“四化”标准" in first_page,
              "print: masthead and title on page one")
        png_prefix = os.path.join(artifacts, "bulletin-305-page")
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", pdf_path, png_prefix], check=True)
        ppm = subprocess.run(["pdftoppm", "-r", "30", "-f", "1", "-l", "1", "-singlefile", pdf_path], capture_output=True,
                             check=True).stdout
        check(red_pixels(ppm) > 200, f"print: red masthead and rule on page one ({red_pixels(ppm)} red pixels), "
                                     f"page one kept as {png_prefix}.png")
    finally:
        driver.quit()
        server.shutdown()
    return summary()


def search_results(driver, query):
    """Types a query into the search page and waits for its outcome: (status, [(href, title, snippet marks)])."""
    field = driver.find_element(By.ID, "search-query")
    field.clear()
    field.send_keys(query)
    field.send_keys(Keys.ENTER)
    return wait_for_results(driver)


def wait_for_results(driver):
    WebDriverWait(driver, 10).until(lambda d: d.execute_script(
        "const s = document.getElementById('search-status').textContent;"
        "const l = document.getElementById('search-results');"
        "return s && !s.startsWith('正在') && l.getAttribute('aria-busy') !== 'true'"))
    status = driver.find_element(By.ID, "search-status").text
    results = driver.execute_script(
        "return Array.from(document.querySelectorAll('.search-result')).map(r => ["
        " r.querySelector('.entry-title a').getAttribute('href'), r.querySelector('.entry-title').textContent,"
        " Array.from(r.querySelectorAll('.search-snippet mark')).map(m => m.textContent),"
        " r.querySelector('.entry-meta').textContent])")
    return status, results


def search_checks(driver, base, artifacts):
    with open(VECTORS, encoding="utf-8") as file:
        vectors = json.load(file)
    driver.get(base + "search/")
    WebDriverWait(driver, 10).until(lambda d: d.execute_script("return !!window.BulletinSearch"))
    mismatches = driver.execute_script(
        "const v = arguments[0]; const bad = [];"
        "for (const c of v.tokens) { const got = BulletinSearch.tokenStrings(c.text);"
        "  if (JSON.stringify(got) !== JSON.stringify(c.tokens)) bad.push([c.text, got]); }"
        "for (const c of v.queries) { const got = BulletinSearch.parseQuery(c.query).map(t => t.kind + ':' + t.text);"
        "  if (JSON.stringify(got) !== JSON.stringify(c.terms)) bad.push([c.query, got]); }"
        "return bad", vectors)
    count = len(vectors["tokens"]) + len(vectors["queries"])
    check(not mismatches, f"search.js: the {count} shared tokenizer vectors pass {mismatches[:3]}")

    status, results = search_results(driver, "青荷")
    check(len(results) == 1 and results[0][0].endswith("bulletins/2017/305/"),
          f"search 青荷 (inside 小青荷): the 305 bulletin ({status}; {[r[0] for r in results]})")
    check(results and "青荷" in results[0][2], f"search 青荷: snippet highlights 青荷 {results[0][2] if results else ''}")
    check(results and "第1期（总第305期）" in results[0][3] and "2017年3月7日" in results[0][3],
          f"search 青荷: result shows issue and date {results[0][3] if results else ''}")
    check("q=%E9%9D%92%E8%8D%B7" in driver.current_url, f"search 青荷: query kept in the URL {driver.current_url}")
    shot = os.path.join(artifacts, "search-results.png")
    driver.save_screenshot(shot)
    check(os.path.getsize(shot) > 0, f"search: screenshot saved to {shot}")

    for query, mark in [("家庭志愿者", "家庭志愿者"), ("27093", "27093"), ("APP", "APP"), ("19.4万", None), ("194000", None)]:
        status, results = search_results(driver, query)
        check(len(results) == 1 and results[0][0].endswith("bulletins/2017/305/"), f"search {query}: the 305 bulletin ({status})")
        if mark:
            check(results and mark in results[0][2], f"search {query}: snippet highlights {mark} {results[0][2] if results else ''}")

    status, results = search_results(driver, "青荷无此词")
    check(not results and "没有找到" in status, f"search with no hits: a clear message ({status})")

    search_results(driver, "青荷")
    options = driver.execute_script(
        "return ['search-year','search-tag','search-district'].map(id => Array.from(document.getElementById(id).options)"
        ".map(o => o.textContent))")
    check(options[0] == ["全部", "2017（1）"] and "志愿服务（1）" in options[1] and "西湖区（1）" in options[2],
          f"search filters offer the results' year, tags and districts {options}")
    driver.execute_script("const s = document.getElementById('search-district'); s.value = '西湖区';"
                          "s.dispatchEvent(new Event('change'))")
    status, results = wait_for_results(driver)
    check(len(results) == 1 and "district=" in driver.current_url, f"search filter by district keeps the result and the URL ({driver.current_url})")
    driver.get(base + "search/?q=%E9%9D%92%E8%8D%B7&year=2016")
    status, results = wait_for_results(driver)
    check(not results and "没有符合所选条件" in status and driver.find_element(By.ID, "search-query").get_attribute("value") == "青荷",
          f"search state read from the URL, filter with no match explained ({status})")

    driver.get(base + "search/")
    driver.find_element(By.TAG_NAME, "body").send_keys("/")
    check(driver.execute_script("return document.activeElement.id") == "search-query", "search: '/' focuses the search field")
    status, results = search_results(driver, "志愿")
    driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    focused = driver.execute_script("return document.activeElement.closest('.search-result') !== null")
    check(focused, "search: the down arrow moves from the field to the first result")

    driver.get(base)
    box = driver.find_element(By.CSS_SELECTOR, ".site-search input")
    box.send_keys("家庭志愿者")
    box.send_keys(Keys.ENTER)
    status, results = wait_for_results(driver)
    check("/search/" in driver.current_url and len(results) == 1, f"the search box of every page leads to the results ({status})")

    driver.get(base + PAGES["bulletin-305"])
    scripts = driver.execute_script("return document.scripts.length")
    check(scripts == 0, "bulletin pages need no JavaScript")


def ranking_checks(driver, archive):
    server = serve(archive)
    try:
        driver.get(f"http://127.0.0.1:{server.server_address[1]}/search/")
        status, results = search_results(driver, "文明")
        titles = [r[1] for r in results]
        check(len(titles) == 3 and all("文明" in t for t in titles[:2]) and "文明" not in titles[2],
              f"search ranking: matches in the title before matches in the text only {titles}")
        status, results = search_results(driver, "示例市")
        check(len(results) == 4, f"search 示例市 in the archive: 4 bulletins, drafts left out ({status})")
        status, results = search_results(driver, "王某某")
        check(len(results) == 1 and results[0][0].endswith("bulletins/2023/102/"), "search finds an exemplar's name")
    finally:
        server.shutdown()


def table_column(driver, table, column):
    return driver.execute_script(
        "return Array.from(arguments[0].tBodies[0].rows).map(r => r.cells[arguments[1]].textContent)", table, column)


def rich_checks(driver, rich, artifacts):
    """Tables, photos and attachments of the rich fixture on a 390 px phone, and its two series' pages."""
    server = serve(rich)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        driver.set_window_size(390, 900)
        driver.get_log("browser")  # drop entries of earlier checks
        for path in ["", "xxjl/", "cwjb/", "cwjb/2017/305/"]:
            driver.get(base + path)
            errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
            check(not errors, f"rich /{path} at 390px: no console errors {errors}")
        driver.get(base + "xxjl/2017/305/")
        driver.get_log("browser")
        driver.get(base + "xxjl/2017/305/")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        check(overflow <= 0, f"rich bulletin at 390px: the page does not scroll sideways (overflow {overflow}px)")
        tables = driver.find_elements(By.CSS_SELECTOR, "table.data-table")
        check(len(tables) == 4, f"rich bulletin: four tables ({len(tables)})")
        wide = driver.execute_script(
            "const r = document.querySelectorAll('.bulletin-body .table-scroll')[3]; return [r.scrollWidth, r.clientWidth]")
        check(wide[0] > wide[1], f"rich bulletin at 390px: the wide table scrolls sideways inside its region {wide}")
        first = tables[0]
        check(table_column(driver, first, 1) == ["市住建局", "市公安局", "市城管局（含执法支队）", "市交通运输局"],
              "table sorting: rows start in the bulletin's order")
        score = first.find_elements(By.CSS_SELECTOR, "thead th")[2]
        driver.execute_script("arguments[0].scrollIntoView()", score)
        score.find_element(By.TAG_NAME, "button").click()
        ascending = table_column(driver, first, 2)
        check(ascending == ["93.31%", "94.2", "95.6", "1,027"] and score.get_attribute("aria-sort") == "ascending",
              f"table sorting: a click on 得分 sorts by number, ascending {ascending}")
        score.find_element(By.TAG_NAME, "button").click()
        descending = table_column(driver, first, 2)
        check(descending == ["1,027", "95.6", "94.2", "93.31%"] and score.get_attribute("aria-sort") == "descending",
              f"table sorting: a second click reverses the order {descending}")
        unit = first.find_elements(By.CSS_SELECTOR, "thead th")[1]
        unit.find_element(By.TAG_NAME, "button").click()
        check(table_column(driver, first, 2)[0] is not None and score.get_attribute("aria-sort") is None,
              "table sorting: sorting by another column clears the first one's state")
        image = driver.find_element(By.CSS_SELECTOR, ".bulletin-body picture img")
        driver.execute_script("arguments[0].scrollIntoView()", image)
        loaded = driver.execute_script(
            "const i = arguments[0]; return new Promise(done => { const report = () => done([i.complete, i.naturalWidth, i.currentSrc,"
            " i.getBoundingClientRect().width, i.getBoundingClientRect().height]);"
            " if (i.complete) report(); else i.addEventListener('load', report); });", image)
        complete, natural, source, shown_width, shown_height = loaded
        # naturalWidth is in CSS pixels: the 480w candidate at the density `sizes` gives it on a 390 px screen.
        check(complete and natural > 0 and source.endswith("images/leifeng-square-480.webp"),
              f"image at 390px: the 480 px WebP variant is loaded ({natural}, {source})")
        check(shown_width <= 390 and abs(shown_height / shown_width - 1.5) < 0.02,
              f"image at 390px: fits the screen at its upright aspect ratio ({shown_width:.0f} × {shown_height:.0f})")
        attachment = driver.find_element(By.CSS_SELECTOR, ".attachment-list a")
        status = driver.execute_script(
            "return fetch(arguments[0].href).then(r => [r.status, r.headers.get('content-length')])", attachment)
        check(status[0] == 200, f"attachment link answers 200 {status}")
        driver.save_screenshot(os.path.join(artifacts, "rich-305-phone.png"))
    finally:
        server.shutdown()
        driver.set_window_size(1280, 900)


def csp_checks(driver, hostile):
    """The hostile fixture's bulletin (raw HTML kept) carries an inline script the pages' policy must refuse."""
    server = serve(hostile)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        driver.get(base)
        driver.get_log("browser")
        driver.get(base + "bulletins/2024/1/")
        logs = [entry["message"] for entry in driver.get_log("browser")]
        violations = [m for m in logs if "Content Security Policy" in m and "inline script" in m]
        check(violations, f"CSP: the inline script of an unsafe_html bulletin is refused in the console {logs}")
        title = driver.execute_script("return document.title")
        check(title != "pwned" and title.startswith("恶意输入测试简报"), f"CSP: the inline script did not run (title {title!r})")
        text = driver.find_element(By.TAG_NAME, "main").text
        check("脚本之后的段落照常显示" in text, "CSP: the rest of the bulletin is shown")
        color = rgb(driver.execute_script("return getComputedStyle(document.querySelector('.masthead-series')).color"))
        check(color == MASTHEAD_RED, f"CSP: the site's own stylesheet applies (masthead {color})")
        driver.get(base)
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        check(not errors, f"CSP: the hostile site's home page has no console errors {errors}")
    finally:
        server.shutdown()
    driver.get("file://" + os.path.abspath(os.path.join(hostile, "bulletins", "2024", "1", "index.html")))
    color = rgb(driver.execute_script("return getComputedStyle(document.querySelector('.masthead-series')).color"))
    title = driver.execute_script("return document.title")
    check(color == MASTHEAD_RED and title != "pwned",
          f"CSP: opened from disk (file://), the stylesheet applies and the inline script does not run ({color}, {title!r})")


def serve_checks(driver, bulletin, source):
    """`bulletin serve`: its reload script, a file below /__bulletin/, runs under the pages' policy."""
    process = subprocess.Popen([bulletin, "serve", "--source", source, "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        line = process.stdout.readline()
        port = re.search(r":(\d+)/", line)
        check(port is not None, f"serve: started ({line.strip()})")
        if port is None:
            return
        base = f"http://localhost:{port.group(1)}/"
        driver.get(base)
        driver.get_log("browser")
        driver.get(base)
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').some(e => e.name.endsWith('/__bulletin/reload.js'))")
        check(loaded, "serve: served pages load the reload script from /__bulletin/reload.js")
        time.sleep(0.5)  # the script's event stream connects
        errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        check(not errors, f"serve: the preview's home page loads its reload script with no console errors {errors}")
        driver.execute_script("window.bulletinBeforeReload = true")
        path = os.path.join(source, "content", "bulletins", "2024", "1.md")
        with open(path, encoding="utf-8") as file:
            text = file.read()
        with open(path, "w", encoding="utf-8") as file:
            file.write(text.replace("title: 恶意输入测试简报", "title: 恶意输入测试简报（修订）"))
        deadline = time.time() + 30
        while time.time() < deadline and driver.execute_script("return window.bulletinBeforeReload === true"):
            time.sleep(0.2)
        check("（修订）" in driver.find_element(By.TAG_NAME, "main").text, "serve: an edit reloads the open page")
    finally:
        process.terminate()
        process.wait()


def red_pixels(ppm):
    """Counts pixels close to the masthead red in a binary PPM (P6)."""
    parts = ppm.split(b"\n", 3)
    width, height = (int(v) for v in parts[1].split())
    data = parts[3]
    count = 0
    for offset in range(0, width * height * 3, 3):
        r, g, b = data[offset], data[offset + 1], data[offset + 2]
        if r > 150 and g < 90 and b < 90:
            count += 1
    return count


if __name__ == "__main__":
    sys.exit(main())
