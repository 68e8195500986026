"""Writing YAML text by hand, for files a person reviews as a diff: values quoted only where
YAML would misread them, in the style of the files in content/ and rubrics/."""

from __future__ import annotations

import json
import re

# plain scalars YAML 1.1 or 1.2 would read as something other than text (scoresite reads them as
# written, but editors and other tools may not), and characters that end or start YAML syntax
_SPECIAL_START = tuple("-?:,[]{}#&*!|>'\"%@`") + (" ",)
_AMBIGUOUS = re.compile(r"(?i)(y|n|yes|no|on|off|true|false|null|~|[-+]?[0-9][0-9_.:e+-]*|\.inf|\.nan)\Z")


def scalar(text: str, flow: bool = False) -> str:
    """`text` as a YAML scalar: plain where it reads back as the same text, else double-quoted
    (a JSON string is a YAML double-quoted scalar). In a flow mapping `, [ ] { }` quote too."""
    if _plain_ok(text, flow):
        return text
    return json.dumps(text, ensure_ascii=False)


def _plain_ok(text: str, flow: bool) -> bool:
    if not text or text != text.strip() or text.startswith(_SPECIAL_START) or _AMBIGUOUS.match(text):
        return False
    if ": " in text or " #" in text or text.endswith(":") or "\n" in text or "\t" in text:
        return False
    if flow and re.search(r"[,\[\]{}]", text):
        return False
    return text.isprintable()


def key(text: str) -> str:
    """A mapping key such as an indicator key (1.2.1 stays plain: scoresite reads keys as written)."""
    return text if re.fullmatch(r"[0-9a-z][0-9a-z.-]*", text) else scalar(text)


def flow_map(items: dict) -> str:
    """{key: value, …} on one line; values are already YAML text or plain strings to quote."""
    return "{" + ", ".join(f"{k}: {v}" for k, v in items.items()) + "}"
