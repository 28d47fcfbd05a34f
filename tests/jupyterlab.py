"""A real JupyterLab on a free localhost port, driven by Playwright in Debian's /usr/bin/chromium.

The notebooks are copied to a scratch directory first (JupyterLab autosaves
what it runs), and the server's settings and workspaces live there too, so a
run never touches the repository or the user's own JupyterLab.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
START_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(workdir: Path, env: dict[str, str]):
    """Run JupyterLab on the notebooks (copied into ``workdir``); yield its base URL with the token."""
    root = workdir / "notebooks"
    shutil.copytree(NOTEBOOKS, root)
    news = (
        workdir
        / "settings"
        / "@jupyterlab"
        / "apputils-extension"
        / "notification.jupyterlab-settings"
    )
    news.parent.mkdir(parents=True)
    news.write_text(
        '{"fetchNews": "false", "checkForUpdates": false}'
    )  # no "official Jupyter news?" toast
    port, token = free_port(), secrets.token_hex(16)
    log = (workdir / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--ServerApp.root_dir={root}",
            f"--IdentityProvider.token={token}",
            f"--LabApp.user_settings_dir={workdir / 'settings'}",
            f"--LabApp.workspaces_dir={workdir / 'workspaces'}",
            *(["--allow-root"] if os.geteuid() == 0 else []),
        ],
        env={**os.environ, **env, "JUPYTER_RUNTIME_DIR": str(workdir / "runtime")},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_ready(
            f"http://127.0.0.1:{port}/api/status?token={token}", server, workdir / "jupyterlab.log"
        )
        yield f"http://127.0.0.1:{port}", token
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _wait_ready(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"JupyterLab exited with {server.returncode}:\n{log.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(
        f"JupyterLab did not answer within {START_TIMEOUT_S} s:\n{log.read_text()[-2000:]}"
    )


@contextmanager
def browser_page(width: int = 1400, height: int = 1000, failure_shot: Path | None = None):
    """A page of a headless Debian Chromium (Playwright never downloads a browser here).

    If the test fails inside, the page as it was is saved to ``failure_shot``.
    """
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(
            f"no {CHROMIUM}: the browser tests need Debian's chromium (scripts/ensure-chromium)"
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(60_000)
            try:
                yield page
            except BaseException:
                if failure_shot is not None:
                    page.screenshot(path=failure_shot, full_page=True)
                raise
        finally:
            browser.close()


def open_and_run_all(page, base: str, token: str, notebook: str) -> None:
    """Open ``notebook`` in JupyterLab, wait for its kernel, run every cell, and wait until the kernel is idle."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(f"{base}/lab/tree/{notebook}?token={token}")
    page.locator(".jp-Notebook").first.wait_for()
    accept = page.locator(
        ".jp-Dialog .jp-mod-accept", has_text="Select"
    )  # "Select Kernel", when JupyterLab asks
    try:
        accept.wait_for(timeout=10_000)
        accept.click()
    except PlaywrightTimeout:
        pass
    _wait_idle(page)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    page.wait_for_timeout(1000)
    _wait_idle(page)


def _wait_idle(page, timeout_s: float = 180) -> None:
    """Wait until the notebook's kernel reports idle (the toolbar's kernel status)."""
    page.wait_for_function(
        """() => {
            const cells = document.querySelectorAll('.jp-InputArea-prompt');
            const busy = [...cells].some(c => c.textContent.includes('[*]'));
            const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
            const state = status ? status.getAttribute('data-status') : 'idle';
            return !busy && state === 'idle';
        }""",
        timeout=timeout_s * 1000,
    )


def errors_in(page) -> list[str]:
    """The text of every error (traceback) output in the open notebook."""
    return page.locator("[data-mime-type='application/vnd.jupyter.error']").all_inner_texts()
