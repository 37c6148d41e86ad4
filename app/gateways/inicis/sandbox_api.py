"""The simulated KG Inicis: INIStdPay window, approval at ``authUrl``, INIAPI refund, NOTI.

Uses Inicis's public test merchant (``INIpayTest``) and its published test signKey and
INIAPI key, so every hash is computed exactly as in production. ``authToken`` is a sealed
token; nothing is stored.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import Any

from app.gateways.base import PaymentMethod
from app.gateways.common import kst_stamp
from app.gateways.errors import InvalidWindowSubmission
from app.gateways.inicis import transformers as tx
from app.gateways.sandbox_kit import (
    SANDBOX_CARD_COMPANY,
    SANDBOX_VA_HOLDER,
    Authorization,
    Outcome,
    TamperedToken,
    WindowChoice,
    issue_virtual_account,
    mac_hex,
    now_utc,
    transaction_id,
)

TX_PREFIX = "inicis_tx_"
SEAL_PURPOSE = "inicis.authToken"
SANDBOX_MID = "INIpayTest"
SANDBOX_SIGN_KEY = "SU5JTElURV9UUklQTEVERVNfS0VZU1RS"  # Inicis's published test signKey
SANDBOX_INIAPI_KEY = "ItEQKi3rY7uvDS8l"  # Inicis's published INIAPI test key

#: Sandbox outcome -> (resultCode, resultMsg); S0xx codes are sandbox-defined.
DECLINES: Mapping[Outcome, tuple[str, str]] = {
    Outcome.INVALID_CARD: ("S001", "카드번호 오류입니다."),
    Outcome.STOLEN_CARD: ("S002", "분실/도난 카드입니다."),
    Outcome.DECLINED: ("S003", "카드사 승인거절입니다."),
    Outcome.INSUFFICIENT_FUNDS: ("S004", "잔액 또는 한도가 부족합니다."),
}


class InicisSandboxApi:
    def __init__(self, secret: bytes, auth_url: str) -> None:
        self._secret = secret
        self.auth_url = auth_url

    def __repr__(self) -> str:
        return "InicisSandboxApi(<secret>)"

    def authenticate(
        self, fields: Mapping[str, str], method: PaymentMethod, choice: WindowChoice
    ) -> dict[str, str]:
        """Checks the request hashes like INIStdPay does, then builds the return form."""
        expected = tx.request_verification(
            fields["oid"], fields["price"], SANDBOX_SIGN_KEY, fields["timestamp"]
        )
        # As bytes: compare_digest refuses non-ASCII str, and the form came from the browser.
        given = fields.get("verification", "").encode()
        if fields.get("mid") != SANDBOX_MID or not hmac.compare_digest(expected.encode(), given):
            raise InvalidWindowSubmission("결제 요청 검증에 실패했습니다. (위변조)")
        back = {"mid": SANDBOX_MID, "orderNumber": fields["oid"], "charset": "UTF-8"}
        if choice.outcome is Outcome.INVALID_CARD:
            code, message = DECLINES[choice.outcome]
            return {**back, "resultCode": code, "resultMsg": message}
        months, price = int(fields.get("quotabase") or 0), int(fields["price"])
        token = Authorization.from_window(fields["oid"], price, method, choice, months)
        return {
            **back,
            "resultCode": tx.SUCCESS,
            "resultMsg": "성공",
            "authToken": token.seal(self._secret, SEAL_PURPOSE),
            "authUrl": self.auth_url,
            "netCancelUrl": f"{self.auth_url}/netcancel",
            "idc_name": "fc",
            "merchantData": fields.get("merchantData", ""),
        }

    def sealed_method(self, auth_token: str) -> PaymentMethod | None:
        """The method ``auth_token`` was authenticated for; None if Inicis never issued it."""
        return Authorization.sealed_method(self._secret, SEAL_PURPOSE, auth_token)

    def approve(self, form: Mapping[str, str]) -> dict[str, Any]:
        """POST ``authUrl``; checks signature, verification and the merchant's price."""
        try:
            token = Authorization.unseal(self._secret, SEAL_PURPOSE, form["authToken"])
        except (KeyError, TamperedToken):
            return {"resultCode": "S404", "resultMsg": "인증 정보가 올바르지 않습니다."}
        verification = tx.sha256(
            f"authToken={form['authToken']}&signKey={SANDBOX_SIGN_KEY}"
            f"&timestamp={form.get('timestamp', '')}"
        )
        if form.get("mid") != SANDBOX_MID or not hmac.compare_digest(
            verification, form.get("verification", "")
        ):
            return {"resultCode": "S404", "resultMsg": "인증 정보가 올바르지 않습니다."}
        if form.get("price") != str(token.amount):
            return {"resultCode": "S009", "resultMsg": "결제 금액이 인증 금액과 다릅니다."}
        declined = token.decline(DECLINES)
        if declined:
            return {"resultCode": declined[0], "resultMsg": declined[1]}
        return self._approval(token)

    def _approval(self, token: Authorization) -> dict[str, Any]:
        method, issued = token.method, token.issued_at
        pay_method = {
            PaymentMethod.VIRTUAL_ACCOUNT: "VBank",
            PaymentMethod.TRANSFER: "DirectBank",
            PaymentMethod.KAKAO_PAY: "Kakaopay",
            PaymentMethod.NAVER_PAY: "NaverPay",
            PaymentMethod.SAMSUNG_PAY: "SSP",
        }.get(method, "Card")
        answer: dict[str, Any] = {
            "resultCode": tx.SUCCESS,
            "resultMsg": "성공적으로 처리 하였습니다.",
            "tid": transaction_id(self._secret, TX_PREFIX, token.order_id, token.amount),
            "MOID": token.order_id,
            "TotPrice": str(token.amount),
            "payMethod": pay_method,
            "applDate": kst_stamp(issued, "%Y%m%d"),
            "applTime": kst_stamp(issued, "%H%M%S"),
        }
        if token.masked_card:
            answer.update(
                CARD_Num=token.card_digits,
                CARD_Quota=f"{token.installment_months:02d}",
                CARD_Code="14",
                CARD_Name=SANDBOX_CARD_COMPANY,
                applNum=mac_hex(self._secret, "inicis.appl", token.order_id, length=8),
            )
        if method is PaymentMethod.VIRTUAL_ACCOUNT:
            account = issue_virtual_account(self._secret, token.order_id, issued)
            answer.update(
                VACT_Num=account.account_number,
                VACT_BankCode="04",
                vactBankName=account.bank,
                VACT_Name=SANDBOX_VA_HOLDER,
                VACT_Date=kst_stamp(account.due_date, "%Y%m%d"),
                VACT_Time=kst_stamp(account.due_date, "%H%M%S"),
            )
        return answer

    def refund(self, form: Mapping[str, str]) -> dict[str, Any]:
        """INIAPI ``/api/v1/refund``: recomputes ``hashData`` with the INIAPI key."""
        plain = (
            f"{SANDBOX_INIAPI_KEY}{form['type']}{form['paymethod']}{form['timestamp']}"
            f"{form['clientIp']}{form['mid']}{form['tid']}"
            f"{form.get('price', '')}{form.get('confirmPrice', '')}{form.get('refundAcctNum', '')}"
        )
        if not hmac.compare_digest(tx.sha512(plain), form.get("hashData", "")):
            return {"resultCode": "01", "resultMsg": "hash 검증 실패"}
        now = now_utc()
        answer: dict[str, Any] = {
            "resultCode": tx.INIAPI_SUCCESS,
            "resultMsg": "정상처리되었습니다.",
            "cancelDate": kst_stamp(now, "%Y%m%d"),
            "cancelTime": kst_stamp(now, "%H%M%S"),
        }
        if form["type"] == "PartialRefund":
            answer.update(
                prtcTid=mac_hex(self._secret, "inicis.prtc", form["tid"], form["confirmPrice"]),
                prtcPrice=form["price"],
                prtcRemains=form["confirmPrice"],
            )
        return answer

    def noti(self, *, tid: str, order_id: str, deposited: int) -> dict[str, str]:
        now = now_utc()
        account = issue_virtual_account(self._secret, order_id, now)
        return {
            "no_tid": tid,
            "no_oid": order_id,
            "id_merchant": SANDBOX_MID,
            "cd_bank": "00000004",
            "dt_trans": kst_stamp(now, "%Y%m%d"),
            "tm_trans": kst_stamp(now, "%H%M%S"),
            "type_msg": "0200",
            "no_vacct": account.account_number.replace("-", ""),
            "amt_input": str(deposited),
            "nm_inputbank": account.bank,
            "nm_input": "홍길동",
            "flg_close": "0",
        }
