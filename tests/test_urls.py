from __future__ import annotations

import pytest

from nai.urls import host_of, unwrap_archive, url_key


@pytest.mark.parametrize(
    "url",
    [
        "https://north-africa.com/story/",
        "http://north-africa.com/story",
        "https://www.North-Africa.com/story/?utm_source=twitter&utm_medium=social",
        "https://north-africa.com/story/#comments",
        "https://north-africa.com/story/?fbclid=abc",
        "https://north-africa.com/story/amp/",
        "https://web.archive.org/web/20260205101010/https://north-africa.com/story/",
    ],
)
def test_url_key_normalises_the_forms_of_one_url(url: str) -> None:
    assert url_key(url) == "north-africa.com/story"


def test_url_key_keeps_meaningful_query_parameters() -> None:
    assert url_key("https://north-africa.com/?p=123&utm_source=x") == "north-africa.com/?p=123"
    assert url_key("https://north-africa.com/?p=123") != url_key("https://north-africa.com/?p=124")


def test_unwrap_archive_org_capture() -> None:
    capture = "https://web.archive.org/web/20260205101010id_/http://www.north-africa.com/a/"
    assert unwrap_archive(capture) == "http://www.north-africa.com/a/"
    assert unwrap_archive("https://north-africa.com/a/") == "https://north-africa.com/a/"


def test_host_of() -> None:
    assert host_of("https://www.north-africa.com/x") == "north-africa.com"
    assert host_of("http://127.0.0.1:8000/x") == "127.0.0.1"
    assert host_of(None) is None
    assert host_of("not a url") is None
