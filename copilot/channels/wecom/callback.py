"""Checking and opening what WeCom posts to the callback URL.

Every callback carries `msg_signature` (SHA-1 over the token, timestamp, nonce and the
ciphertext) and an AES-CBC ciphertext whose tail names the corp it was meant for. Both are
checked by wechatpy's `WeChatCrypto`, the implementation of Tencent's published scheme, with
the corp id as receive id; nothing here re-implements the cipher. What this module adds is
what wechatpy leaves to the caller: an optional window on the timestamp against replays,
refusing XML that declares entities, and errors a person can read (Chinese first).
"""

from __future__ import annotations

import base64
import binascii
import logging
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable

from wechatpy.enterprise.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidSignatureException

from copilot.config import Settings
from copilot.errors import UserError

log = logging.getLogger(__name__)
MAX_BODY = 64 * 1024  # a WeCom message is a few KB; anything far larger is not from WeCom


class CallbackRefused(UserError):
    """The request did not prove it came from WeCom: 401, and nothing reaches the agent."""

    status = 401


class BadCallback(UserError):
    """Signed correctly, or not checkable at all, but not a message we can read: 400."""

    status = 400


class WeComConfigError(UserError):
    """The WeCom settings themselves are wrong; raised when the app is built."""

    status = 500


def _crypto(settings: Settings) -> WeChatCrypto:
    key = settings.wecom_aes_key or ""
    try:
        ok = len(key) == 43 and len(base64.b64decode(key + "=", validate=True)) == 32
    except (binascii.Error, ValueError):
        ok = False
    if not ok:
        raise WeComConfigError(
            "COPILOT_WECOM_AES_KEY 不对:应是企业微信后台“接收消息”里生成的 43 位 EncodingAESKey。",
            "COPILOT_WECOM_AES_KEY is wrong: it must be the 43-character EncodingAESKey from "
            "the app's 'Receive messages' settings.")
    return WeChatCrypto(settings.wecom_token, key, settings.wecom_corp_id)


class Callback:
    """Verification of the callback URL and decryption of messages for one WeCom app."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.crypto = _crypto(settings)
        self.max_skew_s = settings.wecom_max_skew_s
        self.clock = clock

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The decrypted echostr, which WeCom expects back as the plain-text body."""
        self._check_time(timestamp)
        try:
            return self.crypto.check_signature(signature, timestamp, nonce, echostr)
        except InvalidSignatureException:
            raise _forged() from None
        except Exception as exc:  # bad base64, wrong padding, another corp's receive id
            log.warning("WeCom URL check: echostr could not be decrypted (%s)",
                        type(exc).__name__)
            raise BadCallback("企业微信回调校验失败:echostr 无法解密"
                              "(EncodingAESKey 或企业 ID 不匹配)。",
                              "WeCom callback check failed: echostr could not be decrypted "
                              "(EncodingAESKey or corp id mismatch).") from None

    def open(self, signature: str, timestamp: str, nonce: str, body: bytes) -> dict[str, str]:
        """The fields of the message inside an encrypted callback body (tag → text)."""
        self._check_time(timestamp)
        encrypted = _field(parse_xml(body, "回调消息体", "callback body"), "Encrypt")
        if not encrypted:
            raise BadCallback("企业微信回调消息体里没有 Encrypt 字段。",
                              "The WeCom callback body has no Encrypt element.")
        try:
            plain = self.crypto.decrypt_message({"Encrypt": encrypted}, signature, timestamp,
                                                nonce)
        except InvalidSignatureException:
            raise _forged() from None
        except Exception as exc:
            log.warning("WeCom callback: message could not be decrypted (%s)",
                        type(exc).__name__)
            raise BadCallback("企业微信消息无法解密"
                              "(EncodingAESKey 或企业 ID 不匹配,或内容已损坏)。",
                              "The WeCom message could not be decrypted (EncodingAESKey or "
                              "corp id mismatch, or corrupted content).") from None
        root = parse_xml(plain.encode("utf-8"), "解密后的消息", "decrypted message")
        return {child.tag: (child.text or "").strip() for child in root}

    def _check_time(self, timestamp: str) -> None:
        """Without a window a captured callback could be replayed for ever; with one, only
        within `max_skew_s` of now (WeCom's clock is NTP-synced, so small windows work)."""
        if self.max_skew_s <= 0:
            return
        try:
            skew = abs(self.clock() - int(timestamp))
        except ValueError:
            raise CallbackRefused("企业微信回调的 timestamp 不是数字。",
                                  "The WeCom callback timestamp is not a number.") from None
        if skew > self.max_skew_s:
            raise CallbackRefused(
                f"企业微信回调的时间戳与本机时间相差 {skew:.0f} 秒,超过允许的 {self.max_skew_s} 秒,"
                "已拒绝(可能是重放的请求,或本机时钟不准)。",
                f"The WeCom callback timestamp is {skew:.0f} s away from this machine's clock, "
                f"more than the allowed {self.max_skew_s} s; refused (a replay, or a wrong "
                "clock).")


def _forged() -> CallbackRefused:
    return CallbackRefused("企业微信回调签名不对,已拒绝"
                           "(请求不是企业微信发来的,或 Token 配置不一致)。",
                           "Bad WeCom callback signature; refused (not sent by WeCom, or the "
                           "token differs).")


def parse_xml(raw: bytes, what_zh: str, what_en: str) -> ET.Element:
    """WeCom never sends a DTD; refusing one keeps entity tricks away from the parser."""
    if len(raw) > MAX_BODY:
        raise BadCallback(f"企业微信{what_zh}过大({len(raw)} 字节)。",
                          f"The WeCom {what_en} is too large ({len(raw)} bytes).")
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise BadCallback(f"企业微信{what_zh}不能带 DOCTYPE/ENTITY 声明。",
                          f"The WeCom {what_en} must not declare a DOCTYPE or entities.")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise BadCallback(f"企业微信{what_zh}不是合法的 XML({exc})。",
                          f"The WeCom {what_en} is not well-formed XML ({exc}).") from None
    if root.tag != "xml":
        raise BadCallback(f"企业微信{what_zh}的根元素应是 <xml>,收到的是 <{root.tag}>。",
                          f"The WeCom {what_en} must have an <xml> root, not <{root.tag}>.")
    return root


def _field(root: ET.Element, tag: str) -> str:
    found = root.find(tag)
    return (found.text or "").strip() if found is not None else ""
