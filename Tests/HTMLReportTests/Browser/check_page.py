"""Opens a commitcheck HTML report in Chromium (Playwright driving the system browser) and measures
what a person would check; prints one JSON object. The Swift tests (BrowserChecksTests) assert on it.

usage: check_page.py CHROMIUM PAGE.html SCREENSHOT.png
"""
import json
import sys
import time

from playwright.sync_api import sync_playwright

chromium, page_path, screenshot = sys.argv[1], sys.argv[2], sys.argv[3]
url = "file://" + page_path
WIDTH, HEIGHT = 1400, 900

# Everything below runs in the page: bounding boxes in viewport coordinates.
EVIDENCE_IN_VIEW = """(section) => {
  const s = document.getElementById(section);
  const marks = [...s.querySelectorAll('g.mark.highlighted')];
  const w = window.innerWidth, h = window.innerHeight;
  const outside = marks.filter(m => { const r = m.getBoundingClientRect();
    return r.left < 0 || r.top < 0 || r.right > w || r.bottom > h || r.width === 0; }).map(m => m.getAttribute('data-id'));
  const arrow = s.querySelector('g.regression-arrow');
  const lanes = [...s.querySelectorAll('text.lane-label')].map(t => t.childNodes[0].nodeValue);
  const laneNames = [...s.querySelectorAll('rect.lane')].map(r => r.getAttribute('data-lane'));
  const ticks = [...s.querySelectorAll('text.tick')].filter(t => { const r = t.getBoundingClientRect();
    return r.left >= 0 && r.right <= w && r.top >= 0 && r.bottom <= h; }).length;
  const forced = s.querySelectorAll('g.forced-arrow').length;
  const reasons = [...s.querySelectorAll('text.reason-label')].map(t => t.textContent);
  return {section, marks: marks.length, outside, arrow: arrow !== null, lanes, laneNames, ticksInView: ticks, forced, reasons};
}"""

OVERLAPS = """() => {
  const found = [];
  let labels = 0;
  document.querySelectorAll('svg.timeline').forEach((svg, n) => {
    const boxes = [...svg.querySelectorAll('text')].map(t => ({t: t.textContent, r: t.getBoundingClientRect()}))
      .filter(b => b.r.width > 0 && b.r.height > 0);
    labels += boxes.length;
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r, b = boxes[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 0.5 && h > 0.5) found.push([n, boxes[i].t, boxes[j].t]);
    }
  });
  return {labels, overlaps: found.slice(0, 20), count: found.length};
}"""

DEAD_LINKS = """() => {
  const links = [...document.querySelectorAll('a[href^="#"]')];
  const dead = links.filter(a => !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))
    .map(a => a.getAttribute('href'));
  return {links: links.length, dead: dead.slice(0, 20), deadCount: dead.length};
}"""

VIEW = """() => { const f = document.querySelector('.figure');
  return f ? [parseFloat(f.getAttribute('data-view0')), parseFloat(f.getAttribute('data-view1'))] : null; }"""

result = {}
with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    requests = []
    page.on("request", lambda r: requests.append(r.url) if not r.url.startswith("file://") and not r.url.startswith("data:") else None)
    started = time.monotonic()
    page.goto(url, wait_until="load")
    page.wait_for_selector("body[data-ready='1']", timeout=60000)
    result["openSeconds"] = round(time.monotonic() - started, 3)
    result["errors"] = errors
    result["externalRequests"] = requests
    page.screenshot(path=screenshot)

    sections = page.eval_on_selector_all(".key-figure .figure", "fs => fs.map(f => f.closest('section').id)")
    result["figures"] = sections
    checks = []
    if sections:
        # The first bad key: on the first screen, without scrolling.
        checks.append(page.evaluate(EVIDENCE_IN_VIEW, sections[0]))
    for section in sections[1:]:
        page.goto(url + "#" + section)
        page.wait_for_selector("body[data-ready='1']")
        checks.append(page.evaluate(EVIDENCE_IN_VIEW, section))
    result["evidence"] = checks
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']")
    result["labels"] = page.evaluate(OVERLAPS)
    result["links"] = page.evaluate(DEAD_LINKS)

    if sections:
        # Zoom and fit all change the visible range.
        first = page.evaluate(VIEW)
        page.click(".figure .zoom-in")
        zoomed = page.evaluate(VIEW)
        page.click(".figure .fit-all")
        fitted_all = page.evaluate(VIEW)
        result["labelsAfterFitAll"] = page.evaluate(OVERLAPS)
        page.screenshot(path=screenshot.replace(".png", "-fit-all.png"))
        svg = page.query_selector(".figure svg.timeline").bounding_box()
        page.mouse.move(svg["x"] + svg["width"] / 2, svg["y"] + svg["height"] / 2)
        page.mouse.wheel(0, -600)
        page.wait_for_timeout(100)
        wheeled = page.evaluate(VIEW)
        page.keyboard.press("Escape")
        page.click(".figure .fit-evidence")
        back = page.evaluate(VIEW)
        page.focus(".figure")
        page.keyboard.press("ArrowRight")
        panned = page.evaluate(VIEW)
        result["views"] = {"initial": first, "zoomIn": zoomed, "fitAll": fitted_all, "wheel": wheeled, "fitEvidence": back, "pan": panned}
        page.click(".figure .fit-evidence")
        # Hovering an event of the evidence shows its line.
        mark = page.query_selector(".figure g.mark.highlighted:not(.apply):not(.apply-maybe):not(.apply-none):not(.read)")
        if mark is not None:
            mark_id = mark.get_attribute("data-id")
            mark.hover()
            page.wait_for_timeout(50)
            result["hover"] = {"id": mark_id, "details": page.inner_text(".figure .details")}
    # The verdict filter hides rows.
    page.select_option("#verdict-filter", "holds")
    result["filter"] = page.evaluate("""() => [...document.querySelectorAll('#key-list tbody tr')]
        .map(r => [r.getAttribute('data-verdict'), !r.hidden])""")
    browser.close()
print(json.dumps(result))
