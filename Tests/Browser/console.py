#!/usr/bin/python3
"""The operator's console in headless Chromium through WebDriver (Debian's chromium, chromium-driver and
python3-selenium). Started by ConsoleBrowserTests with a running gateway whose journal already holds delivered
documents and one rejected execution report (its social order was not known yet; the order has arrived since).

Each step prints `ok STEP` or fails with `FAIL STEP: why` (exit 1); a screenshot of each page goes to --shots.
"""
import argparse
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

args = argparse.ArgumentParser()
args.add_argument("--url", required=True)
args.add_argument("--shots", required=True)
args.add_argument("--operator", required=True)       # name:password
args.add_argument("--viewer", required=True)         # name:password
args.add_argument("--rejected", required=True)       # journal id of the rejected report
args.add_argument("--report-file", required=True)    # its file name
args.add_argument("--valid-upload", required=True)   # a valid document to upload
args.add_argument("--invalid-upload", required=True) # an invalid one
args.add_argument("--delivered-at-least", type=int, required=True)
a = args.parse_args()
os.makedirs(a.shots, exist_ok=True)


def fail(step, why):
    print(f"FAIL {step}: {why}", flush=True)
    sys.exit(1)


def browser():
    o = Options()
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000", "--lang=ru",
                 "--disable-dev-shm-usage", "--no-first-run"]:
        o.add_argument(flag)
    o.binary_location = "/usr/bin/chromium"
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_page_load_timeout(60)
    return d


def shot(d, name):
    d.save_screenshot(os.path.join(a.shots, name + ".png"))


def login(d, who, step):
    name, password = who.split(":", 1)
    d.get(a.url + "/login")
    d.find_element(By.ID, "name").send_keys(name)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "login").click()
    WebDriverWait(d, 20).until(lambda x: x.find_elements(By.ID, "health") or x.find_elements(By.CSS_SELECTOR, ".notice.error"))
    if not d.find_elements(By.ID, "health"):
        fail(step, "not signed in: " + d.find_element(By.TAG_NAME, "main").text)
    print("ok " + step, flush=True)


def post_form(d, action, fields):
    """Submits a form the page never offered (a forged request), the way another page or a user's tampering would."""
    d.execute_script("""
        const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];
        for (const [k, v] of Object.entries(arguments[1])) {
            const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit();""", action, fields)
    WebDriverWait(d, 20).until(lambda x: x.find_elements(By.TAG_NAME, "main"))


op = browser()
try:
    op.get(a.url + "/login")
    shot(op, "login")
    login(op, a.operator, "operator logs in")
    delivered = int(op.find_element(By.CSS_SELECTOR, "#figure-delivered .value").text)
    if delivered < a.delivered_at_least:
        fail("dashboard", f"{delivered} delivered shown, expected at least {a.delivered_at_least}")
    if not op.find_elements(By.CSS_SELECTOR, "#hourly-chart rect"):
        fail("dashboard", "the hourly chart has no bar")
    if "DG3100" not in op.find_element(By.ID, "codes").text:
        fail("dashboard", "today's error codes do not list DG3100")
    shot(op, "dashboard")
    print("ok dashboard shows live figures", flush=True)

    op.get(a.url + "/journal")
    op.find_element(By.ID, "search-file").send_keys("AGREEMENT")
    op.find_element(By.ID, "search").click()
    WebDriverWait(op, 20).until(lambda x: "file=AGREEMENT" in x.current_url and x.find_elements(By.ID, "entries"))
    rows = op.find_elements(By.CSS_SELECTOR, "#entries tbody tr")
    if not rows or any("AGREEMENT" not in r.find_elements(By.TAG_NAME, "td")[3].text for r in rows):
        fail("journal search", f"{len(rows)} rows, not all AGREEMENT files")
    shot(op, "journal")
    print(f"ok journal search by file name: {len(rows)} entries", flush=True)

    op.get(a.url + "/documents/" + a.rejected)
    if "DG3100" not in op.find_element(By.ID, "decision-findings").text:
        fail("document page", "the rejected report's findings do not show DG3100")
    if not op.find_elements(By.ID, "form-frame"):
        fail("document page", "no printable form")
    history = op.find_elements(By.CSS_SELECTOR, "#history tbody tr")
    if len(history) < 2:
        fail("document page", f"{len(history)} transitions shown")
    shot(op, "document")
    op.get(a.url + "/documents/" + a.rejected + "/form")
    if "Отчёт об исполнении социального заказа" not in op.find_element(By.TAG_NAME, "h1").text:
        fail("printable form", op.find_element(By.TAG_NAME, "h1").text)
    shot(op, "form")
    print("ok document page with its form, findings and transitions", flush=True)

    viewer = browser()
    try:
        login(viewer, a.viewer, "viewer logs in")
        viewer.get(a.url + "/quarantine")
        if viewer.find_elements(By.ID, "requeue-" + a.rejected):
            fail("viewer", "a viewer is offered requeue")
        csrf = viewer.find_element(By.NAME, "csrf").get_attribute("value")
        post_form(viewer, "/documents/" + a.rejected + "/requeue", {"csrf": csrf})
        if "Недостаточно прав" not in viewer.find_element(By.TAG_NAME, "main").text:
            fail("viewer", "a viewer's requeue was not refused: " + viewer.find_element(By.TAG_NAME, "main").text)
        print("ok viewer refused requeue", flush=True)
    finally:
        viewer.quit()

    op.get(a.url + "/quarantine")
    post_form(op, "/documents/" + a.rejected + "/requeue", {})
    if "DG5059" not in op.find_element(By.TAG_NAME, "main").text:
        fail("csrf", "a requeue without a CSRF token was not refused")
    print("ok requeue without a CSRF token refused", flush=True)

    op.get(a.url + "/quarantine")
    if a.report_file not in op.find_element(By.ID, "quarantine").text:
        fail("quarantine", "the rejected report is not in quarantine")
    shot(op, "quarantine")
    op.find_element(By.ID, "requeue-" + a.rejected).click()
    WebDriverWait(op, 20).until(lambda x: x.find_elements(By.CSS_SELECTOR, ".notice.ok"))
    deadline = time.time() + 60
    while True:
        op.get(a.url + "/journal?file=" + a.report_file + "&outcome=delivered")
        if op.find_elements(By.CSS_SELECTOR, "#entries tbody tr"):
            break
        if time.time() > deadline:
            fail("requeue", "the requeued report was not delivered within 60 s")
        time.sleep(0.5)
    print("ok requeued report delivered", flush=True)

    op.get(a.url + "/validate")
    op.find_element(By.ID, "files").send_keys(a.valid_upload + "\n" + a.invalid_upload)
    op.find_element(By.ID, "check").click()
    WebDriverWait(op, 60).until(lambda x: len(x.find_elements(By.CSS_SELECTOR, "section.result")) == 2)
    texts = [s.text for s in op.find_elements(By.CSS_SELECTOR, "section.result")]
    if not any("соответствует схеме и правилам" in t for t in texts) or not any("не прошёл проверку" in t for t in texts):
        fail("upload", " | ".join(texts))
    shot(op, "validate")
    print("ok upload validated", flush=True)
finally:
    op.quit()
print("browser: all steps passed", flush=True)
