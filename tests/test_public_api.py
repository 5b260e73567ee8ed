"""What a Python user imports: every package's exported names, and the documented example."""

from __future__ import annotations

import importlib
import importlib.util
import re

import pytest

from tests.conftest import REPO

PACKAGES = [
    "recommender",
    "recommender.shopper",
    "recommender.catalog",
    "recommender.model",
    "recommender.feedback",
    "recommender.merchandising",
    "recommender.feed",
    "recommender.shop",
    "recommender.api",
]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_a_package_exports_can_be_imported_from_it(package):
    module = importlib.import_module(package)
    assert module.__all__, f"{package} exports nothing"
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert not missing, f"{package} lists {missing} but has no such name"
    assert not [
        name
        for name in module.__all__
        if name.islower()
        and "_" not in name
        and importlib.util.find_spec(f"{package}.{name}") is not None
    ], "a module is not an export"


def test_the_python_api_example_in_the_docs_recommends_for_a_knee(monkeypatch, capsys):
    page = (REPO / "docs" / "reference" / "python-api.md").read_text(encoding="utf-8")
    example = re.search(r"```python\n(.*?)```", page, re.S)
    assert example is not None
    monkeypatch.chdir(REPO)
    exec(compile(example.group(1), "python-api.md", "exec"), {})
    shown = capsys.readouterr().out
    assert re.fullmatch(r"\['[A-Z]{2}-\d{3}'(, '[A-Z]{2}-\d{3}'){2}\]\n", shown), shown
