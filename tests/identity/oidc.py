"""A real OpenID Connect provider on loopback, for the sign-in tests: discovery, an authorization page a
browser clicks through, the token and userinfo endpoints, signed ID tokens (RS256, keys published at
``/jwks``), PKCE, and a picture to fetch. Built on Authlib's and joserfc's pieces over the standard
library's HTTP server; it holds one user, whom a test sets (``provider.user``).
"""

import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

# A 1x1 PNG: what the provider serves as the user's picture.
PICTURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2216bc30000000049454e44ae426082"
)


@dataclass
class _Grant:
    redirect_uri: str
    nonce: str | None
    challenge: str | None
    user: dict


@dataclass
class Provider:
    url: str = ""
    client_id: str = "pnyx-test"
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    user: dict = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"}))
    grants: dict[str, _Grant] = field(default_factory=dict)
    tokens: dict[str, dict] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    """Every path asked for, in order: a test can tell what reached the provider."""

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "iat": now, "exp": now + 300, **grant.user}
        if grant.nonce:
            claims["nonce"] = grant.nonce
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, self.key)


class LoopbackHandler(BaseHTTPRequestHandler):
    """What every loopback provider in the tests answers with: bodies, JSON, and the form it was sent."""

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, data: dict, status: int = 200) -> None:
        self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length", 0))
        return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}


class _Handler(LoopbackHandler):
    provider: Provider

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        self.provider.requests.append(parts.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/.well-known/openid-configuration":
            self._json(self.provider.discovery())
        elif parts.path == "/jwks":
            self._json(KeySet([self.provider.key]).as_dict(private=False))
        elif parts.path == "/authorize":
            self._authorize_page(query)
        elif parts.path == "/userinfo":
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            user = self.provider.tokens.get(token)
            self._json(user) if user else self._json({"error": "invalid_token"}, 401)
        elif parts.path == "/picture.png":
            self._send(200, PICTURE, "image/png")
        else:
            self._send(404, b"not found", "text/plain")

    def _authorize_page(self, query: dict[str, str]) -> None:
        if query.get("client_id") != self.provider.client_id or query.get("response_type") != "code":
            self._send(400, b"bad authorization request", "text/plain")
            return
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in query.items()
        )
        name = html.escape(self.provider.user.get("name", "someone"))
        page = (
            f"<!doctype html><title>Loopback ID</title><form method=post action=/authorize>{hidden}"
            f'<p>Sign in to pnyx as {name}?</p><button id="approve" name="answer" value="yes">Sign in</button> '
            f'<button id="deny" name="answer" value="no">Cancel</button></form>'
        )
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self.provider.requests.append(parts.path)
        form = self._form()
        if parts.path == "/authorize":
            redirect_uri, state = form["redirect_uri"], form.get("state", "")
            if form.get("answer") != "yes":
                answer = {"error": "access_denied", "state": state}
            else:
                code = secrets.token_urlsafe(16)
                self.provider.grants[code] = _Grant(
                    redirect_uri, form.get("nonce"), form.get("code_challenge"), dict(self.provider.user)
                )
                answer = {"code": code, "state": state}
            self._send(302, b"", "text/plain", Location=f"{redirect_uri}?{urlencode(answer)}")
        elif parts.path == "/token":
            self._token(form)
        else:
            self._send(404, b"not found", "text/plain")

    def _token(self, form: dict[str, str]) -> None:
        grant = self.provider.grants.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != self.provider.client_id
            or form.get("client_secret") != self.provider.secret
            or form.get("redirect_uri") != grant.redirect_uri
            or (grant.challenge and create_s256_code_challenge(form.get("code_verifier", "")) != grant.challenge)
        ):
            self._json({"error": "invalid_grant"}, 400)
            return
        access = secrets.token_urlsafe(16)
        self.provider.tokens[access] = grant.user
        self._json(
            {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.provider.id_token(grant),
            }
        )


def serve() -> tuple[Provider, ThreadingHTTPServer]:
    """Start a provider on a free loopback port, in a thread; stop it with ``server.shutdown()``."""
    provider = Provider()
    handler = type("Handler", (_Handler,), {"provider": provider})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    provider.url = f"http://127.0.0.1:{server.server_address[1]}"
    provider.user = {
        "sub": "ada",
        "name": "Ada Lovelace",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "email": "ada@example.org",
        "email_verified": True,
        "picture": f"{provider.url}/picture.png",
    }
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider, server
