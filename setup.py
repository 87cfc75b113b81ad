"""Only what pyproject.toml cannot say: the shipped rule pack (rules/ at the top of the
repository, where people edit it) is installed inside the package as eventx/pack, so that a
wheel install finds it too. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=find_packages(include=["eventx", "eventx.*"]) + ["eventx.pack", "eventx.pack.lexicons"],
    package_dir={"eventx.pack": "rules", "eventx.pack.lexicons": "rules/lexicons"},
)
