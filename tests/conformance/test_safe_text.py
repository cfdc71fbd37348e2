"""safe_text: a target's text made safe for the JSON report (UTF-8) and for the terminal."""
import json

from conformance.safe_text import json_safe, json_safe_data, terminal_safe


def test_json_safe_escapes_lone_surrogates_only():
    assert json_safe("a\ud800b\udfffc") == "a\\ud800b\\udfffc"
    assert json_safe("héllo ✓ \x1b[31m") == "héllo ✓ \x1b[31m"     # JSON escapes controls
    json_safe("x\ud800").encode("utf-8")


def test_terminal_safe_shows_escapes_and_controls():
    text = "red \x1b[31mX\x1b[0m title \x1b]0;pwned\x07 csi \x9b2J del \x7f rtl \u202e."
    safe = terminal_safe(text + "\nnext\tcolumn \ud800")
    assert not any(ord(c) < 0x20 and c not in "\n\t" for c in safe)
    assert "\x7f" not in safe and "\x9b" not in safe and "\u202e" not in safe
    assert "\\x1b[31mX\\x1b[0m" in safe and "\\x1b]0;pwned\\x07" in safe
    assert "\\x9b2J" in safe and "\\x7f" in safe and "\\u202e" in safe
    assert "\nnext\tcolumn \\ud800" in safe                    # newline and tab stay
    safe.encode("utf-8")


def test_json_safe_data_says_whether_it_changed_anything():
    clean = {"a": [1, 2.5, None, "text ✓"], "b": {"c": True}}
    same, changed = json_safe_data(clean)
    assert same is clean and changed is False
    dirty = {"msg\ud800": ["ok", ("x\udc00",)], "n": 1}
    safe, changed = json_safe_data(dirty)
    assert changed is True
    assert safe == {"msg\\ud800": ["ok", ["x\\udc00"]], "n": 1}
    json.dumps(safe, ensure_ascii=False).encode("utf-8")
    assert dirty["msg\ud800"][0] == "ok"            # the input is not changed in place
