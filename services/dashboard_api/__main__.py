import uvicorn

from services.dashboard_api.app import create_app
from shopflow.runtime.logging import configure_logging
from shopflow.runtime.settings import get_settings

settings = get_settings()
configure_logging("dashboard_api", settings.log_level)
uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port,
            log_config=None, timeout_graceful_shutdown=5)
