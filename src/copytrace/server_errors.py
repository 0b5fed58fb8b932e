"""How the web app answers what goes wrong: JSON errors for the API, error pages for the pages,
and the request body limit.

Every 4xx body of the API is `{"error": {"code": ..., "message": ...}}` with a message that names
the problem: the field, the id, the limit.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from copytrace.errors import CopytraceError, InputError
from copytrace.store import StoreLocked

__all__ = ["BodyLimit", "add_error_handlers", "error_response"]

_HTTP_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
}


def error_response(request: Request, status: int, code: str, message: str) -> Response:
    """Return the error as JSON for the API and as a page for the pages."""
    if not request.url.path.startswith("/api/") and "text/html" in request.headers.get(
        "accept", ""
    ):
        from copytrace.server_pages import error_page

        return error_page(status, message)
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def add_error_handlers(app: FastAPI) -> None:
    """Answer HTTP, validation and copytrace errors as `error_response` does."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = _HTTP_CODES.get(exc.status_code, "error")
        response = error_response(request, exc.status_code, code, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:  # Starlette names the first route of the path only
            response.headers["allow"] = ", ".join(_allowed(request))
        return response

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        if any(e.get("type") == "json_invalid" for e in errors):
            e = next(e for e in errors if e.get("type") == "json_invalid")
            where = e.get("loc", ("body", "?"))[-1]
            reason = (e.get("ctx") or {}).get("error", "not JSON")
            return error_response(
                request,
                400,
                "malformed_json",
                f"malformed JSON body at character {where}: {reason}",
            )
        return error_response(request, 422, "invalid_input", "; ".join(map(_problem, errors)))

    async def copytrace_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StoreLocked):
            return error_response(request, 409, "store_locked", str(exc))
        if isinstance(exc, InputError):
            return error_response(request, 422, "input_error", str(exc))
        return error_response(request, 400, "copytrace_error", str(exc))

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(CopytraceError, copytrace_error)


def _allowed(request: Request) -> list[str]:
    """Return the methods some route takes at the request's path (HEAD goes with GET)."""
    routes = request.app.router.routes
    return [
        method
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
        if any(r.matches({**request.scope, "method": method})[0] == Match.FULL for r in routes)
    ]


def _problem(error: Any) -> str:
    """One validation error as "body.text: is empty: give the article's text"."""
    where = ".".join(str(p) for p in error.get("loc", ()))
    message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


# ---- the body limit ---------------------------------------------------------------------------


class BodyLimit:
    """Refuse request bodies over `max_body` bytes with 413, by Content-Length and as they stream.

    A client that declares a small length and sends more, or sends chunks without a length, is
    stopped at the byte that crosses the limit, before the body is parsed.
    """

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > self.max_body:
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise HTTPException(413, self._message())  # answered by the error handler
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return (
            f"request body over the limit of {self.max_body:,} bytes; send less, or start the "
            "server with a larger --max-body"
        )

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        response = error_response(request, 413, "too_large", self._message())
        response.headers["connection"] = "close"  # the unread body must not be taken for a request
        await response(scope, receive, send)
