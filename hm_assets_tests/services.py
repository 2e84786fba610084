"""The running platform for tests: ``dagster-webserver`` and ``dagster-daemon`` as real processes,
their GraphQL API, and headless Chromium driven through the DevTools protocol.

Each process starts in its own process group and is stopped by signalling the group, then
every descendant recorded while it ran is checked gone, so a test leaves no orphans.
"""

import base64
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, interval: float = 1.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


class Process:
    """A command in its own process group, its output in a log file."""

    def __init__(self, args: list[str], env: dict, log: Path, cwd: Path = REPO):
        self.log = log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(args, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True)
        self.seen: dict[int, psutil.Process] = {}

    def remember_descendants(self) -> None:
        try:
            root = psutil.Process(self.popen.pid)
            for p in [root, *root.children(recursive=True)]:
                self.seen.setdefault(p.pid, p)
        except psutil.NoSuchProcess:
            pass

    def stop(self, timeout: float = 30) -> list[str]:
        """SIGTERM the group, SIGKILL what is left after ``timeout``; return survivors (none)."""
        self.remember_descendants()
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)
        # children that left the group (code servers, run workers) are signalled one by one
        _, alive = psutil.wait_procs([p for p in self.seen.values() if _running(p)], timeout=timeout)
        for p in alive:
            p.kill()
        _, alive = psutil.wait_procs(alive, timeout=10)
        self._out.close()
        return [f"{p.pid} {p.name()}" for p in alive if _running(p)]


def _running(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Services:
    """``dagster-webserver`` and ``dagster-daemon`` on 127.0.0.1, loading the project's workspace."""

    def __init__(self, env: dict, logs: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.webserver = Process(
            [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(self.port), "-w", "workspace.yaml"],
            env, logs / "webserver.log",
        )
        self.daemon = Process([str(BIN / "dagster-daemon"), "run", "-w", "workspace.yaml"], env, logs / "daemon.log")

    def wait_ready(self, timeout: float = 180) -> None:
        def up():
            for proc in (self.webserver, self.daemon):
                if proc.popen.poll() is not None:
                    raise RuntimeError(f"{proc.log.name} exited early:\n{proc.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/server_info", timeout=5) as r:
                    return r.status == 200
            except OSError:
                return False

        wait_for(up, timeout, what="the webserver")
        wait_for(lambda: self.graphql("{ workspaceOrError { ... on Workspace { locationEntries { loadStatus } } } }")
                 ["workspaceOrError"]["locationEntries"][0]["loadStatus"] == "LOADED", timeout, what="the code location")

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"{self.url}/graphql", body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            answer = json.loads(r.read())
        if answer.get("errors"):
            raise RuntimeError(f"GraphQL errors: {answer['errors']}")
        return answer["data"]

    def stop(self) -> list[str]:
        for proc in (self.webserver, self.daemon):
            proc.remember_descendants()
        return self.daemon.stop() + self.webserver.stop()


LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId }
    ... on PythonError { message stack }
    ... on PartitionKeysNotFoundError { message }
  }
}
"""

BACKFILL_STATUS = """
query($id: String!) {
  partitionBackfillOrError(backfillId: $id) {
    __typename
    ... on PartitionBackfill { status numCancelable }
    ... on PythonError { message }
  }
}
"""


class Chromium:
    """Headless Chromium through the DevTools protocol (the ``websockets`` client is installed
    with the webserver): navigate, read the page's text, take a screenshot."""

    def __init__(self, profile: Path, width: int = 1600, height: int = 1000):
        import shutil

        if shutil.which("chromium") is None:
            raise FileNotFoundError("chromium not found: `make browser` installs it (apt-get install chromium chromium-driver)")
        self.proc = Process(
            ["chromium", *CHROMIUM_FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
             f"--window-size={width},{height}", "about:blank"],
            dict(os.environ), profile.parent / "chromium.log",
        )
        port_file = profile / "DevToolsActivePort"
        port = wait_for(lambda: port_file.is_file() and port_file.read_text().split("\n")[0].strip(), 60, 0.2, "chromium")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
            page = next(t for t in json.loads(r.read()) if t["type"] == "page")
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30))
        self._id = 0

    def call(self, method: str, **params) -> dict:
        self._id += 1
        self.ws.send(json.dumps({"id": self._id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == self._id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def open(self, url: str) -> None:
        self.call("Page.navigate", url=url)

    def click_button(self, label: str) -> bool:
        """Click the first button labelled ``label`` (a dialog's "Skip", say); False if none."""
        script = f"(() => {{ const b = [...document.querySelectorAll('button')].find(b => b.innerText.trim() === {json.dumps(label)}); if (b) b.click(); return !!b; }})()"
        return bool(self.call("Runtime.evaluate", expression=script, returnByValue=True)["result"].get("value"))

    def scroll_to(self, heading: str) -> bool:
        """Scroll the element whose whole text is ``heading`` to the top of its scroll box."""
        script = (f"(() => {{ const e = [...document.querySelectorAll('*')].find(e => e.children.length === 0 && "
                  f"e.textContent.trim() === {json.dumps(heading)}); if (e) e.scrollIntoView({{block: 'start'}}); return !!e; }})()")
        return bool(self.call("Runtime.evaluate", expression=script, returnByValue=True)["result"].get("value"))

    def text(self) -> str:
        result = self.call("Runtime.evaluate", expression="document.body ? document.body.innerText : ''", returnByValue=True)
        return result["result"].get("value") or ""

    def wait_for_text(self, needles: list[str], timeout: float = 90) -> str:
        def found():
            text = self.text()
            return text if all(n in text for n in needles) else ""

        try:
            return wait_for(found, timeout, 1.0, f"page text {needles}")
        except TimeoutError as e:
            raise TimeoutError(f"{e}; page shows:\n{self.text()[:3000]}") from None

    def dismiss_dialog(self, marker: str = "Join the Dagster community", button: str = "Skip") -> None:
        """Close the UI's one-time community dialog if it shows (it may show on each fresh load)."""
        if marker in self.text():
            self.click_button(button)
            wait_for(lambda: marker not in self.text(), 30, 0.3, "the dialog to close")

    def screenshot(self, path: Path) -> Path:
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> list[str]:
        self._stack.close()
        return self.proc.stop()
