"""Sphinx configuration for the credits_plugin documentation.

The docs build without Django: nothing here imports the package, and the version is read from
credits_plugin/__init__.py as text.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _version() -> str:
    text = (ROOT / "credits_plugin" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r"^__version__ = ['\"]([^'\"]*)['\"]", text, re.M)
    if not match:
        raise RuntimeError("Unable to find __version__ in credits_plugin/__init__.py")
    return match.group(1)


project = "credits_plugin"
author = "credits_plugin contributors"
copyright = "credits_plugin contributors"  # noqa: A001 (Sphinx's own name for it)
release = _version()
version = ".".join(release.split(".")[:2])

extensions: list[str] = []
root_doc = "index"
source_suffix = {".rst": "restructuredtext"}
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"
pygments_style = "sphinx"

html_theme = "sphinx_book_theme"
html_title = f"credits_plugin {release}"
html_theme_options = {
    "show_toc_level": 2,
}
html_show_sourcelink = False
