"""In a real browser (headless Chromium, JavaScript off): a testimony recorded in Russian reaches the
English public report, whose PDF renders and carries the expected numbers."""
import shutil
import subprocess

import pytest

from safepassage.core.testing import current_totp, staff_member
from safepassage.testimonies.tests.factories import incident, record

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser_page(browser):
    """A tab of the suite's shared headless Chromium, JavaScript off, downloads accepted."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True, locale="en-GB")
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(page, base, user, next_url="/"):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.fill("input[name=token]", current_totp(user))
    page.click("main button[type=submit]")


def log_out(page):
    page.click("header button:has-text('Log out'), header form[action*=logout] button")


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is not installed")
def test_a_testimony_recorded_in_russian_reaches_the_english_report_and_its_pdf(
        live_server, org, unsealed_vault, browser_page, tmp_path):
    from safepassage.testimonies.services import terms_sync

    terms_sync()
    coordinator = staff_member(org, "e2e-coordinator", ["coordinator"])
    researcher = staff_member(org, "e2e-researcher", ["researcher"])
    for _ in range(5):  # earlier testimonies, so the new one's figures clear the threshold
        record(coordinator, incident("torture", "police", "grozny", "2017-03"),
               incident("arbitrary_detention", "security_forces", "argun", "2017-02"))
    page = browser_page

    log_in(page, live_server.url, coordinator, "/testimonies/new/")
    page.goto(f"{live_server.url}/testimonies/new/?lang=ru")
    assert page.locator("html").get_attribute("lang") == "ru"
    page.fill("input[name=pseudonym]", "Ахмед")
    page.fill("input[name=interview_date]", "2017-05-02")
    page.select_option("select[name=language]", label="Чеченский")
    page.fill("textarea[name=narrative]", "Меня задержали в Грозном и держали в подвале.")
    page.check("input[name=public_report]")
    page.select_option("select[name=incident-0-violation]", label="Пытки или жестокое обращение")
    page.select_option("select[name=incident-0-perpetrator]", label="Полиция")
    page.select_option("select[name=incident-0-place]", label="Грозный")
    page.fill("input[name=incident-0-occurred_on]", "03.2017")
    page.fill("input[name=incident-0-place_detail]", "подвал на ул. Ленина")
    page.select_option("select[name=incident-1-violation]", label="Произвольное задержание")
    page.select_option("select[name=incident-1-perpetrator]", label="Силовые структуры")
    page.select_option("select[name=incident-1-place]", label="Аргун")
    page.fill("input[name=incident-1-occurred_on]", "2017-02-14")
    page.click("main form button[type=submit]:has-text('Save'), main form button[type=submit]")
    body = page.content()
    assert "Меня задержали в Грозном" in body
    assert "Пытки или жестокое обращение" in body and "Произвольное задержание" in body
    log_out(page)

    log_in(page, live_server.url, researcher, "/reports/")
    page.goto(f"{live_server.url}/reports/?lang=en")
    page.select_option("select[name=year]", "2017")
    page.select_option("select[name=lang]", "en")
    page.click("form.filters button[type=submit]")
    assert "Incidents by type of violation" in page.content()
    torture_row = page.locator("#table-violation tbody tr", has_text="Torture or ill-treatment")
    assert torture_row.locator("td.num").inner_text().strip() == "6"
    with page.expect_download() as download_info:
        page.click("text=Download PDF")
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)

    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and pages[0].stat().st_size > 5000
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Public report" in text and "Period: 2017" in text
    assert "Based on 6 testimonies" in text
    lines = {line.split("  ")[0].strip(): line.split()[-1] for line in text.splitlines() if "  " in line.strip()}
    assert lines["Torture or ill-treatment"] == "6"
    assert lines["Arbitrary detention"] == "6"
    assert lines["Grozny"] == "6" and lines["Argun"] == "6"
    assert "Ахмед" not in text and "подвал" not in text
