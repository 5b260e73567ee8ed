"""The hand-off to the shop's cart (`RECOMMENDER_CART_URL`): a checked template, one link per SKU."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommender.catalog.cart import cart_link, cart_setting
from recommender.errors import InputError
from recommender.settings import Settings
from recommender_cli.main import main


def test_the_template_puts_the_sku_where_the_shop_wants_it() -> None:
    template = cart_setting("https://shop.example/cart/add?sku={sku}&qty=1")
    assert template is not None
    assert cart_link(template, "KB-101") == "https://shop.example/cart/add?sku=KB-101&qty=1"


def test_no_setting_means_no_cart_link() -> None:
    assert cart_setting(None) is None and cart_setting("  ") is None
    assert Settings.from_env({}).cart_url is None


@given(st.text(min_size=1, max_size=40))
def test_a_sku_can_never_add_a_parameter_or_a_path(sku: str) -> None:
    link = cart_link("https://shop.example/cart/add?sku={sku}", sku)
    tail = link.removeprefix("https://shop.example/cart/add?sku=")
    assert not {"&", "#", "/", "?", "=", " "} & set(tail)


@pytest.mark.parametrize(
    ("template", "words"),
    [
        ("https://shop.example/cart/add", "has no {sku}"),
        ("javascript:alert(1)//{sku}", "http:// or https://"),
        ("ftp://shop.example/{sku}", "http:// or https://"),
        ("/cart/add?sku={sku}", "http:// or https://"),
        ("https://shop.example/{sku}?user={user}", "only {sku} in braces"),
        ("https://shop.example/" + "a" * 2000 + "{sku}", "characters long"),
    ],
)
def test_a_bad_template_is_refused_naming_the_setting(template: str, words: str) -> None:
    with pytest.raises(InputError, match="setting RECOMMENDER_CART_URL") as refused:
        Settings.from_env({"RECOMMENDER_CART_URL": template})
    assert words in str(refused.value) and len(str(refused.value)) < 250


def test_the_command_line_refuses_a_bad_template_at_start(monkeypatch, capsys) -> None:
    monkeypatch.setenv("RECOMMENDER_CART_URL", "https://shop.example/cart/add")
    assert main(["catalog", "validate"]) == 2
    err = capsys.readouterr().err
    assert "RECOMMENDER_CART_URL" in err and "Traceback" not in err
