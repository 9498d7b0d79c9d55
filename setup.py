"""The build's one step beyond setuptools: the wheel carries compiled catalogs.

The ``.mo`` files are not in git (they are built from the ``.po`` files that
are); a wheel built without them would speak only English. Everything else
is declared in pyproject.toml.
"""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

TRANSLATIONS = Path(__file__).parent / "crm_saas" / "translations"


class BuildWithCatalogs(build_py):
    def run(self):
        for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
            with po_path.open("rb") as po:
                catalog = read_po(po)
            with po_path.with_suffix(".mo").open("wb") as mo:
                write_mo(mo, catalog)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
