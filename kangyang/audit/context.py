"""The client address of the request being served, for audit entries."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)


class AuditContextMiddleware:
    """Remembers the client's address for the duration of a request.

    Behind a reverse proxy, set KANGYANG_TRUSTED_PROXY_COUNT so the address is taken
    from X-Forwarded-For instead of the proxy's own address."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.proxies = settings.TRUSTED_PROXY_COUNT

    def __call__(self, request):
        token = client_ip.set(self.address(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)

    def address(self, request) -> str | None:
        if self.proxies:
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
            if len(hops) >= self.proxies:
                return hops[-self.proxies]
        return request.META.get("REMOTE_ADDR") or None
