"""The one packaging fact pyproject.toml cannot say: the top-level data/ folder ships too.

``data/`` (the demo's vocabularies, sample manifests) sits at the top of the
checkout, where a reader looks for data, and installs as ``llamaforensics.data``,
where ``importlib.resources`` finds it. pyproject's ``packages.find`` cannot add
a package from outside the package's folder, so the package list is built here;
everything else about the build is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["llamaforensics*"]), "llamaforensics.data"],
    package_dir={"llamaforensics.data": "data"},
)
