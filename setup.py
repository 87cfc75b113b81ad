"""Only what pyproject.toml cannot say: the shipped rule pack (rules/ at the top of the
repository, where people edit it) is installed inside the package as eventx/pack, so that a
wheel install finds it too. Everything else is in pyproject.toml.

Packages are found as namespace packages so that data-only folders (``eventx/report/assets``)
are packages too and setuptools has nothing to warn about; every code folder also has an
``__init__.py`` (tests check that a plain, non-editable install imports every module)."""

from setuptools import find_namespace_packages, setup

setup(
    packages=find_namespace_packages(include=["eventx", "eventx.*"], exclude=["*.__pycache__"])
    + ["eventx.pack", "eventx.pack.layers", "eventx.pack.lexicons"],
    package_dir={"eventx.pack": "rules", "eventx.pack.layers": "rules/layers", "eventx.pack.lexicons": "rules/lexicons"},
)
