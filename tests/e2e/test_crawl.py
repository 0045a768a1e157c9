"""Every page each demo role can reach, at a phone's and a laptop's width: nothing wider than the screen outside a
box that scrolls, no English left on the Vietnamese pages, and no axe-core WCAG 2 A/AA violation. The public pages
(check-in, declarations, the passes) and the sign-in page get the same checks.

Pages are found breadth-first from the overview by following the links on each page (the menu comes first), one
page per URL shape (``/venues/12/`` and ``/venues/40/`` are the same template), at most ``PAGES_PER_ROLE`` a role.
What fails is listed in ``test-artifacts/crawl/report.txt`` with a screenshot of each failing page beside it.
"""

from __future__ import annotations

import gettext
import io
import re
import time
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from tests.e2e.conftest import PHONE

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROLES = (
    "province_admin", "province_viewer", "health_officer", "district_bat_xat", "checkpoint_staff", "agency_admin",
    "facility_staff",
)  # fmt: skip
PAGES_PER_ROLE = 40
WIDTHS = {"1366": {"viewport": {"width": 1366, "height": 900}}, "390": PHONE}
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
PASSWORD = "demo-pass-crawl"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Not followed: signing out, files, third-party pages (Django's admin, the API and its Swagger page), the language
# switch (a POST), and URLs that act when opened.
SKIP = re.compile(
    r"^/(admin|api|i18n|static|media)/|/(logout|export|download)/|\.(xlsx|pdf|png|svg|csv|docx|zip|json)$"
    r"|/(qr\.\w+|print-all)/?$|/(status|read|rotate|confirm)/$"
)

# English a Vietnamese page must not show. Case-sensitive, whole words; product names (PC-Covid, VNEID, QR, Excel,
# COVID-19, API, Bluezone) and key names (Enter) are not English. Vietnamese words that look English ("in" = print,
# "to" = big) are left out.
ENGLISH = re.compile(
    r"\b(?:the|and|of|for|with|your|please|this|that|from|not|must|should|are|was|been)\b"
    r"|\b(?:Save|Cancel|Search|Next|Previous|Filter|Download|Upload|Required|This field|Submit|Delete|Edit|Back"
    r"|Loading|Sign in|Sign out|Log in|Password|Username|Close|Yes|Error|Add|Show|Hide|Total|Export|Import"
    r"|Select|Choose|Week|Today|Yesterday|Date|Name|Status|Details|Open|More|Help|Print|Notifications|Overview"
    r"|Settings|Reports?|Districts?|Province|Communes?|Venues?|Agency|Agencies|Checkpoints?|Arrivals?|Facilit(?:y|ies)"
    r"|Vaccination|Inspections?|Tracing|Page|None|True|False|null|undefined|NaN|Invalid|Unknown|No results"
    r"|January|February|March|April|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
)

OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth;
  const scrolls = el => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const wide = new Set(), found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || r.right <= 0) continue;  // hidden, or moved off-screen on purpose
    if (r.right <= vw + 1 && r.width <= vw + 1) continue;
    if (getComputedStyle(el).visibility === 'hidden' || scrolls(el)) continue;
    wide.add(el);
    if (!wide.has(el.parentElement)) {
      const path = [];
      for (let a = el; a && a !== document.body && path.length < 4; a = a.parentElement) path.unshift(name(a));
      found.push(`${path.join(' > ')} (right ${Math.round(r.right)} px, width ${Math.round(r.width)} px)`);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    found.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px in ${window.innerWidth} px)`);
  return found;
}"""

# Visible text and the text of labels a screen reader or a tooltip shows; code and [translate=no] are data.
TEXT_JS = """() => {
  const skip = 'script, style, noscript, template, code, pre, [translate=no], [hidden]';
  const out = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest(skip) || !n.textContent.trim()) continue;
    if (!p.getClientRects().length && !p.closest('option, select')) continue;
    out.push(n.textContent.trim());
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], [alt], input[type=submit]')) {
    if (el.closest(skip)) continue;
    for (const a of ['title', 'aria-label', 'placeholder', 'alt', 'value'])
      if (el.hasAttribute(a) && (a !== 'value' || el.type === 'submit')) out.push(el.getAttribute(a));
  }
  return out;
}"""

# Rows after the 25th of a table repeat the same markup: leaving them out keeps axe to about a second a page.
# Colour contrast, the slowest rule by far, does not change with the width: it is checked at the laptop width only.
AXE_JS = """async ([tags, contrast]) => {
  const context = {exclude: [['tbody > tr:nth-child(n+26)']]};
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                         rules: {'color-contrast': {enabled: contrast}}});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.help}; ` +
    v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\\s+/g, ' '))
      .join(' | '));
}"""


def _untranslated_msgids() -> set[str]:
    """The project's English messages of two words or more: seen as such on a page, a translation is missing."""
    with open(Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.mo", "rb") as mo:
        catalogue = gettext.GNUTranslations(mo)._catalog
    return {
        msgid
        for msgid in catalogue
        if isinstance(msgid, str) and " " in msgid.strip() and not any(c in msgid for c in "%{\x04")
    }


class Crawl:
    def __init__(self, base_url: str, artifacts: Path):
        self.base = base_url
        self.folder = artifacts / "crawl"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.findings: list[str] = []
        self.seconds = {"load": 0.0, "layout and text": 0.0, "axe": 0.0}
        self.counts: dict[str, int] = {}
        self.msgids = _untranslated_msgids()

    def check(self, page, who: str, width: str) -> None:
        try:
            self._check(page, who, width)
        except Exception as error:  # noted, and the crawl goes on to the next page
            self.findings.append(f"{who} @{width} {page.url}: not checked: {str(error).splitlines()[0]}")

    def _check(self, page, who: str, width: str) -> None:
        """The three checks on the page as it is now; a failing page is photographed."""
        where = f"{who} @{width} {urlsplit(page.url).path}"
        before = len(self.findings)
        started = time.monotonic()
        for wide in page.evaluate(OVERFLOW_JS):
            self.findings.append(f"{where}: too wide: {wide}")
        texts = page.evaluate(TEXT_JS)
        english = sorted({m.group(0) for t in texts for m in ENGLISH.finditer(t)})
        if english:
            samples = [t for t in texts if ENGLISH.search(t)][:3]
            self.findings.append(f"{where}: English {english} in {samples}")
        joined = "\n".join(texts)
        for msgid in sorted(m for m in self.msgids if m in joined)[:5]:
            self.findings.append(f"{where}: untranslated message {msgid!r}")
        axe_started = time.monotonic()
        self.seconds["layout and text"] += axe_started - started
        page.add_script_tag(path=str(AXE))
        for violation in page.evaluate(AXE_JS, [AXE_TAGS, width != "390" or who == "selftest"]):
            self.findings.append(f"{where}: axe {violation}")
        self.seconds["axe"] += time.monotonic() - axe_started
        if len(self.findings) > before:
            slug = re.sub(r"[^a-z0-9]+", "-", urlsplit(page.url).path.lower()).strip("-") or "root"
            shot = self.folder / f"{who}-{width}-{slug}.png"
            try:
                page.screenshot(path=str(shot), full_page=True, timeout=20_000)
            except Exception:  # a very long page: its first screenful is enough to see the fault
                page.screenshot(path=str(shot))
            (self.folder / "progress.txt").write_text("\n".join(self.findings) + "\n", encoding="utf-8")

    def visit(self, page, url: str, who: str, width: str, expected: int = 200) -> bool:
        started = time.monotonic()
        try:
            response = page.goto(url)
        except Exception as error:  # a download starting, or a page that never loads
            if "Download is starting" in str(error):
                return False
            self.findings.append(f"{who} @{width} {url}: did not load: {str(error).splitlines()[0]}")
            return False
        status = response.status if response else 0
        if status == 405:  # a POST-only URL reached by a link would be a bug of its own, but not this test's
            return False
        if status != expected or "text/html" not in (response.headers.get("content-type") or ""):
            if status != expected:
                self.findings.append(f"{who} @{width} {url}: answered {status}")
            return False
        self.seconds["load"] += time.monotonic() - started
        return True

    def links(self, page) -> list[str]:
        hrefs = page.evaluate(
            "() => Array.from(document.querySelectorAll('a[href]:not([download]):not([target=_blank])'), a => a.href)"
        )
        return [urldefrag(h).url for h in hrefs if h.startswith(self.base + "/")]

    @staticmethod
    def shape(url: str) -> str:
        """One page per template: numbers, dates and tokens in the path are the same page; the query is ignored."""
        path = urlsplit(url).path
        return re.sub(r"/(\d+|\d{4}-\d\d-\d\d|[A-Za-z0-9_-]{20,})(?=/|$)", "/#", path)

    def role(self, pages: dict[str, object], who: str) -> None:
        """Breadth-first from the overview at the laptop width; each page found is checked at both widths."""
        start = f"{self.base}/dashboard/"
        queue, seen, done = deque([start]), {self.shape(start)}, 0
        while queue and done < PAGES_PER_ROLE:
            url = queue.popleft()
            if not self.visit(pages["1366"], url, who, "1366"):
                continue
            done += 1
            for link in self.links(pages["1366"]):
                shape = self.shape(link)
                if shape not in seen and not SKIP.search(urlsplit(link).path):
                    seen.add(shape)
                    queue.append(link)
            self.check(pages["1366"], who, "1366")
            if self.visit(pages["390"], url, who, "390"):
                self.check(pages["390"], who, "390")
        self.counts[who] = done

    def report(self, seconds: float, name: str = "report") -> str:
        lines = [f"{who}: {n} pages" for who, n in self.counts.items()]
        lines.append(f"{sum(self.counts.values())} pages at two widths in {seconds:.0f} s")
        lines.append(", ".join(f"{what} {s:.0f} s" for what, s in self.seconds.items()))
        lines += self.findings
        text = "\n".join(lines) + "\n"
        (self.folder / f"{name}.txt").write_text(text, encoding="utf-8")
        return text


@pytest.fixture
def demo(live_server, units, settings):
    """The demo province as ``seed_demo`` makes it, with fewer arrivals a day (the pages, not the volume, matter)."""
    settings.DEMO_PASSWORD = PASSWORD
    settings.DEMO_ARRIVALS_PER_DAY = 300
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base_url}/dashboard/")


def test_every_page_of_every_demo_role_fits_speaks_vietnamese_and_passes_axe(demo, new_page, artifacts):
    cache.clear()  # sign-in rate limits from other tests
    crawl = Crawl(demo.url, artifacts)
    for old in crawl.folder.glob("*.png"):
        old.unlink()
    started = time.monotonic()
    for who in ROLES:
        pages = {}
        for width, options in WIDTHS.items():
            pages[width] = new_page(bypass_csp=True, **options)  # axe is injected as a script of its own
            sign_in(pages[width], demo.url, who)
        crawl.role(pages, who)
    report = crawl.report(time.monotonic() - started)
    print(report)
    assert all(n >= 5 for n in crawl.counts.values()), report
    assert crawl.findings == [], report


def test_the_checks_catch_a_wide_element_english_and_an_axe_violation(new_page, artifacts):
    """The crawl's checks find each kind of fault, and pass a page without one (a check that never fails is none)."""
    crawl = Crawl("http://127.0.0.1:1", artifacts)
    page = new_page(bypass_csp=True, **PHONE)
    good = (
        '<!doctype html><html lang="vi"><head><meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Tổng quan</title></head><body><main><h1>Tổng quan</h1>"
        '<div style="overflow-x: auto"><table><tr><td style="min-width: 900px">Bảng rộng cuộn trong hộp</td></tr>'
        "</table></div><p>Lưu (Enter) · PC-Covid · VNEID · QR · COVID-19 · API · Excel</p>"
        '<a href="#x" style="position: absolute; left: -9999px">Bỏ qua</a></main></body></html>'
    )
    page.set_content(good)
    crawl.check(page, "selftest", "390")
    assert crawl.findings == []
    page.set_content(
        good.replace("</main>", '<div style="width: 600px">Rộng</div><button>Save</button><img src="x.png"></main>')
    )
    crawl.check(page, "selftest", "390")
    found = "\n".join(crawl.findings)
    assert "too wide: main > div (right 608 px, width 600 px)" in found
    assert "English ['Save']" in found
    assert "axe image-alt" in found
    assert (crawl.folder / "selftest-390-blank.png").exists()


@pytest.fixture
def public_pages(live_server, units):
    """A venue's check-in code and a declaration's pass, as a visitor reaches them."""
    from checkpoints.models import Declaration
    from checkpoints.services import declaration_token
    from tests.factories import AgencyFactory, VenueFactory, district
    from venues.services.checkins import venue_token

    cache.clear()  # rate-limit counters from other tests
    agency = AgencyFactory(name="Ban quản lý chợ Bắc Hà", district=district("bac_ha"))
    venue = VenueFactory(name="Chợ văn hóa Bắc Hà", agency=agency, district=agency.district, address="Tổ 2")
    declaration = Declaration.objects.create(
        kind="health", full_name="Nguyễn Thị Lan", phone="0912345678", birth_year=1990,
        destination_district=district("sa_pa"),
    )  # fmt: skip
    return live_server.url, venue_token(venue), declaration_token(declaration)


def test_public_pages_and_sign_in_fit_speak_vietnamese_and_pass_axe(public_pages, new_page, artifacts):
    base, venue, declaration = public_pages
    crawl = Crawl(base, artifacts)
    started = time.monotonic()
    for width, options in WIDTHS.items():
        page = new_page(bypass_csp=True, **options)
        urls = ["/accounts/login/", f"/c/{venue}/", "/declare/", f"/p/{declaration}/", f"/p/{declaration}/print/"]
        urls += [f"/pass/{venue}/", "/c/not-a-code/"]  # the last one answers 404 with a page that says why
        page.goto(f"{base}/declare/")
        urls += sorted({urlsplit(link).path for link in crawl.links(page) if "/declare/" in link})
        for url in urls:
            if crawl.visit(page, f"{base}{url}", "public", width, 404 if "not-a-code" in url else 200):
                crawl.check(page, "public", width)
        # The same pages with their error messages, and the confirmation of a check-in.
        page.goto(f"{base}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill("khong-co")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        page.get_by_role("button", name="Đăng nhập").click()
        page.locator(".errorlist, .error, [role=alert]").first.wait_for()
        crawl.check(page, "public", width)
        page.goto(f"{base}/declare/travel/")
        page.get_by_role("button", name="Gửi và nhận mã QR của tôi").click()
        page.wait_for_selector(".field.has-error")
        crawl.check(page, "public", width)
        page.goto(f"{base}/c/{venue}/")
        page.get_by_label("Họ và tên").fill("Lù Thị Dợ")
        page.get_by_label("Số điện thoại di động").fill("0386 123 456")
        page.get_by_role("button", name="Khai báo vào").click()
        page.get_by_text("✓ Đã khai báo vào").wait_for()
        crawl.check(page, "public", width)
        crawl.counts[f"public @{width}"] = len(urls) + 3
    report = crawl.report(time.monotonic() - started, "public")
    print(report)
    assert crawl.findings == [], report
