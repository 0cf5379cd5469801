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


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://north-africa.com:abc/x/", "port"),
        ("https://north-africa.com:99999/x/", "port"),
        ("https://north-africa.com:８０/x/", "port"),
        ("https://[::1/x/", "IPv6"),
        ("https://[::1]x/", "IPv6"),
        ("https://[north-africa.com]/x/", "IPv6"),
        ("https:///x/", "no host"),
        ("https://north africa.com/x/", "host"),
        ("https://north-africa.com/a\x00b/", "control character"),
        ("https://north-africa.com/\udce9/", "not text"),
        ("https://north-africa.com/" + "a" * 3000, "longer than"),
        ("ftp://north-africa.com/x/", "not an http"),
        ("north-africa.com/x/", "not an http"),
        ("", "empty"),
    ],
)
def test_check_url_says_what_is_wrong(url: str, reason: str) -> None:
    from nai.urls import check_url, valid_url

    with pytest.raises(ValueError, match=reason):
        check_url(url)
    assert valid_url(url) is None


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("  https://north-africa.com/x/\n", "https://north-africa.com/x/"),
        ("https://north-africa.com/a\n  b/", "https://north-africa.com/a%20%20b/"),  # a wrapped attribute
        ("https://north-africa.com/a b/?q=c d", "https://north-africa.com/a%20b/?q=c%20d"),
        ("HTTPS://user:pw@North-Africa.com:8443/x/", "HTTPS://user:pw@North-Africa.com:8443/x/"),
        ("http://[::1]:8000/x/", "http://[::1]:8000/x/"),
        ("https://north-africa.com/caf\u00e9/", "https://north-africa.com/caf\u00e9/"),
    ],
)
def test_valid_url_cleans_what_browsers_clean(url: str, clean: str) -> None:
    from nai.urls import valid_url

    assert valid_url(url) == clean


def test_absolute_url_joins_unwraps_and_checks() -> None:
    from nai.urls import absolute_url

    assert absolute_url("/x/", "https://north-africa.com/a/") == "https://north-africa.com/x/"
    assert absolute_url("mailto:desk@north-africa.com", "https://north-africa.com/") is None  # not a web page
    assert absolute_url("/x/", None) is None  # relative, and nothing to join it to
    capture = "https://web.archive.org/web/2026/https://north-africa.com/x/"
    assert absolute_url(capture, None) == "https://north-africa.com/x/"
    with pytest.raises(ValueError, match="port"):
        absolute_url("https://web.archive.org/web/2026/https://north-africa.com:abc/x/", None)
    with pytest.raises(ValueError, match="IPv6"):
        absolute_url("//[::1/x/", "https://north-africa.com/")
