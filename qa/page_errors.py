"""Errors as the page shows them: readable messages (gr.Error); unexpected ones logged."""

from __future__ import annotations

import html
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr

from qa.errors import UNREACHABLE, NoIndexError, QAError, is_unreachable

log = logging.getLogger("article-qa.app")


def page_error(text: str) -> gr.Error:
    """A message for the page; the console is kept for failures (they are logged with a trace)."""
    return gr.Error(text, print_exception=False)


@contextmanager
def user_errors(action: str) -> Iterator[None]:
    """Turn errors into readable page messages (gr.Error); log unexpected ones for the operator."""
    try:
        yield
    except gr.Error:
        raise
    except NoIndexError:
        raise page_error(
            "No articles indexed yet: add some in the Articles tab (or with qa ingest)."
        ) from None
    except QAError as exc:
        raise page_error(html.escape(str(exc), quote=False)) from None
    except Exception as exc:
        if is_unreachable(exc):
            raise page_error(UNREACHABLE.format(kind=type(exc).__name__)) from None
        log.exception("failed while %s", action)
        raise page_error(
            f"Something went wrong while {action}; the server log has the details."
        ) from None
