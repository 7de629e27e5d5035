from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "teddycup2020c"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (DATA / "messages_labeled.csv").is_file():
        pytest.skip("real data not present at ../shared/data/teddycup2020c")
    return DATA
