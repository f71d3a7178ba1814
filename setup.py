"""Packaging for credits_plugin, an Open edX plugin app."""

import os
import re

from setuptools import find_packages, setup

HERE = os.path.abspath(os.path.dirname(__file__))


def get_version(*file_paths):
    """Read __version__ from the package without importing it."""
    with open(os.path.join(HERE, *file_paths), encoding="utf-8") as handle:
        match = re.search(r"^__version__ = ['\"]([^'\"]*)['\"]", handle.read(), re.M)
    if not match:
        raise RuntimeError("Unable to find version string.")
    return match.group(1)


with open(os.path.join(HERE, "README.md"), encoding="utf-8") as readme:
    LONG_DESCRIPTION = readme.read()

setup(
    name="credits-plugin",
    version=get_version("credits_plugin", "__init__.py"),
    description="Wallet, training and awarded credits for Open edX and other Django LMSs.",
    long_description=LONG_DESCRIPTION,
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    packages=find_packages(include=["credits_plugin", "credits_plugin.*"]),
    include_package_data=True,
    python_requires=">=3.11",
    install_requires=[
        "Django>=5.2,<6.0",
        "djangorestframework>=3.15",
        "drf-spectacular>=0.27",
        "django-simple-history>=3.5",
        "celery>=5.3",
        "edx-django-utils>=7.0",
        "edx-drf-extensions>=10.0",
        "edx-opaque-keys>=2.10",
        "edx-toggles>=5.2",
        "openedx-events>=10.5",
        "openedx-filters>=2.0",
        "reportlab>=4.0",
    ],
    entry_points={
        "lms.djangoapp": ["credits_plugin = credits_plugin.apps:CreditsPluginConfig"],
        "cms.djangoapp": ["credits_plugin = credits_plugin.apps:CreditsPluginConfig"],
    },
    zip_safe=False,
    classifiers=[
        "Development Status :: 3 - Alpha",
        "Framework :: Django",
        "Framework :: Django :: 5.2",
        "Intended Audience :: Education",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
    ],
)
