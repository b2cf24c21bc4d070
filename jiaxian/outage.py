"""While the database cannot be reached, every answer is a 503 that says so (``jiaxian.views``),
not a 500.

A middleware's ``process_exception`` sees what any view raises (DRF's views too: DRF's
exception handler answers only its own exceptions and re-raises the others) and what rendering a
template response raises; an outage met inside another middleware reaches the 500 handler, which
answers the same 503."""

from jiaxian.views import DATABASE_DOWN, database_unavailable


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_DOWN):
            return database_unavailable(request, exception)
        return None
