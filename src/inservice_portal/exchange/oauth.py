"""OAuth 2 client credentials (RFC 6749 §4.4) for partner systems, with Authlib's
authorization server: a partner trades its id and secret for a bearer token of an hour,
kept as a digest like the portal's own API tokens."""
import secrets
from datetime import timedelta

from authlib.oauth2 import AuthorizationServer, OAuth2Error
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from pyramid.response import Response

from .. import clock
from ..accounts.tokens import digest
from ..resources.exchange import PartnerToken
from . import partners

TTL = timedelta(hours=1)
WRITE, READ = "records:write", "records:read"      # READ: partners that retrieve (回撈)
TEACHERS = "teachers:write"                        # partners that keep teachers' employment


class PartnerClient(ClientMixin):
    """A partner as Authlib sees a client: secret checked against its argon2 digests."""

    def __init__(self, root, partner):
        self.root, self.partner = root, partner

    def get_client_id(self):
        return self.partner.code

    def get_default_redirect_uri(self):
        return None

    def get_allowed_scope(self, scope):
        allowed = ({WRITE} | ({READ} if self.partner.retrieves else set())
                   | ({TEACHERS} if self.partner.syncs_teachers else set()))
        asked = set((scope or "").split()) or allowed
        return " ".join(sorted(asked & allowed))

    def check_redirect_uri(self, redirect_uri):
        return False

    def check_client_secret(self, client_secret):
        return partners.authenticate(self.root, self.partner.code, client_secret) is not None

    def check_endpoint_auth_method(self, method, endpoint):
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return False

    def check_grant_type(self, grant_type):
        return grant_type == ClientCredentialsGrant.GRANT_TYPE


class CredentialsGrant(ClientCredentialsGrant):
    """Client credentials, the secret in an HTTP Basic header or in the form (RFC 6749
    §2.3.1 allows both; Authlib's default takes the header only)."""
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


class PyramidRequest(OAuth2Request):
    """A Pyramid request as Authlib reads one (its form and query string)."""

    def __init__(self, request):
        super().__init__(request.method, request.url, headers=request.headers)
        self.payload = BasicOAuth2Payload(dict(request.POST))
        self._request = request

    @property
    def form(self):
        return self._request.POST

    @property
    def args(self):
        return self._request.GET


class TokenServer(AuthorizationServer):
    """Made per request over the request's root (cheap: no state of its own)."""

    def __init__(self, root):
        super().__init__(scopes_supported=[WRITE, READ, TEACHERS])
        self.root = root
        self.issued_to = None             # the partner a token was issued to
        self.register_grant(CredentialsGrant)
        self.register_token_generator("default", BearerTokenGenerator(
            lambda **kw: secrets.token_urlsafe(32),
            expires_generator=int(TTL.total_seconds())))

    def query_client(self, client_id):
        platform = self.root.get("exchange")
        partner = platform.get(client_id or "") if platform is not None else None
        return PartnerClient(self.root, partner) if partner is not None and partner.active \
            else None

    def save_token(self, token, request):
        now = clock.now()
        self.issued_to = request.client.partner
        tokens, code = self.root["exchange"].tokens, request.client.partner.code
        for old in [k for k, t in tokens.items() if t.partner == code and t.expires_at <= now]:
            del tokens[old]                   # the partner's expired ones (an hour's worth)
        tokens[digest(token["access_token"])] = PartnerToken(code, now, now + TTL,
                                                             token.get("scope", ""))

    def create_oauth2_request(self, request):
        return PyramidRequest(request)

    def create_json_request(self, request):
        raise NotImplementedError("no JSON endpoint here")

    def handle_response(self, status_code, payload, headers):
        response = Response(json_body=payload, status=status_code)
        for name, value in headers:
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    def send_signal(self, name, *args, **kwargs):
        pass

    def get_error_uri(self, request, error):
        return None


def token_response(root, request) -> tuple[Response, object]:
    """The token endpoint's answer, and the partner a token was issued to (or None)."""
    server = TokenServer(root)
    try:
        return server.create_token_response(request), server.issued_to
    except OAuth2Error as error:           # raised before Authlib's own handling (http)
        return server.handle_response(*error()), None


def partner_of(root, token: str | None, scope: str = WRITE):
    """The active partner a bearer token was issued to for ``scope``, while it lasts."""
    platform = root.get("exchange")
    if not token or platform is None:
        return None
    issued = platform.tokens.get(digest(token))
    if issued is None or clock.now() >= issued.expires_at or scope not in issued.scope.split():
        return None
    partner = platform.get(issued.partner)
    return partner if partner is not None and partner.active else None
