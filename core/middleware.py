"""Content-Security-Policy for the platform's own pages: scripts and styles only from this site, plus the
one inline import map, allowed by a per-request nonce. Django's admin and Swagger UI bring inline code of
their own and are left without the header; file downloads set a stricter one themselves.

A page that needs another origin says so on its response (``csp_allow``: directive -> sources, e.g. the
Stripe payment page allows Stripe.js); only that page's policy has them, the others stay as strict."""

import secrets

POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
EXEMPT_PREFIXES = ("/admin/", "/api/docs/")
# Directives a page may widen; anything else (object-src, base-uri, frame-ancestors ...) stays as it is.
WIDENABLE = ("script-src", "connect-src", "frame-src", "img-src", "style-src")


def policy(nonce: str, allow: dict[str, list[str]] | None = None) -> str:
    """The policy for one response: POLICY, with ``allow``'s sources added to their directives (a directive
    the policy lacks starts from 'self')."""
    directives = {}
    for part in POLICY.format(nonce=nonce).split(";"):
        name, _, sources = part.strip().partition(" ")
        directives[name] = sources.split()
    for name, sources in (allow or {}).items():
        if name not in WIDENABLE:
            raise ValueError(f"a page cannot widen {name}")
        current = directives.setdefault(name, ["'self'"])
        current.extend(source for source in sources if source and source not in current)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and "Content-Security-Policy" not in response and not request.path.startswith(EXEMPT_PREFIXES):
            response["Content-Security-Policy"] = policy(request.csp_nonce, getattr(response, "csp_allow", None))
        return response
