"""The web UI in a real browser: Chromium against a live embedded platform."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

from probeops_webapp import accounts
from probeops_webapp.testing import PASSWORD

from .conftest import ADMIN, log_in, snap

FINISHED = "#status .status-finished"


def _fill(page, diagnostic: str, targets: str, **options) -> None:
    page.goto(f"/run/{diagnostic}")
    page.fill("textarea[name=targets]", targets)
    for name, value in options.items():
        page.fill(f"[name='opt.{name}']", str(value))


def _run(page, diagnostic: str, targets: str, **options) -> None:
    _fill(page, diagnostic, targets, **options)
    page.click("form.run button[type=submit]")


def _api(server, path: str, key: str) -> int:
    request = urllib.request.Request(server.url + path, headers={"X-API-Key": key})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_visitor_is_sent_to_login_and_a_wrong_password_is_refused(page):
    page.goto("/history")
    assert "/login" in page.url
    page.fill("input[name=email]", ADMIN)
    page.fill("input[name=password]", "not the password at all")
    page.click("button[type=submit]")
    snap(page, "login-refused")

    assert page.locator("p.error").inner_text() == "wrong e-mail or password"
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/history")
    access = [c for c in page.context.cookies() if c["name"] == "access_token_cookie"]
    assert access and access[0]["httpOnly"]


def test_ping_of_loopback_runs_live_and_charts_every_packet(admin):
    asked = []
    admin.on("request", lambda request: asked.append(request.url))
    _run(admin, "ping", "127.0.0.1", count=4, interval=0.3)
    admin.wait_for_selector("#status .status")
    snap(admin, "ping-running")
    admin.wait_for_selector(FINISHED, timeout=30_000)
    admin.wait_for_function("window.probeopsCharts && window.probeopsCharts.length")
    snap(admin, "ping-finished")

    rtts = admin.evaluate("window.probeopsCharts[0].data[1]")
    assert len(rtts) == 4
    assert all(rtt is not None and rtt > 0 for rtt in rtts)
    assert admin.locator(".result canvas").count() >= 1
    assert admin.locator("table.packets tbody tr").count() == 4
    assert admin.locator("dl.summary").inner_text().count("received") == 1
    assert any(url.endswith("/events") for url in asked)


def test_progress_falls_back_to_polling_the_api_without_event_source(admin):
    admin.add_init_script("delete window.EventSource")
    asked = []
    admin.on("request", lambda request: asked.append(request.url))
    _run(admin, "ping", "127.0.0.1", count=3, interval=0.3)
    admin.wait_for_selector(FINISHED, timeout=30_000)

    assert any("/api/v1/measurements/" in url for url in asked)
    assert not any(url.endswith("/events") for url in asked)
    assert admin.evaluate("window.probeopsCharts[0].data[1].length") == 3


def test_traceroute_of_loopback_shows_the_hop_table_and_the_path(admin):
    _run(admin, "traceroute", "127.0.0.1", queries=2)
    admin.wait_for_selector(FINISHED, timeout=30_000)
    snap(admin, "traceroute")

    hop = admin.locator("table.hops tr.hop").first
    cells = hop.locator("td").all_inner_texts()
    assert cells[:2] == ["1", "127.0.0.1"]
    assert len(cells) == 4
    assert all(re.fullmatch(r"\d+\.\d+", cell) for cell in cells[2:])
    path = admin.locator("ol.path li").all_inner_texts()
    assert path[0] == "127.0.0.1" and "127.0.0.1" in path[-1]


def test_a_bad_option_is_shown_next_to_its_field_and_nothing_is_queued(admin, server):
    queued = len(server.queue.submitted)
    _fill(admin, "dns", "127.0.0.1", port=0)
    admin.check("input[type=checkbox][name='opt.nsid']")
    admin.click("form.run button[type=submit]")
    snap(admin, "run-invalid-option")

    error = admin.locator(".option.invalid p.error[data-field='opt.port']")
    assert error.inner_text() == "must be between 1 and 65535, got 0"
    assert admin.locator("[name='opt.port']").input_value() == "0"
    assert admin.locator("input[type=checkbox][name='opt.nsid']").is_checked()
    assert len(server.queue.submitted) == queued


def test_a_bad_count_is_shown_next_to_it_and_nothing_is_queued(admin, server):
    queued = len(server.queue.submitted)
    _run(admin, "ping", "127.0.0.1", count=0)

    error = admin.locator(".option.invalid p.error[data-field='opt.count']")
    assert error.inner_text() == "must be between 1 and 100000, got 0"
    assert admin.locator("[name='opt.count']").input_value() == "0"
    assert len(server.queue.submitted) == queued


def test_a_forbidden_target_is_refused_with_the_rule_explained(admin, server):
    queued = len(server.queue.submitted)
    _run(admin, "ping", "10.0.0.1")
    snap(admin, "run-forbidden-target")

    messages = admin.locator("p.error[data-field=targets]").all_inner_texts()
    assert "10.0.0.1" in messages[0] and "private" in messages[0]
    assert "PROBEOPS_TARGET_ALLOWLIST" in messages[1]
    assert len(server.queue.submitted) == queued


def test_an_unknown_plugin_gets_a_generated_form_and_a_readable_result(admin):
    admin.goto("/run/greeting")
    assert admin.locator("select[name='opt.tone'] option").all_inner_texts() == [
        "plain",
        "warm",
    ]
    assert admin.locator("[name='opt.words']").get_attribute("max") == "5"
    _fill(admin, "greeting", "127.0.0.1", words=3, extra="you all")
    admin.check("input[type=checkbox][name='opt.shout']")
    admin.click("form.run button[type=submit]")
    admin.wait_for_selector(FINISHED, timeout=30_000)
    snap(admin, "third-party-result")

    view = admin.locator(".document-view").inner_text()
    assert "HELLO THERE DEAR YOU ALL" in view
    assert "127.0.0.1" in view


def test_an_api_key_is_shown_once_then_works_until_revoked(admin, server):
    admin.goto("/keys")
    admin.fill("input[name=name]", "nightly")
    admin.click("form button:has-text('Create key')")
    key = admin.locator("#new-key").input_value()
    admin.context.grant_permissions(["clipboard-read", "clipboard-write"])
    admin.click("button[data-copy]")
    snap(admin, "api-key-created")

    assert admin.locator("button[data-copy]").inner_text() == "Copied"
    assert _api(server, "/api/v1/measurements", key) == 200
    admin.goto("/keys")
    assert admin.locator("#new-key").count() == 0
    row = admin.locator(f"tr[data-prefix='{key[:16]}']")
    assert "nightly" in row.inner_text()
    row.locator("button:has-text('Revoke')").click()
    snap(admin, "api-key-revoked")
    assert admin.locator(f"tr[data-prefix='{key[:16]}']").count() == 0
    assert _api(server, "/api/v1/measurements", key) == 401


def test_history_filters_by_diagnostic_and_status(admin):
    _run(admin, "greeting", "127.0.0.2")
    admin.wait_for_selector(FINISHED, timeout=30_000)
    _run(admin, "ping", "127.0.0.3", count=1)
    admin.wait_for_selector(FINISHED, timeout=30_000)

    admin.goto("/history")
    admin.select_option("select[name=diagnostic]", "greeting")
    admin.select_option("select[name=status]", "finished")
    admin.click("form.filters button")
    snap(admin, "history-filtered")

    rows = admin.locator("table.list tbody tr").all_inner_texts()
    assert rows and all("greeting" in row and "finished" in row for row in rows)
    assert not any("127.0.0.3" in row for row in rows)
    admin.goto("/history?target=127.0.0.3")
    assert admin.locator("table.list tbody tr").count() == 1
    admin.goto("/history?target=127.0.0.3&since=2000-01-01T00:00")
    assert admin.locator("table.list tbody tr").count() == 1
    admin.goto("/history?target=127.0.0.3&since=2999-01-01T00:00")
    assert admin.locator("td.empty").inner_text() == "No measurements."


def test_history_pages_through_measurements(admin):
    for target in ("127.0.0.4", "127.0.0.5", "127.0.0.6"):
        _run(admin, "greeting", target)
        admin.wait_for_selector(FINISHED, timeout=30_000)
    admin.goto("/history?diagnostic=greeting&limit=2")
    first = admin.locator("table.list tbody tr").all_inner_texts()
    admin.click("a[rel=next]")
    second = admin.locator("table.list tbody tr").all_inner_texts()

    assert len(first) == 2 and second
    assert not set(first) & set(second)


def test_a_bad_history_filter_names_the_value(admin):
    admin.goto("/history?limit=500")

    assert "between 1 and 100, got 500" in admin.locator("p.error").inner_text()


def test_timeline_plots_repeated_pings_of_a_target(admin):
    for _ in range(2):
        _run(admin, "ping", "127.0.0.7", count=2, interval=0.1)
        admin.wait_for_selector(FINISHED, timeout=30_000)
    admin.goto("/targets/127.0.0.7")
    admin.wait_for_function("window.probeopsCharts && window.probeopsCharts.length")
    snap(admin, "timeline")

    medians = admin.evaluate("window.probeopsCharts[0].data[2]")
    assert len(medians) == 2 and all(m > 0 for m in medians)


def test_admin_adds_a_user_who_changes_password_is_disabled_enabled_and_removed(
    admin, browser, server
):
    admin.goto("/users")
    admin.fill(
        "form:has(button:has-text('Add user')) input[name=email]", "op@ui.example"
    )
    admin.fill("form:has(button:has-text('Add user')) input[name=password]", PASSWORD)
    admin.select_option("form:has(button:has-text('Add user')) select", "viewer")
    admin.click("button:has-text('Add user')")
    row = admin.locator("tr[data-email='op@ui.example']")
    row.locator("select").select_option("operator")
    row.locator("button:has-text('Change')").click()
    snap(admin, "users")
    assert row.locator("select").input_value() == "operator"

    other = browser.new_context(base_url=server.url).new_page()
    log_in(other, "op@ui.example")
    other.goto("/account")
    other.fill("input[name=current]", PASSWORD)
    other.fill("input[name=new]", "an even longer new password")
    other.fill("input[name=confirm]", "an even longer new password")
    other.click("button:has-text('Change password')")
    snap(other, "account")
    assert "has been changed" in other.locator("p.notice").inner_text()

    row.locator("button:has-text('Disable')").click()
    snap(admin, "users-disabled")
    assert row.get_attribute("data-state") == "disabled"
    assert row.locator(".status").inner_text() == "disabled"
    other.goto("/account")
    assert "/login" in other.url
    other.fill("input[name=email]", "op@ui.example")
    other.fill("input[name=password]", "an even longer new password")
    other.click("button[type=submit]")
    assert "has been disabled" in other.locator("p.error").inner_text()

    row.locator("button:has-text('Enable')").click()
    assert row.get_attribute("data-state") == "active"
    log_in(other, "op@ui.example", "an even longer new password")
    assert other.url.endswith("/")
    other.context.close()

    admin.locator("tr[data-email='op@ui.example'] button:has-text('Remove')").click()
    assert admin.locator("tr[data-email='op@ui.example']").count() == 0


def test_a_viewer_sees_no_run_box_and_is_refused_the_run_form(page, server):
    accounts.create_user(server.store, "viewer@ui.example", PASSWORD, "viewer", "ui")
    log_in(page, "viewer@ui.example")

    assert page.locator("form.quick").count() == 0
    answer = page.goto("/run/ping")
    assert answer.status == 403
    assert "operator" in page.locator("p.problem").inner_text()


def test_logout_revokes_both_tokens(admin):
    admin.goto("/")
    kept = admin.context.cookies()
    admin.click("button:has-text('Log out')")
    admin.wait_for_url("**/login")
    admin.goto("/")
    assert "/login" in admin.url

    admin.context.add_cookies(kept)
    admin.goto("/")
    assert "/login" in admin.url


def test_pages_fit_a_narrow_window(admin):
    admin.set_viewport_size({"width": 390, "height": 800})
    for name, path in [
        ("dashboard", "/"),
        ("run", "/run/dns"),
        ("history", "/history"),
    ]:
        admin.goto(path)
        snap(admin, f"narrow-{name}")
        overflow = admin.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{path} is {overflow}px wider than the window"
    _run(admin, "ping", "127.0.0.1", count=3, interval=0.1)
    admin.wait_for_selector(FINISHED, timeout=30_000)
    admin.wait_for_function("window.probeopsCharts && window.probeopsCharts.length")
    snap(admin, "narrow-ping")
    chart_width = admin.evaluate("window.probeopsCharts[0].width")
    assert chart_width <= 390
    assert admin.evaluate("document.documentElement.scrollWidth") <= 390


def test_forms_work_without_javascript(browser, server):
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, ADMIN)
    page.goto("/")
    page.select_option("form.quick select", "greeting")
    page.fill("form.quick input[name=targets]", "127.0.0.8")
    page.click("form.quick button")
    page.wait_for_selector(FINISHED, timeout=30_000)
    snap(page, "no-javascript-result")

    assert "hello there" in page.locator(".document-view").inner_text()
    context.close()


def test_the_dashboard_counts_measurements_by_status(admin):
    _run(admin, "greeting", "127.0.0.9")
    admin.wait_for_selector(FINISHED, timeout=30_000)
    admin.goto("/")
    snap(admin, "dashboard")
    counts = dict(
        item.split() for item in admin.locator("ul.counts li").all_inner_texts()
    )

    assert int(counts["finished"]) >= 1
    assert set(counts) == {"queued", "running", "finished", "failed"}


def test_mtr_of_loopback_shows_the_table_with_loss_and_latency_bars(admin):
    _run(admin, "mtr", "127.0.0.1", cycles=3, interval=0.05)
    admin.wait_for_selector(FINISHED, timeout=30_000)
    snap(admin, "mtr")

    cells = admin.locator("table.mtr tbody tr").first.locator("td").all_inner_texts()
    assert cells[:4] == ["1", "127.0.0.1", "0.0", "3"]
    assert admin.locator("table.mtr .bar.latency .avg").count() == 1


def test_dns_answer_reads_like_dig_with_rcode_flags_and_dnssec(admin, lab_dns):
    _run(admin, "dns", "127.0.0.1", server=f"127.0.0.1:{lab_dns.port}", retries=0)
    admin.wait_for_selector("#status .status-finished", timeout=30_000)
    snap(admin, "dns")

    dig = admin.locator("pre.dig").inner_text()
    assert ";1.0.0.127.in-addr.arpa." in dig
    assert admin.locator("pre.dig .rcode").inner_text() == "NXDOMAIN"
    assert "qr" in admin.locator("pre.dig .flags").inner_text()
    assert admin.locator("dd.dnssec").inner_text() == "not validated"


def test_an_expired_access_cookie_is_renewed_from_the_refresh_cookie(admin):
    admin.context.clear_cookies(name="access_token_cookie")
    asked = []
    admin.on("request", lambda request: asked.append(request.url))
    admin.goto("/history?status=finished")

    assert admin.url.endswith("/history?status=finished")
    assert any("/session/refresh?next=" in url for url in asked)
    names = {cookie["name"] for cookie in admin.context.cookies()}
    assert "access_token_cookie" in names


def test_a_form_posted_without_the_csrf_value_is_refused(admin, server):
    keys = admin.request.get("/api/v1/api-keys").json()
    answer = admin.request.post(
        "/keys", form={"name": "forged", "scopes": "measurements:read"}
    )

    assert answer.status == 403
    assert "CSRF" in answer.text()
    assert admin.request.get("/api/v1/api-keys").json() == keys
