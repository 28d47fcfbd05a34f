"""The demo's seed vocabularies and sample manifests: data, shipped as ``llamaforensics.data``.

pyproject maps this folder into the package (setup.py: ``package_dir``), so the
generator reads it with ``importlib.resources`` from a checkout and from an
installed wheel alike. It holds no code: this file only makes the folder a
package that an editable install can find. See README.md here.
"""
