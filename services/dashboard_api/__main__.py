import logging
import sys

import uvicorn

from services.dashboard_api.app import create_app
from shopflow.access import PlaceholderKeyError
from shopflow.runtime.logging import configure_logging
from shopflow.runtime.settings import get_settings

settings = get_settings()
configure_logging("dashboard_api", settings.log_level)
try:
    app = create_app(settings)
except PlaceholderKeyError as exc:
    logging.getLogger("services.dashboard_api").error("refusing to start: %s", exc)
    sys.exit(2)
uvicorn.run(app, host=settings.api_host, port=settings.api_port,
            log_config=None, timeout_graceful_shutdown=5)
