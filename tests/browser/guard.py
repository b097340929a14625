"""Request and console guard: no request may leave localhost, none may fail, no JavaScript error."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlparse

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about", "file"})
# Chromium's notes on the iframe `allow` list Streamlit sets for components, and its sandbox advice: browser
# warnings about Streamlit's own markup, never errors from our code; they arrive as warnings and are ignored.


def is_local(url: str) -> bool:
    """True for URLs served by this machine (loopback) or that need no network (data:, blob:)."""
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return parsed.scheme in ("http", "https", "ws", "wss") and (parsed.hostname or "") in LOCAL_HOSTS | {"::1"}


@dataclass
class Guard:
    """Records what a browser context did wrong; :meth:`check` raises with everything it saw."""

    external: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach_context(self, ctx: object) -> None:
        """Abort and record every non-local request of ``ctx``; watch each new page."""
        ctx.route("**/*", self._route)
        ctx.on("page", self.attach_page)

    def _route(self, route: object) -> None:
        url = route.request.url
        if is_local(url):
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")

    def attach_page(self, page: object) -> None:
        """Record failed requests, HTTP errors, console errors and uncaught exceptions of ``page``."""
        page.on("requestfailed", self._request_failed)
        page.on("response", lambda r: self.failed.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def _request_failed(self, request: object) -> None:
        if not is_local(request.url):
            return  # recorded as external already
        failure = request.failure or ""
        if "ERR_ABORTED" in failure:
            # The browser cancelled a local load (a page switch, or a map replaced mid-load by a view switch).
            # A missing or broken file still fails loudly: as an HTTP error (recorded below, from the
            # response), a JavaScript error, or a map that does not draw (the journeys check each).
            return
        self.failed.append(f"{failure} {request.url}")

    def problems(self) -> list[str]:
        """Everything recorded so far."""
        return ([f"left localhost: {u}" for u in self.external] + [f"failed: {f}" for f in self.failed]
                + self.errors)

    def check(self) -> None:
        """Raise AssertionError listing every recorded problem."""
        problems = self.problems()
        assert not problems, "browser problems:\n" + "\n".join(problems)

