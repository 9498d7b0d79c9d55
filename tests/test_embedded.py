"""The embedded servers (crm_saas/embedded.py) of one instance folder, started by several processes at once.

``pytest -n`` workers, or a web server and its worker, may all find no
server and start one at the same moment: each must get a working server,
the same one, and none may restart it under another.
"""
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import redis

from crm_saas import embedded
from tests.conftest import TEST_INSTANCE

START = "import sys; from crm_saas import embedded; print(embedded.ensure_postgres(sys.argv[1]), embedded.ensure_redis(sys.argv[1]))"


def test_three_processes_starting_one_fresh_folder_share_one_pair_of_servers():
    # Under the suite's own instance folder: when run as root the server runs as another user, who
    # cannot reach into a private temporary directory.
    folder = Path(TEST_INSTANCE, f"start-{secrets.token_hex(3)}")
    try:
        starters = [subprocess.Popen([sys.executable, "-c", START, str(folder)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True) for _ in range(3)]
        results = [starter.communicate(timeout=240) for starter in starters]
        assert [starter.returncode for starter in starters] == [0, 0, 0], [err[-1500:] for _, err in results]
        urls = {out.strip() for out, _ in results}
        assert len(urls) == 1, urls  # one server each, the same for all
        database_url, redis_url = urls.pop().split()
        with psycopg.connect(database_url) as conn:
            assert conn.execute("SHOW max_locks_per_transaction").fetchone()[0] == str(embedded.MAX_LOCKS)
        assert redis.Redis.from_url(redis_url).ping()
    finally:
        embedded.stop_postgres(folder)
        embedded.stop_redis(folder)
        shutil.rmtree(folder, ignore_errors=True)
