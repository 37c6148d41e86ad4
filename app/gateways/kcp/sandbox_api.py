"""The simulated NHN KCP: window authentication, approval, cancel and common notification.

Speaks KCP's field names. ``enc_data`` (KCP's encrypted authentication result) is a sealed
token here; ``kcp_sign_data`` (an RSA signature in production) is an HMAC from the sandbox
signer. Nothing is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from app.gateways.base import PaymentMethod
from app.gateways.common import kst_stamp
from app.gateways.kcp import transformers as tx
from app.gateways.sandbox_kit import (
    SANDBOX_CARD_COMPANY,
    SANDBOX_VA_HOLDER,
    WINDOW_SEAL_FIELD,
    Authorization,
    Outcome,
    TamperedToken,
    WindowChoice,
    issue_virtual_account,
    mac_hex,
    now_utc,
    transaction_id,
)

TX_PREFIX = "kcp_tx_"
ENC_PURPOSE = "kcp.enc_data"
SANDBOX_SITE_CD = "T0000"  # KCP's public test site code

#: Sandbox outcome -> (res_cd, res_msg). S0xx codes are sandbox-defined (see SANDBOX.md).
DECLINES: Mapping[Outcome, tuple[str, str]] = {
    Outcome.USER_CANCEL: (tx.USER_CANCEL, "사용자가 결제를 취소하였습니다."),
    Outcome.INVALID_CARD: ("S001", "카드번호가 올바르지 않습니다."),
    Outcome.INSUFFICIENT_FUNDS: ("CC10", "잔액이 부족합니다."),
    Outcome.STOLEN_CARD: ("S002", "분실 또는 도난 신고된 카드입니다."),
    Outcome.DECLINED: ("S003", "카드사 승인이 거절되었습니다."),
}
WINDOW_DECLINES = frozenset({Outcome.USER_CANCEL, Outcome.INVALID_CARD})
#: Fields of our sandbox window page that KCP's real window would never echo back.
WINDOW_ONLY_FIELDS = frozenset(
    {"card_number", "installment_months", "action", "csrf_token", WINDOW_SEAL_FIELD}
)


class KcpSandboxApi:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def __repr__(self) -> str:
        return "KcpSandboxApi(<secret>)"

    def sign(self, text: str) -> str:
        """Stand-in for SHA256withRSA with the merchant's private key."""
        digest = hmac.new(self._secret, text.encode("utf-8"), hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")

    def authenticate(
        self, fields: Mapping[str, str], method: PaymentMethod, choice: WindowChoice
    ) -> dict[str, str]:
        """The form the window posts back to ``Ret_URL`` (order fields echoed)."""
        # KCP fills its result into the merchant's own order_info form and submits it.
        back = {k: v for k, v in fields.items() if k not in WINDOW_ONLY_FIELDS}
        if choice.outcome in WINDOW_DECLINES:
            code, message = DECLINES[choice.outcome]
            return {**back, "res_cd": code, "res_msg": message}
        enc = Authorization.from_window(
            fields["ordr_idxx"],
            int(fields["good_mny"]),
            method,
            choice,
            int(fields.get("fix_inst") or 0),
        )
        enc_data = enc.seal(self._secret, ENC_PURPOSE)
        return {
            **back,
            "res_cd": tx.SUCCESS,
            "res_msg": "정상처리",
            "enc_data": enc_data,
            "enc_info": mac_hex(self._secret, "kcp.enc_info", enc_data, length=16),
            "tran_cd": "00100000",
            "use_pay_method": fields["pay_method"],
        }

    def sealed_method(self, enc_data: str) -> PaymentMethod | None:
        """The method ``enc_data`` was authenticated for; None if KCP never issued it."""
        return Authorization.sealed_method(self._secret, ENC_PURPOSE, enc_data)

    def approve(self, body: Mapping[str, str]) -> dict[str, Any]:
        """``POST /gw/enc/v1/payment``."""
        try:
            enc = Authorization.unseal(self._secret, ENC_PURPOSE, body["enc_data"])
        except (KeyError, TamperedToken):
            return {"res_cd": "S404", "res_msg": "인증 데이터가 올바르지 않습니다."}
        if body.get("site_cd") != SANDBOX_SITE_CD or body.get("ordr_no") != enc.order_id:
            return {"res_cd": "S404", "res_msg": "인증 데이터가 올바르지 않습니다."}
        if body.get("ordr_mony") != str(enc.amount):
            return {"res_cd": "S009", "res_msg": "결제 요청 금액이 인증 금액과 다릅니다."}
        declined = enc.decline(DECLINES)
        if declined:
            return {"res_cd": declined[0], "res_msg": declined[1]}
        return self._approval(enc)

    def _approval(self, enc: Authorization) -> dict[str, Any]:
        pay_type = tx.METHODS[enc.method][1]
        answer: dict[str, Any] = {
            "res_cd": tx.SUCCESS,
            "res_msg": "정상처리",
            "tno": transaction_id(self._secret, TX_PREFIX, enc.order_id, enc.amount),
            "amount": str(enc.amount),
            "pay_method": pay_type,
            "order_no": enc.order_id,
            "app_time": kst_stamp(enc.issued_at),
        }
        if pay_type == "PACA":
            answer.update(
                card_cd="CCLG",
                card_name=SANDBOX_CARD_COMPANY,
                card_no=enc.card_digits,
                app_no=mac_hex(self._secret, "kcp.app_no", enc.order_id, length=8),
                quota=f"{enc.installment_months:02d}",
                noinf="N",
            )
        elif pay_type == "PAVC":
            account = issue_virtual_account(self._secret, enc.order_id, enc.issued_at)
            answer.update(
                bankname=account.bank,
                bankcode="BK04",
                account=account.account_number,
                depositor=SANDBOX_VA_HOLDER,
                va_date=kst_stamp(account.due_date),
            )
            del answer["app_time"]
        return answer

    def cancel(self, body: Mapping[str, str]) -> dict[str, Any]:
        """``POST /gw/mod/v1/cancel``: checks the signature and the remaining amount."""
        expected = self.sign(tx.sign_string(body))
        if not hmac.compare_digest(expected, body.get("kcp_sign_data", "")):
            return {"res_cd": "S401", "res_msg": "서명 데이터가 올바르지 않습니다."}
        canc_time = kst_stamp(now_utc())
        answer: dict[str, Any] = {
            "res_cd": tx.SUCCESS,
            "res_msg": "정상처리",
            "tno": body["tno"],
            "canc_time": canc_time,
        }
        if body["mod_type"] in {"STPC", "STPD"}:
            mod, rem = int(body["mod_mny"]), int(body["rem_mny"])
            if mod > rem:
                return {"res_cd": "S410", "res_msg": "취소 가능 금액을 초과했습니다."}
            answer.update(
                mod_mny=str(mod),
                rem_mny=str(rem - mod),
                panc_mod_mny=str(mod),
                panc_rem_mny=str(rem - mod),
            )
        return answer

    def notice(self, *, tno: str, order_id: str, billed: int, deposited: int) -> dict[str, str]:
        """A TX00 common notification for a deposit into the order's virtual account."""
        stamp = kst_stamp(now_utc())
        account = issue_virtual_account(self._secret, order_id, now_utc())
        return {
            "site_cd": SANDBOX_SITE_CD,
            "tno": tno,
            "order_no": order_id,
            "tx_cd": "TX00",
            "tx_tm": stamp,
            "ipgm_name": "홍길동",
            "remitter": "홍길동",
            "ipgm_mnyx": str(deposited),
            "totl_mnyx": str(billed),
            "ipgm_time": stamp,
            "bank_code": "BK04",
            "account": account.account_number,
            "op_cd": "00",
            "noti_id": mac_hex(self._secret, "kcp.noti", tno, stamp, str(deposited), length=20),
        }
