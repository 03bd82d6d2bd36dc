"""The WSGI module gunicorn serves in the concurrency tests: the app built from the test configuration that the
fixture passes as JSON (database, secret key, sandbox, SMTP server, folders, limits)."""

import json
import os

from passfamille import create_app

app = create_app(json.loads(os.environ["PASSFAMILLE_TEST_CONFIG"]))
