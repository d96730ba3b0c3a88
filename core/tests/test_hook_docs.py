"""The hook reference page documents every hook and every argument."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from probeops import hookspecs

PAGE = Path(__file__).parents[2] / "docs" / "hooks.md"


def _hooks():
    return [
        (name, list(inspect.signature(function).parameters))
        for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("probeops_")
    ]


def _section(text: str, hook: str) -> str:
    match = re.search(rf"^### `{hook}\((.*?)\)`$(.*?)(?=^##|\Z)", text, re.M | re.S)
    assert match, f"docs/hooks.md has no '### `{hook}(...)`' heading"
    return match.group(0)


@pytest.mark.parametrize(("hook", "arguments"), _hooks())
def test_every_hook_and_argument_is_on_the_page(hook, arguments):
    section = _section(PAGE.read_text(), hook)
    heading = section.splitlines()[0]
    for argument in arguments:
        assert argument in heading, f"{hook}: heading misses argument {argument}"
        assert f"`{argument}`" in section, f"{hook}: {argument} is not explained"


def test_the_page_documents_no_hook_that_does_not_exist():
    documented = set(re.findall(r"^### `(probeops_\w+)\(", PAGE.read_text(), re.M))
    assert documented == {name for name, _ in _hooks()}
