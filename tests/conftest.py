import os

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from realdata import data_dir, web_dir


@pytest.fixture(scope="session")
def bench_dir():
    root = data_dir()
    if root is None:
        pytest.skip("benchmark data not found: set MATHFORGE_DATA_DIR to a folder holding <set>/test.jsonl")
    return root


@pytest.fixture(scope="session")
def web_data():
    root = web_dir()
    if root is None:
        pytest.skip(
            "real web sample not found: set MATHFORGE_WEB_DIR to a folder holding html/, warc/, latex/"
        )
    return root
