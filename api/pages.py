"""HTML answers for the pages people open, with a strict Content-Security-Policy (set on every HTML answer
by the middleware in `api.app`, so a route that builds its own HTMLResponse gets it too).

The views already keep names out of markup (autoescaping, JSON data blocks, `textContent`); the
policy is the second line: a page may run only the scripts the API itself serves, load nothing
from elsewhere, and send nothing elsewhere.
"""

from __future__ import annotations

from fastapi.responses import HTMLResponse

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",  # no inline scripts: the graph data is a JSON block, not a script
        "style-src 'self' 'unsafe-inline'",  # vis-network and the legend set style attributes
        "img-src 'self' data:",  # vis-network's CSS embeds its icons as data: URIs
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def page(html: str, status_code: int = 200) -> HTMLResponse:
    """An HTML answer; the security headers are added to every HTML answer by `api.app`'s middleware."""
    return HTMLResponse(html, status_code=status_code)
