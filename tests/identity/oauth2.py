"""Real OAuth 2 servers on loopback that speak as WordPress.com and as a Mastodon server do, for the sign-in
tests: an authorization page a browser clicks through (or that answers with an error), the token
endpoint checking the code, client and redirect address, and the account endpoint each has
(``/rest/v1.1/me``; ``/api/v1/accounts/verify_credentials``). The Mastodon one also registers apps
(``POST /api/v1/apps``), as any Mastodon server lets any site do. Each holds one user a test sets.
"""

import html
import secrets
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.identity.oidc import PICTURE, LoopbackHandler


@dataclass
class Server:
    kind: str
    """``wordpress`` or ``mastodon``."""
    url: str = ""
    host: str = ""
    """What a reader types for it: ``127.0.0.1:<port>``."""
    apps: dict[str, dict] = field(default_factory=dict)
    """client id -> {"secret", "redirect_uri", "scopes"}: apps registered here (or, for WordPress.com, made
    by hand in its developer console)."""
    user: dict = field(default_factory=dict)
    grants: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    """Every method and path asked for, in order."""
    error: str = ""
    """If set, the authorization page answers with this OAuth error instead of asking the reader."""
    not_mastodon: bool = False
    """If set, the server answers registrations with an HTML page, as a server that is not Mastodon would."""

    @property
    def paths(self) -> dict[str, str]:
        if self.kind == "wordpress":
            return {"authorize": "/oauth2/authorize", "token": "/oauth2/token", "me": "/rest/v1.1/me"}
        return {"authorize": "/oauth/authorize", "token": "/oauth/token", "me": "/api/v1/accounts/verify_credentials"}

    def add_app(self, redirect_uri: str = "", scopes: str = "") -> tuple[str, str]:
        client_id, secret = secrets.token_urlsafe(12), secrets.token_urlsafe(24)
        self.apps[client_id] = {"secret": secret, "redirect_uri": redirect_uri, "scopes": scopes}
        return client_id, secret


class _Handler(LoopbackHandler):
    server_state: Server

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        state = self.server_state
        parts = urlsplit(self.path)
        state.requests.append(f"GET {parts.path}")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == state.paths["authorize"]:
            self._authorize_page(query)
        elif parts.path == state.paths["me"]:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            user = state.tokens.get(token)
            self._json(user) if user else self._json({"error": "The access token is invalid"}, 401)
        elif parts.path == "/picture.png":
            self._send(200, PICTURE, "image/png")
        elif parts.path == "/elsewhere.png":  # a picture that is somewhere else
            self._send(302, b"", "text/plain", Location=f"{state.url}/picture.png")
        else:
            self._send(404, b"not found", "text/plain")

    def _authorize_page(self, query: dict[str, str]) -> None:
        state = self.server_state
        app = state.apps.get(query.get("client_id", ""))
        if app is None or query.get("response_type") != "code":
            self._send(400, b"bad authorization request", "text/plain")
            return
        if app["redirect_uri"] and query.get("redirect_uri") != app["redirect_uri"]:
            self._send(400, b"redirect_uri does not match the app's", "text/plain")
            return
        if state.error:
            answer = {"error": state.error, "error_description": "Something broke", "state": query.get("state", "")}
            self._send(302, b"", "text/plain", Location=f"{query['redirect_uri']}?{urlencode(answer)}")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items()
        )
        page = (
            f"<!doctype html><title>Loopback {state.kind}</title>"
            f'<form method=post action="{state.paths["authorize"]}">{hidden}'
            f"<p>Let pnyx see your account ({html.escape(str(state.user.get('username', '')))})?</p>"
            '<button id="approve" name="answer" value="yes">Authorize</button> '
            '<button id="deny" name="answer" value="no">Deny</button></form>'
        )
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        state = self.server_state
        parts = urlsplit(self.path)
        state.requests.append(f"POST {parts.path}")
        form = self._form()
        if parts.path == state.paths["authorize"]:
            answer: dict[str, str] = {"state": form.get("state", "")}
            if form.get("answer") == "yes":
                code = secrets.token_urlsafe(16)
                state.grants[code] = {"client_id": form["client_id"], "redirect_uri": form["redirect_uri"]}
                answer["code"] = code
            else:
                answer["error"] = "access_denied"
            self._send(302, b"", "text/plain", Location=f"{form['redirect_uri']}?{urlencode(answer)}")
        elif parts.path == state.paths["token"]:
            self._token(form)
        elif parts.path == "/api/v1/apps" and state.kind == "mastodon":
            if state.not_mastodon:
                self._send(200, b"<!doctype html><p>Welcome to my blog</p>", "text/html")
                return
            if not form.get("redirect_uris") or not form.get("client_name"):
                self._json({"error": "Validation failed"}, 422)
                return
            client_id, secret = state.add_app(form["redirect_uris"], form.get("scopes", ""))
            self._json({"id": "1", "name": form["client_name"], "client_id": client_id, "client_secret": secret})
        else:
            self._send(404, b"not found", "text/plain")

    def _token(self, form: dict[str, str]) -> None:
        state = self.server_state
        grant = state.grants.pop(form.get("code", ""), None)
        app = state.apps.get(form.get("client_id", ""))
        if (
            grant is None
            or app is None
            or form.get("grant_type") != "authorization_code"
            or form.get("client_secret") != app["secret"]
            or form.get("client_id") != grant["client_id"]
            or form.get("redirect_uri") != grant["redirect_uri"]
        ):
            self._json({"error": "invalid_grant"}, 400)
            return
        access = secrets.token_urlsafe(16)
        state.tokens[access] = dict(state.user)
        self._json({"access_token": access, "token_type": "Bearer", "scope": app["scopes"] or "auth"})


def serve(kind: str) -> tuple[Server, ThreadingHTTPServer]:
    """Start a server on a free loopback port, in a thread; stop it with ``server.shutdown()``."""
    state = Server(kind=kind)
    handler = type("Handler", (_Handler,), {"server_state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.host = f"127.0.0.1:{server.server_address[1]}"
    state.url = f"http://{state.host}"
    if kind == "wordpress":
        state.user = {
            "ID": 4242,
            "display_name": "Grace Hopper",
            "username": "ghopper",
            "email": "grace@example.org",
            "email_verified": True,
            "avatar_URL": f"{state.url}/picture.png",
            "profile_URL": "https://gravatar.example/ghopper",
        }
    else:
        state.user = {
            "id": "109",
            "username": "ada",
            "acct": "ada",
            "display_name": "Ada on Mastodon",
            "url": f"{state.url}/@ada",
            "avatar": f"{state.url}/picture.png",
            "avatar_static": f"{state.url}/picture.png",
        }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
