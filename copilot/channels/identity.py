"""Platform users linked to staff records, and the web console's sign-in tokens.

A Slack user id or WeCom userid means nothing to the member data; an administrator links
each one to a staff id (`copilot staff link`). Console tokens are shown once and kept only
as a SHA-256, so a copy of the state database cannot be used to sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, bindparam, text

from copilot.data.access import load_user
from copilot.data.store import MemberStore
from copilot.errors import UserError
from copilot.state.db import StateStore

CHANNELS = ("slack", "wecom")


def _check_channel(channel: str) -> str:
    if channel not in CHANNELS:
        raise UserError(f"不认识的渠道 {channel!r},可选:{'、'.join(CHANNELS)}。",
                        f"Unknown channel {channel!r}; choose one of {', '.join(CHANNELS)}.")
    return channel


def _check_external(external_id: str) -> str:
    value = external_id.strip()
    if not value or len(value) > 128 or any(c.isspace() for c in value):
        raise UserError(f"平台用户 ID {external_id!r} 不合法(1–128 个字符,不含空格)。",
                        f"Invalid platform user id {external_id!r} (1-128 characters, "
                        "no spaces).")
    return value


def link(state: StateStore, members: MemberStore, channel: str, external_id: str,
         staff_id: str) -> str:
    """Link (or re-link) a platform user to a staff member; the staff id as stored."""
    channel, external = _check_channel(channel), _check_external(external_id)
    with members.read() as conn:
        staff = load_user(conn, staff_id).staff_id  # an unknown staff id is refused here
    with state.begin() as conn:
        conn.execute(text("DELETE FROM channel_identities WHERE channel = :c AND "
                          "external_id = :e"), {"c": channel, "e": external})
        conn.execute(text("INSERT INTO channel_identities (channel, external_id, staff_id, "
                          "created_at) VALUES (:c, :e, :s, :t)"),
                     {"c": channel, "e": external, "s": staff, "t": datetime.now()})
    return staff


def unlink(state: StateStore, channel: str, external_id: str) -> bool:
    with state.begin() as conn:
        gone = conn.execute(text("DELETE FROM channel_identities WHERE channel = :c AND "
                                 "external_id = :e"),
                            {"c": _check_channel(channel), "e": external_id.strip()})
    return bool(gone.rowcount)


def staff_for(state: StateStore, channel: str, external_id: str) -> str | None:
    with state.begin() as conn:
        return conn.execute(text("SELECT staff_id FROM channel_identities WHERE channel = :c "
                                 "AND external_id = :e"),
                            {"c": channel, "e": external_id}).scalar()


def users_of(state: StateStore, channel: str, staff_ids: Iterable[str]) -> dict[str, str]:
    """staff id -> their platform user id on `channel`, for staff who are linked: what a
    campaign needs to act as the staff (a WeCom mass-send names its sender). A staff member
    linked twice gets the most recent link, the account they moved to."""
    wanted = sorted({s for s in staff_ids if s})
    if not wanted:
        return {}
    query = text("SELECT staff_id, external_id FROM channel_identities WHERE channel = :c "
                 "AND staff_id IN :staff ORDER BY created_at, external_id"
                 ).bindparams(bindparam("staff", expanding=True))
    with state.begin() as conn:
        rows = conn.execute(query, {"c": _check_channel(channel), "staff": wanted}).all()
    return {staff: user for staff, user in rows}


def links(state: StateStore, staff_id: str | None = None) -> list[dict[str, object]]:
    where = "WHERE staff_id = :s" if staff_id else ""
    with state.begin() as conn:
        rows = conn.execute(text(f"SELECT channel, external_id, staff_id, created_at FROM "
                                 f"channel_identities {where} ORDER BY staff_id, channel"),
                            {"s": (staff_id or "").upper()}).mappings().all()
    return [dict(r) for r in rows]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(state: StateStore, members: MemberStore, staff_id: str, *,
                replace: bool = False) -> str:
    """A new console token for a staff member (shown once). Earlier tokens stay valid unless
    `replace`, which voids them in the same transaction."""
    with members.read() as conn:
        staff = load_user(conn, staff_id).staff_id
    token = f"oc_{secrets.token_urlsafe(24)}"
    with state.begin() as conn:
        if replace:
            _revoke(conn, staff)
        conn.execute(text("INSERT INTO console_tokens (token_hash, staff_id, created_at) "
                          "VALUES (:h, :s, :t)"),
                     {"h": _hash(token), "s": staff, "t": datetime.now()})
    return token


def revoke_tokens(state: StateStore, staff_id: str) -> int:
    with state.begin() as conn:
        return _revoke(conn, staff_id.strip().upper())


def _revoke(conn: Connection, staff: str) -> int:
    return conn.execute(text("UPDATE console_tokens SET revoked_at = :t WHERE staff_id = :s "
                             "AND revoked_at IS NULL"), {"s": staff, "t": datetime.now()}).rowcount


def staff_for_token(state: StateStore, token: str) -> str | None:
    if not token or len(token) > 200:
        return None
    with state.begin() as conn:
        return conn.execute(text("SELECT staff_id FROM console_tokens WHERE token_hash = :h "
                                 "AND revoked_at IS NULL"), {"h": _hash(token)}).scalar()


__all__ = ["CHANNELS", "issue_token", "link", "links", "revoke_tokens",
           "staff_for", "staff_for_token", "unlink", "users_of"]
