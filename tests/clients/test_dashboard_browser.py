"""The dashboard (GET /) in headless Chromium (Debian's chromium, driven by Playwright), as a
user would use it: log in, watch a VM powered off through pyVmomi change on the page without
reloading it, advance the virtual clock from the page, use it from the keyboard alone; no
console errors, nothing loaded from elsewhere, a screenshot kept under the test's tmp_path."""
import os
import shutil

import pytest
from playwright.sync_api import expect, sync_playwright
from pyVim.connect import Disconnect, SmartConnect
from pyVim.task import WaitForTask
from pyVmomi import vim

from .conftest import VimsimProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = VimsimProcess(tmp_path_factory.mktemp("dashboard"))  # the auto clock
    yield server
    server.stop()
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture
def page(server):
    assert os.path.exists(CHROMIUM), "Debian's chromium is needed (.ci/run installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox"])
        context = browser.new_context(ignore_https_errors=True)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: m.type in ("error", "warning") and page.problems.append(
            "console %s: %s" % (m.type, m.text)))
        page.on("pageerror", lambda e: page.problems.append("page error: %s" % e))
        base = "https://%s:%d" % (server.host, server.port)
        page.on("request", lambda r: r.url.startswith(base) or page.problems.append(
            "a request elsewhere: " + r.url))
        page.goto(base + "/")
        yield page
        browser.close()


def log_in(page, user="user", password="pass"):
    page.get_by_label("User name").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#connection")).to_have_text("Live")


def vm_row(page, name):
    return page.locator("#vm-rows tr", has=page.get_by_role("rowheader", name=name, exact=True))


def test_log_in_watch_a_power_off_and_advance_the_clock(server, page, tmp_path):
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_label("User name").fill("user")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert").first).to_contain_text("incorrect user name or password")
    # Chromium logs the refused login's 401 on the console; that one is the test's own doing
    assert [p for p in page.problems if "401" not in p] == []
    page.problems.clear()
    log_in(page)
    row = vm_row(page, "DC0_H0_VM0")
    expect(row).to_have_attribute("data-power", "poweredOn")
    expect(page.locator("#tree")).to_contain_text("DC0_C0_H1")

    si = SmartConnect(host=server.host, port=server.port, user=server.user,
                      pwd=server.password, disableSslCertValidation=True)
    try:
        vm = si.content.searchIndex.FindByInventoryPath("DC0/vm/DC0_H0_VM0")
        assert isinstance(vm, vim.VirtualMachine)
        WaitForTask(vm.PowerOffVM_Task())
        # pushed to the page: the row changes and the task shows, no reload
        expect(row).to_have_attribute("data-power", "poweredOff")
        expect(row).to_contain_text("poweredOff")
        expect(page.locator("#task-rows")).to_contain_text("VirtualMachine.powerOff")
        expect(page.locator("#events")).to_contain_text("VmPoweredOffEvent")
        before, shown_before = si.CurrentTime(), page.locator("#clock-now").text_content()
        page.get_by_label("Advance by (seconds)").fill("600")
        page.get_by_role("button", name="Advance").click()
        expect(page.locator("#clock-now")).not_to_have_text(shown_before)
        assert (si.CurrentTime() - before).total_seconds() >= 600
        shown = page.locator("#clock-now").get_attribute("datetime")
        assert shown[:13] == si.CurrentTime().strftime("%Y-%m-%dT%H")
    finally:
        WaitForTask(vm.PowerOnVM_Task())
        Disconnect(si)
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert (tmp_path / "dashboard.png").stat().st_size > 10000
    assert page.problems == []


def test_usable_from_the_keyboard(server, page):
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.get_by_role("link", name="Skip to the virtual machines")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("User name")).to_be_focused()
    page.keyboard.type("user")
    page.keyboard.press("Tab")
    page.keyboard.type("pass")
    page.keyboard.press("Enter")
    expect(page.locator("#connection")).to_have_text("Live")
    details = page.get_by_role("button", name="Customization timeline of DC0_H0_VM1")
    details.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Customization timeline of DC0_H0_VM1")) \
        .to_be_visible()
    page.get_by_label("Mode").select_option("auto")
    page.get_by_role("button", name="Set mode").press("Enter")
    expect(page.locator("#clock-mode")).to_have_text("auto")
    page.get_by_label("Mode").select_option("virtual")
    page.get_by_role("button", name="Set mode").click()
    expect(page.locator("#clock-mode")).to_have_text("virtual")
    page.get_by_label("Mode").select_option("auto")
    page.get_by_role("button", name="Set mode").click()
    expect(page.locator("#clock-mode")).to_have_text("auto")
    assert page.problems == []
