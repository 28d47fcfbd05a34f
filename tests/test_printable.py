"""Database text on a terminal: escapes and bidi overrides shown escaped, every script as it is."""

from __future__ import annotations

import json

import pytest

from llamaforensics.printable import json_printable, printable


@pytest.mark.parametrize(
    "raw, shown",
    [
        pytest.param("Evil\x1b[2J\x1b[H Artist", "Evil\\x1b[2J\\x1b[H Artist", id="clear-screen"),
        pytest.param("x\x1b]0;pwned\x07y", "x\\x1b]0;pwned\\x07y", id="window-title"),
        pytest.param("a\x9b31mb", "a\\x9b31mb", id="c1-csi"),
        pytest.param("abc\u202edef", "abc\\u202edef", id="bidi-override"),
        pytest.param("two\nlines\r", "two\\x0alines\\x0d", id="newline-inside-a-value"),
        pytest.param(
            "三屍 مرحبا Ёлка 🦙 café", "三屍 مرحبا Ёлка 🦙 café", id="every-script-untouched"
        ),
        pytest.param(None, "", id="null"),
    ],
)
def test_printable(raw, shown):
    assert printable(raw) == shown


def test_json_stays_the_same_document_with_no_raw_control_character():
    value = {"name": "a\x1b[2J\x9b\u202e東京\n"}
    text = json_printable(json.dumps(value, indent=2, ensure_ascii=False))
    assert json.loads(text) == value
    assert not any(c in text for c in "\x1b\x9b\u202e") and "東京" in text
