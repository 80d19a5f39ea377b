"""Content-Security-Policy for the platform's own pages: scripts and styles only from this site, plus the
one inline import map, allowed by a per-request nonce. Django's admin and Swagger UI bring inline code of
their own and are left without the header; file downloads set a stricter one themselves."""

import secrets

POLICY = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
EXEMPT_PREFIXES = ("/admin/", "/api/docs/")


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html and "Content-Security-Policy" not in response and not request.path.startswith(EXEMPT_PREFIXES):
            response["Content-Security-Policy"] = POLICY.format(nonce=request.csp_nonce)
        return response
