"""The reconciliation pages in Chromium: axe-core finds no violation in Swedish and English, on the reconcile
page (upload form, answers read in, the bank's outcome per line with a failed payout's "pay again" button), the
upload form with its error, the preview of a file with rows that do not match (error summary, disabled Bokför
with its reason), and a clean preview booked with Bokför."""

import pytest

from tests.browser.conftest import axe_violations, language_cookie, session_cookie
from tests.grants.reconciliation import answer_csv, exported_batch, failed, paid, pain002

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["sv", "en"])
def test_reconciliation_pages_have_no_axe_violations(browser, live_server, language, tmp_path):
    e = exported_batch(3)
    a, b, c = e.payouts
    good = tmp_path / "svar.xml"
    good.write_bytes(pain002(e.batch, [paid(a), failed(b, "AC04"), paid(c)]))
    bad = tmp_path / "fel.csv"
    bad.write_bytes(answer_csv([paid(a), (str(b.pk), b.amount + 1, "paid", ""), ("88888", None, "paid", "")]))
    context = browser.new_context()
    context.add_cookies([language_cookie(language, live_server), session_cookie(e.people.attester, live_server)])
    page = context.new_page()
    failures = {}

    def check(name):
        assert page.locator("html").get_attribute("lang") == language
        if found := axe_violations(page):
            failures[name] = found

    url = f"{live_server.url}/staff/finance/batches/{e.batch.pk}/reconcile/"
    page.goto(url)
    check("reconcile page")
    page.click("main form button[type=submit]")  # no file chosen
    assert page.locator("#error-summary").count() == 1
    check("upload with an error")

    page.set_input_files("#id_file", str(bad))
    page.click("main form button[type=submit]")
    assert page.locator("#error-summary").count() == 1 and page.locator("#why-apply").count() == 1
    check("preview with rows that do not match")

    page.goto(url)
    page.set_input_files("#id_file", str(good))
    page.click("main form button[type=submit]")
    assert page.locator("#error-summary").count() == 0
    check("preview")
    page.click("main form[action$='/apply/'] button[type=submit]")
    assert page.url == url and page.locator("text=AC04").count() >= 1
    check("reconcile page with results")
    context.close()
    assert not failures, failures
