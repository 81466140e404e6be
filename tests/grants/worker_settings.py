"""Settings of the worker processes that tests/grants/test_worker_process.py starts: the project's own, with
e-mail written to files in SAMVERKET_TEST_MAIL_DIR, so the test can count what the workers sent."""

import os

from config.settings import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = os.environ["SAMVERKET_TEST_MAIL_DIR"]
