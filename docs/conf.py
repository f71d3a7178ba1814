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

# The settings and toggles reference is built from the code annotations (code-annotations'
# Sphinx extensions read the source as text; they import nothing of the package).
extensions: list[str] = [
    "code_annotations.contrib.sphinx.extensions.settings",
    "code_annotations.contrib.sphinx.extensions.featuretoggles",
]
settings_source_path = str(ROOT)
featuretoggles_source_path = str(ROOT / "credits_plugin")
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

# The extensions link each annotation to "<repo_url>/blob/<version>/<file>#L<line>"; the project
# publishes no repository address, so the source is shown as a path and line instead of a link.
_SOURCE_LINK = re.compile(r"^/blob/[^/]+/(?P<path>[^#]+)#L(?P<line>\d+)$")


def _sources_as_paths(app, doctree) -> None:
    from docutils import nodes

    for ref in list(doctree.findall(nodes.reference)):
        match = _SOURCE_LINK.match(ref.get("refuri", ""))
        if match:
            path = match["path"]
            if not path.startswith("credits_plugin/"):
                path = f"credits_plugin/{path}"
            ref.replace_self(nodes.literal(text=f"{path}, line {match['line']}"))


def setup(app):
    app.connect("doctree-read", _sources_as_paths)
