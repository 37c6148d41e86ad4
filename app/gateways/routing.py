"""Which gateway takes which payment method, and the factory that builds gateways.

Default table, and why:
- card, transfer, virtual_account, toss_pay -> **toss**: one REST API with idempotency keys,
  the ``amount`` re-check built into confirm, and virtual-account webhooks authenticated by
  a per-payment ``secret`` (KCP and Inicis only offer source-IP checks). TossPay exists only
  at Toss.
- kakao_pay -> **kcp** and naver_pay -> **inicis**: both offer direct easy-pay windows, and
  splitting the wallets keeps one gateway outage from taking every easy-pay method down.
- samsung_pay -> **inicis**: supported on INIStdPay's direct window; our KCP adapter does
  not offer it.
A shop's settings may override any entry with a gateway that supports the method.
Like warehouse's billing services, the sandbox and the live client are separate
implementations chosen here by mode, never a branch inside one class.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field

import requests

from app.gateways.base import Gateway, GatewayName, Mode, PaymentMethod
from app.gateways.errors import InvalidRequest
from app.gateways.inicis import transformers as inicis_tx
from app.gateways.inicis.client import InicisClient
from app.gateways.inicis.sandbox import InicisSandbox
from app.gateways.kcp import transformers as kcp_tx
from app.gateways.kcp.client import KcpClient
from app.gateways.kcp.sandbox import KcpSandbox
from app.gateways.toss import transformers as toss_tx
from app.gateways.toss.client import TossClient
from app.gateways.toss.sandbox import TossSandbox

DEFAULT_ROUTES: Mapping[PaymentMethod, GatewayName] = {
    PaymentMethod.CARD: GatewayName.TOSS,
    PaymentMethod.TRANSFER: GatewayName.TOSS,
    PaymentMethod.VIRTUAL_ACCOUNT: GatewayName.TOSS,
    PaymentMethod.TOSS_PAY: GatewayName.TOSS,
    PaymentMethod.KAKAO_PAY: GatewayName.KCP,
    PaymentMethod.NAVER_PAY: GatewayName.INICIS,
    PaymentMethod.SAMSUNG_PAY: GatewayName.INICIS,
}

SUPPORTED_METHODS: Mapping[GatewayName, frozenset[PaymentMethod]] = {
    GatewayName.TOSS: frozenset(PaymentMethod),
    GatewayName.KCP: kcp_tx.SUPPORTED_METHODS,
    GatewayName.INICIS: inicis_tx.SUPPORTED_METHODS,
}


def route(method: PaymentMethod | str, shop_routes: Mapping[str, str] | None = None) -> GatewayName:
    """The gateway for ``method``: the shop's choice if it is valid, else the default."""
    method = PaymentMethod(method)
    chosen = (shop_routes or {}).get(method.value)
    if chosen is None:
        return DEFAULT_ROUTES[method]
    try:
        gateway = GatewayName(chosen)
    except ValueError as exc:
        raise InvalidRequest(f"알 수 없는 게이트웨이입니다: {chosen}") from exc
    if method not in SUPPORTED_METHODS[gateway]:
        raise InvalidRequest(f"{gateway.value}은(는) {method.value} 결제를 지원하지 않습니다.")
    return gateway


def validate_routes(shop_routes: Mapping[str, str]) -> dict[PaymentMethod, GatewayName]:
    """Check a whole settings mapping (for the shop settings API); returns the full table."""
    return {method: route(method, shop_routes) for method in PaymentMethod}


@dataclass(frozen=True)
class GatewayConfig:
    """What the factory needs; ``create_app`` fills it from settings. Reprs hide secrets."""

    sandbox_secret: bytes = field(default=b"", repr=False)
    #: Base URL of the app's sandbox window pages; each gateway appends ``/<name>``.
    sandbox_window_url: str = ""
    session_factory: Callable[[], requests.Session] = requests.Session
    toss_secret_key: str = field(default="", repr=False)
    toss_client_key: str = ""
    toss_base_url: str = ""
    kcp_site_cd: str = ""
    kcp_cert_info: str = field(default="", repr=False)
    kcp_signer: Callable[[str], str] | None = field(default=None, repr=False)
    kcp_base_url: str = ""
    inicis_mid: str = ""
    inicis_sign_key: str = field(default="", repr=False)
    inicis_iniapi_key: str = field(default="", repr=False)
    inicis_notify_ips: Collection[str] = ()
    inicis_account_cipher: Callable[[str], str] | None = field(default=None, repr=False)


def build_gateway(name: GatewayName | str, mode: Mode | str, config: GatewayConfig) -> Gateway:
    """Sandbox implementation in test mode, live client in live mode."""
    name, mode = GatewayName(name), Mode(mode)
    if mode is Mode.TEST:
        return _build_sandbox(name, config)
    return _build_live(name, config)


def _build_sandbox(name: GatewayName, config: GatewayConfig) -> Gateway:
    window = f"{config.sandbox_window_url.rstrip('/')}/{name.value}"
    if name is GatewayName.TOSS:
        return TossSandbox(secret=config.sandbox_secret, window_url=window)
    if name is GatewayName.KCP:
        return KcpSandbox(secret=config.sandbox_secret, window_url=window)
    return InicisSandbox(secret=config.sandbox_secret, window_url=window)


def _build_live(name: GatewayName, config: GatewayConfig) -> Gateway:
    session = config.session_factory()
    if name is GatewayName.TOSS:
        return TossClient(
            secret_key=config.toss_secret_key,
            client_key=config.toss_client_key,
            session=session,
            base_url=config.toss_base_url or toss_tx.API_BASE_URL,
        )
    if name is GatewayName.KCP:
        if config.kcp_signer is None:
            raise InvalidRequest("KCP 서명 키가 설정되지 않았습니다.")
        return KcpClient(
            site_cd=config.kcp_site_cd,
            cert_info=config.kcp_cert_info,
            signer=config.kcp_signer,
            session=session,
            base_url=config.kcp_base_url or kcp_tx.API_BASE_URL,
        )
    return InicisClient(
        mid=config.inicis_mid,
        sign_key=config.inicis_sign_key,
        iniapi_key=config.inicis_iniapi_key,
        session=session,
        notify_ips=config.inicis_notify_ips,
        account_cipher=config.inicis_account_cipher,
    )
