"""Masking of members' personal data for audiences that may not see it in full."""

from __future__ import annotations

import re


def mask_phone(phone: str | None) -> str | None:
    """138****1234: enough to tell members apart, not enough to call them."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) < 8:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(name: str | None) -> str | None:
    """张* / 欧** / J***: the first character only."""
    if not name:
        return name
    name = name.strip()
    return name[0] + "*" * max(1, len(name) - 1)


# Not inside a longer run of letters or digits: a segment id such as 19806816101e is no phone.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:(?:\+|00)?86[-\s]?)?(1[3-9]\d)[-\s]?(\d{4})[-\s]?"
                     r"(\d{4})(?![0-9A-Za-z])")


def mask_phones_in(text: str) -> str:
    """Every mainland mobile number in free text masked (138****1234): the last guard on
    what a group chat is shown, whatever wrote the text."""
    import unicodedata

    text = unicodedata.normalize("NFKC", text)  # full-width digits are digits too
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
