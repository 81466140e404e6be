"""Settings for `make bench-rush`: the production settings plus one baseline URL (benchmarks/bench_urls.py).

Used only by the benchmark's own gunicorn and by the process that prepares its database.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.bench_urls"
