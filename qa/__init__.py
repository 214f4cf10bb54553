"""article-qa: ask questions about news articles and get answers that cite their passages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any


def _own_index_package() -> None:
    """Import this project's `index/`, not a folder named "index" in the working directory.

    An editable install finds packages after Python's own search, which takes a plain folder
    ./index (say QA_INDEX_DIR=index) for a namespace package and hides ours.
    """
    init = Path(__file__).resolve().parent.parent / "index" / "__init__.py"
    if "index" in sys.modules or not init.is_file():
        return
    spec = importlib.util.spec_from_file_location(
        "index", init, submodule_search_locations=[str(init.parent)]
    )
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["index"] = module
    spec.loader.exec_module(module)


_own_index_package()

from qa.citations import Answer, Citation  # noqa: E402

if TYPE_CHECKING:
    from qa.api import ask

__all__ = ["Answer", "Citation", "ask"]


def __getattr__(name: str) -> Any:
    # `ask` pulls in the index stack (torch, Chroma); import it on first use, which also
    # lets index/ import qa.errors and qa.settings without a cycle.
    if name == "ask":
        from qa.api import ask

        return ask
    raise AttributeError(f"module 'qa' has no attribute {name!r}")
