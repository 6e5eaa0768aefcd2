"""The solver page in a real headless Chromium (Playwright driving the system's chromium): rendered
math, executed code cells, the vote table, the check verdict, cancellation, a load error, and a tiny
local transformers model end to end. Screenshots go to pytest's tmp dir (their paths are printed)."""

from __future__ import annotations

import re
import shutil
import time

import pytest

pytest.importorskip("fastapi", reason="the app needs FastAPI: pip install 'mathforge[ui]'")
pytest.importorskip("uvicorn", reason="the app needs uvicorn: pip install 'mathforge[ui]'")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="browser tests need Playwright for Python: pip install playwright"
)
CHROMIUM = next((p for n in ("chromium", "chromium-browser") if (p := shutil.which(n))), None)
if CHROMIUM is None:
    pytest.skip(
        "browser tests need a chromium binary on PATH (apt-get install chromium)", allow_module_level=True
    )

from test_app_api import Scripted, Slow, call, serve, solve  # noqa: E402

from mathforge.app.server import AppSettings, create_app  # noqa: E402
from mathforge.infer import BackendError  # noqa: E402

TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1100, "height": 1400})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    ctx.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def shot(page, tmp_path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")


def ask(page, question: str, *, mode: str = "cot", k: int = 1, reference: str | None = None) -> None:
    page.fill("#question", question)
    page.check(f'input[name="mode"][value="{mode}"]')
    page.fill("#k", str(k))
    if reference is not None:
        page.check("#check")
        page.fill("#reference", reference)
    page.click("#solve")


def test_math_votes_and_check_verdict(page, tmp_path):
    with serve(create_app(backend=Scripted())) as base:
        page.goto(base)
        ask(page, "What is half of $1$?", k=3, reference="1/2")
        page.wait_for_selector('#status[data-state="done"]', timeout=TIMEOUT_MS)
        # math rendered by KaTeX (bundled, offline) in every sample, boxed answers included
        assert page.locator(".sample .prose .katex").count() >= 6
        assert page.locator(".sample .katex .fbox").count() == 3
        boxed = page.locator(".sample .prose .katex-html .boxpad").all_inner_texts()
        boxed = [re.sub(r"[\s\u200b]", "", t) for t in boxed]
        assert sorted(boxed[0]) == ["1", "2"] and boxed[1:] == ["0.5", "3"]  # the boxes hold the answers
        assert page.locator(".sample").count() == 3
        # the vote table groups \frac{1}{2} and 0.5 by the grader's equivalence
        rows = page.locator("#votes tbody tr")
        assert rows.count() == 2
        assert rows.nth(0).locator("td.share").inner_text() == "67%"
        assert rows.nth(0).get_attribute("data-answer") == "\\frac{1}{2}"
        assert rows.nth(0).locator("td.num").first.inner_text() == "2"
        assert rows.nth(1).locator("td.share").inner_text() == "33%"
        assert rows.nth(1).get_attribute("data-answer") == "3"
        assert rows.nth(0).locator(".katex").count() == 1  # the answer itself is typeset
        # the check against the reference answer
        final = page.locator("#final")
        assert final.is_visible()
        assert final.locator(".verdict").inner_text() == "correct"
        verdicts = page.locator(".sample .foot .verdict").all_inner_texts()
        assert verdicts == ["correct", "correct", "wrong"]
        shot(page, tmp_path, "votes")


def test_tool_integrated_cells_run_in_the_sandbox(page, tmp_path):
    with serve(create_app(backend=Scripted(), settings=AppSettings(tool_rounds=2))) as base:
        page.goto(base)
        ask(page, "求 1 到 100 的和。", mode="tir")
        page.wait_for_selector('#status[data-state="done"]', timeout=TIMEOUT_MS)
        body = page.locator('.sample[data-index="0"] .body')
        cell = body.locator(".cell")
        assert cell.count() == 1
        assert cell.locator("pre.code").inner_text() == "total = sum(range(1, 101))\nprint(total)"
        assert cell.locator("pre.output").inner_text() == "5050"  # printed by the sandbox, not the model
        # in order: the prose before the cell, the cell, then the prose that reads its output
        kinds = body.evaluate("b => [...b.children].map(c => c.className)")
        assert kinds == ["prose", "cell", "prose"]
        assert "5050" in body.locator(".prose").nth(1).inner_text()
        assert page.locator("#final .answer").inner_text().strip().startswith("5050")
        assert page.locator("#votes").is_hidden()  # one sample: no vote table
        shot(page, tmp_path, "tir")


def test_cancel_stops_a_slow_generation_while_others_are_served(page, tmp_path):
    slow = Slow(delay=0.05, words=400)
    with serve(create_app(backend=slow, settings=AppSettings(jobs=2))) as base:
        page.goto(base)
        ask(page, "a slow problem", k=3)
        page.wait_for_function(
            "() => (document.querySelector('.sample .prose') || {}).textContent?.includes('step5')",
            timeout=TIMEOUT_MS,
        )
        assert page.locator("#cancel").is_enabled()
        t0 = time.time()
        fast = solve(base, question="a fast problem", k=1)  # the server answers another request
        assert time.time() - t0 < 5
        assert next(e for e in fast if e["type"] == "result")["answer"] == "7"
        assert page.locator("#status").get_attribute("data-state") == "running"
        page.click("#cancel")
        page.wait_for_selector('#status[data-state="cancelled"]', timeout=3000)
        sent = slow.words_sent
        time.sleep(0.3)
        assert slow.words_sent == sent < 400
        assert page.locator("#solve").is_enabled() and page.locator("#cancel").is_disabled()
        assert page.locator(".sample .phase").all_inner_texts() == ["cancelled", "not started", "not started"]
        shot(page, tmp_path, "cancelled")


def test_a_model_load_error_is_shown(page, tmp_path):
    def broken():
        raise BackendError("cannot load model 'nowhere': no such folder; check the path or model id")

    with serve(create_app(loader=broken)) as base:
        page.goto(base)
        banner = page.locator("#banner")
        banner.wait_for(state="visible", timeout=TIMEOUT_MS)
        page.wait_for_function("() => document.querySelector('#banner').textContent.includes('nowhere')")
        assert banner.inner_text().startswith("The model could not be loaded: cannot load model 'nowhere'")
        assert page.locator("#solve").is_disabled()
        assert call(f"{base}/api/jobs", {"question": "1+1"})[0] == 503
        shot(page, tmp_path, "load-error")


def test_a_tiny_local_transformers_model(page, tmp_path):
    pytest.importorskip("transformers")
    from mathforge.infer import BackendSpec
    from mathforge.models.tiny import build_tiny_model

    model = build_tiny_model(
        tmp_path / "tiny", ["What is 2 plus 2? The answer is $\\boxed{4}$."] * 40, vocab_size=300
    )
    app = create_app(BackendSpec(backend="hf", model=str(model)), settings=AppSettings(max_tokens=12))
    with serve(app) as base:
        page.goto(base)
        page.wait_for_function(
            "() => document.querySelector('#model').textContent.includes('(hf)')", timeout=TIMEOUT_MS
        )
        ask(page, "What is 2 plus 2?", k=2)
        page.wait_for_selector('#status[data-state="done"]', timeout=60_000)
        assert page.locator("#banner").is_hidden()
        assert page.locator(".sample").count() == 2
        # the random model writes something (token-streamed through the hf backend)
        _, state = call(f"{base}/api/jobs/{page.evaluate('ui.job')}")
        samples = state["result"]["samples"]
        assert len(samples) == 2 and all(s["error"] is None for s in samples)
        assert any(s["text"].strip() for s in samples)
        shot(page, tmp_path, "tiny-model")
