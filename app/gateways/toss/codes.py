"""Toss Payments code tables (issuer and bank codes of the Payment object).

From https://docs.tosspayments.com/codes/org-codes (카드사 코드, 은행 코드); only the codes
the sandbox issues and the common domestic issuers are listed, others pass through raw.
"""

from collections.abc import Mapping

CARD_ISSUERS: Mapping[str, str] = {
    "11": "KB국민카드",
    "21": "하나카드",
    "31": "BC카드",
    "33": "우리카드",
    "41": "신한카드",
    "51": "삼성카드",
    "61": "현대카드",
    "71": "롯데카드",
    "91": "NH농협카드",
}
BANKS: Mapping[str, str] = {
    "06": "KB국민은행",
    "11": "NH농협은행",
    "20": "우리은행",
    "81": "하나은행",
    "88": "신한은행",
    "03": "IBK기업은행",
}
