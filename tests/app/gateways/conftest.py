import pytest

from app.gateways import GatewayConfig, GatewayName, Mode, build_gateway
from tests.app.gateways.gateway_helpers import SECRET


@pytest.fixture(params=list(GatewayName), ids=lambda name: name.value)
def sandbox(request):
    config = GatewayConfig(sandbox_secret=SECRET, sandbox_window_url="https://pay.test/sandbox")
    return build_gateway(request.param, Mode.TEST, config)
