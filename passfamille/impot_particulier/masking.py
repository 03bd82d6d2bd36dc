"""The numéro fiscal travels in the URL path (`/spi/{spi}/…`): masked wherever a path may be logged.

urllib3 logs each request line at DEBUG level; the sandbox's access log shows paths (sandbox/server.py)."""

import logging
import re

_SPI_IN_PATH = re.compile(r"/spi/[^/\s\"?]*")


def mask_spi(text: str) -> str:
    return _SPI_IN_PATH.sub("/spi/[masqué]", text)


class _HideSpi(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/spi/" in message:
            record.msg, record.args = mask_spi(message), ()
        return True


# A filter applies to the records of its own logger only, not to those of its children: each module that logs URLs.
for _logger in ("urllib3.connectionpool", "urllib3.connection", "urllib3.poolmanager", "urllib3.util.retry"):
    logging.getLogger(_logger).addFilter(_HideSpi())
