"""Replay the recorded requests against the fake, in order, and keep each answer for comparison.

For each recorded exchange the replay (1) prepares what the recorded answer says held before it
(`given`), (2) fills the placeholders of the recorded request (`world`), (3) sends it the way the
recording sent it (`SENT_AS`: headers and bodies the recorder did not keep), and (4) remembers the
objects the fake answered with. Everything else is the recorded request, byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl

import httpx

from tests.fakes.infisical import FakeInfisical, OidcIssuer

from . import given
from .exchanges import Exchange, differences
from .world import BODY_KINDS, NAME_FIELDS, Fits, World, path_kinds

RECORDED_ISSUER = "http://issuer.test"
"""The OIDC issuer (and discovery URL) the recorded identities were bound to; the fake can reach it."""
REJECTED_TOKEN = "cf-token-cloudflare-refuses"
SYNC_JOB_SECONDS = 0.2
"""How long a sync job runs in the replayed fake: the recorded reads right after a create see it pending."""


@dataclass(frozen=True)
class SentAs:
    """What the recorder did not keep about how a request was sent."""

    auth: Literal["admin", "none", "malformed", "login"] = "admin"
    json_without_body: bool = False
    """``content-type: application/json`` with an empty body."""
    rejected_token: bool = False
    """The Cloudflare API token in the body is one Cloudflare refuses."""
    subject: str | None = None
    """The ``sub`` of the OIDC token minted for a login (default: one the identity binds)."""
    environment: str | None = None
    """The slug of the environment the path's environment id stands for."""


SENT_AS: dict[int, SentAs] = {
    92: SentAs(auth="login"),
    93: SentAs(auth="login"),
    119: SentAs(subject="repo:someone-else/app:pull_request"),
    143: SentAs(rejected_token=True),
    175: SentAs(json_without_body=True),
    176: SentAs(auth="none"),
    177: SentAs(auth="malformed"),
    178: SentAs(environment="dev"),  # the project was created with it (line 147)
    179: SentAs(json_without_body=True),
    180: SentAs(json_without_body=True),
}


@dataclass
class Outcome:
    exchange: Exchange
    status: int
    body: Any
    differences: list[str] = field(default_factory=list)


@dataclass
class Call:
    """A recorded request with its placeholders filled."""

    method: str
    path: str
    params: dict[str, str]
    body: Any
    ids: dict[str, str] = field(default_factory=dict)
    """The id each kind of object in the path or body was resolved to."""


class Replay:
    def __init__(self, fake: FakeInfisical, exchanges: list[Exchange]) -> None:
        self.fake = fake
        self.exchanges = exchanges
        self.world = World(fake)
        self.issuer = OidcIssuer(issuer=RECORDED_ISSUER)
        fake.trust_issuer(self.issuer)
        fake.rejected_tokens.add(REJECTED_TOKEN)
        fake.sync_job_seconds = SYNC_JOB_SECONDS
        self.http = httpx.Client(base_url=fake.url, timeout=30)
        self.login_token: str | None = None
        self.client_secret: str | None = None

    def close(self) -> None:
        self.http.close()

    def run(self) -> list[Outcome]:
        return [self.one(exchange) for exchange in self.exchanges]

    def one(self, exchange: Exchange) -> Outcome:
        try:
            return self._one(exchange)
        except (AssertionError, KeyError, TypeError, ValueError, httpx.HTTPError) as error:
            return Outcome(exchange, 0, None, [f"the replay could not send it: {type(error).__name__}: {error}"])

    def _one(self, exchange: Exchange) -> Outcome:
        sent_as = SENT_AS.get(exchange.index, SentAs())
        given.before(self, exchange)
        call = self.resolve(exchange, sent_as)
        given.after(self, exchange, call)
        response = self.send(exchange, call, sent_as)
        body = _decoded(response)
        if 200 <= response.status_code < 300:
            self.remember_answer(exchange, call, body)
        outcome = Outcome(exchange, response.status_code, body)
        outcome.differences = differences(exchange, response.status_code, body, self.world.names)
        return outcome

    # -- filling placeholders ----

    def resolve(self, exchange: Exchange, sent_as: SentAs) -> Call:
        route, _, query = exchange.path.partition("?")
        kinds = path_kinds(route)
        ids: dict[str, str] = {}
        parts = route.split("/")
        slots = [i for i, part in enumerate(parts) if part == "<uuid>"]
        for position, (slot, kind) in enumerate(zip(slots, kinds, strict=True)):
            target = position == len(kinds) - 1
            ids[kind] = self.world.pick(kind, self._fits(exchange, kind, ids, target=target, sent_as=sent_as))
            parts[slot] = ids[kind]
        params = {key: self._param(key, value, ids) for key, value in parse_qsl(query)}
        body = self._body(exchange, exchange.request, ids, sent_as)
        create = exchange.method == "POST" and exchange.ok
        path = self.world.concrete("/".join(parts), exchange, create=create)
        return Call(exchange.method, path, self.world.concrete(params), body, ids)

    def _param(self, key: str, value: str, ids: dict[str, str]) -> str:
        if value == "<uuid>":
            kind = BODY_KINDS[key]
            return ids.setdefault(kind, self.world.pick(kind))
        return str(self.world.concrete(value))

    def _body(self, exchange: Exchange, value: Any, ids: dict[str, str], sent_as: SentAs, key: str = "") -> Any:
        if isinstance(value, Mapping):
            return {k: self._body(exchange, v, ids, sent_as, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._body(exchange, item, ids, sent_as, key) for item in value]
        if value == "<uuid>":
            kind = "connection" if key == "$eq" else BODY_KINDS[key]
            if kind not in ids:
                fits = self._fits(exchange, kind, ids, target=True, sent_as=sent_as) if kind == "identity" else None
                ids[kind] = self.world.pick(kind, fits)
            return ids[kind]
        if value == "<redacted>":
            return self._credential(key, ids, sent_as)
        create = exchange.method == "POST" and exchange.ok
        return self.world.concrete(value, exchange, create=create)

    def _credential(self, key: str, ids: dict[str, str], sent_as: SentAs) -> str:
        if key == "apiToken":
            return REJECTED_TOKEN if sent_as.rejected_token else "cf-token-the-account-accepts"
        if key == "clientSecret":
            assert self.client_secret, "a client secret is made before it is used"
            return self.client_secret
        if key == "jwt":
            return self.mint(ids["identity"], sent_as.subject)
        raise AssertionError(f"no stand-in for the redacted {key!r}")

    def mint(self, identity_id: str, subject: str | None) -> str:
        """An ID token from the recorded issuer that the identity's OIDC auth accepts (but for ``subject``)."""
        with self.fake.store.lock:
            config = dict(self.fake.store.oidc_auths[identity_id])
        claims = {key: value.split(",")[0].strip() for key, value in (config.get("boundClaims") or {}).items()}
        bound_subject = claims.pop("sub", None) or config.get("boundSubject") or "anyone"
        audience = (config.get("boundAudiences") or "any").split(",")[0].strip()
        return self.issuer.token(subject=subject or bound_subject, audience=audience, claims=claims)

    def _fits(self, exchange: Exchange, kind: str, ids: Mapping[str, str], *, target: bool, sent_as: SentAs) -> Fits:
        """What an object must be for this exchange (see `world`); a name the answer shows narrows it."""
        world, route, method, status = self.world, exchange.route, exchange.method, exchange.status
        rules: list[Fits] = []
        if kind == "identity":
            if "/oidc-auth/identities/" in route and (method == "POST" or exchange.ok):
                rules.append((lambda i: not world.has_oidc(i)) if method == "POST" else world.has_oidc)
            elif route.endswith("/oidc-auth/login"):
                rules.append(world.has_oidc)
            elif "/universal-auth/identities/" in route and status == 200:
                wanted = method != "POST" or route.endswith("/client-secrets")
                rules.append(lambda i: world.has_universal_auth(i) is wanted)
            elif "/identity-memberships/" in route and "project" in ids and status != 400:
                wanted = method != "POST"
                rules.append(lambda i: world.is_member(ids["project"], i) is wanted)
        if kind == "environment" and "project" in ids:
            rules.append(lambda i: (world.row("environment", i) or {}).get("projectId") == ids["project"])
        if kind == "environment" and sent_as.environment:
            rules.append(world.named("environment", sent_as.environment))
        if target and exchange.ok and method in ("GET", "DELETE") and given.answer_kind(route) == kind:
            rules.append(self._described(exchange, kind))
        return lambda object_id: all(rule(object_id) for rule in rules)

    def _described(self, exchange: Exchange, kind: str) -> Fits:
        """Fits the object the recorded answer describes (by name, or by its OIDC bindings)."""
        principal = given.principal(exchange.response)
        if kind == "identity" and "boundIssuer" in principal:
            bindings = {"boundSubject": principal.get("boundSubject"), "boundClaims": principal.get("boundClaims")}

            def bound_alike(identity_id: str) -> bool:
                with self.fake.store.lock:
                    auth = self.fake.store.oidc_auths.get(identity_id) or {}
                return all(self.world.concrete(v) == auth.get(k) for k, v in bindings.items())

            return bound_alike
        name = principal.get(NAME_FIELDS.get(kind, "name"))
        if name is None and kind == "identity":
            name = (principal.get("identity") or {}).get("name")
        return self.world.named(kind, name) if isinstance(name, str) else (lambda _i: True)

    # -- sending ----

    def send(self, exchange: Exchange, call: Call, sent_as: SentAs) -> httpx.Response:
        headers = {}
        if sent_as.auth == "admin":
            headers["Authorization"] = f"Bearer {self.fake.admin_token}"
        elif sent_as.auth == "malformed":
            headers["Authorization"] = "Bearer not-a-token"
        elif sent_as.auth == "login":
            headers["Authorization"] = f"Bearer {self.login_token}"
        if sent_as.json_without_body:
            headers["Content-Type"] = "application/json"
            return self.http.request(call.method, call.path, params=call.params, content=b"", headers=headers)
        body = call.body if exchange.request is not None else None
        return self.http.request(call.method, call.path, params=call.params, json=body, headers=headers)

    def setup(self, method: str, path: str, body: Any = None) -> Any:
        """A request that prepares the fake's state (not compared with anything); it must succeed."""
        headers = {"Authorization": f"Bearer {self.fake.admin_token}"}
        response = self.http.request(method, path, json=body, headers=headers)
        assert response.status_code == 200, f"setup {method} {path}: {response.text}"
        return response.json()

    def remember_answer(self, exchange: Exchange, call: Call, body: Any) -> None:
        for kind, object_id in given.carried(exchange.route, exchange.method, body):
            self.world.remember(kind, object_id)
        if isinstance(body, Mapping):
            if "accessToken" in body:
                self.login_token = body["accessToken"]
            if "clientSecret" in body:
                self.client_secret = body["clientSecret"]


def _decoded(response: httpx.Response) -> Any:
    try:
        return response.json() if response.content else None
    except ValueError:
        return response.text
