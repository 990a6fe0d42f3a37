"""All configuration in one place, read from `INNOGRAPH_*` environment variables when asked for.

Nothing is read at import time: `Settings()` is built by the CLI and the API at start-up, so tests
can set variables or pass values explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="INNOGRAPH_", extra="ignore")

    store: Literal["sqlite", "neo4j"] = "sqlite"
    data_dir: Path = Path("data")
    db: Path | None = None  # default: <data_dir>/innograph.db

    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    batch_size: int = 2000
    # How long a write waits for another writer's lock before giving up with one line (seconds).
    lock_timeout_s: float = 10.0

    # The largest input file or zip member a loader reads (MB); also bounds what a zip may expand to.
    max_input_mb: int = 2048

    cordis_urls: dict[str, str] = {
        "h2020": "https://cordis.europa.eu/data/cordis-h2020projects-csv.zip",
        "horizon": "https://cordis.europa.eu/data/cordis-HORIZONprojects-csv.zip",
        "fp7": "https://cordis.europa.eu/data/cordis-fp7projects-csv.zip",
    }

    # Ingest over HTTP is off unless a token is configured.
    api_token: SecretStr | None = None
    api_max_page: int = 500
    api_max_nodes: int = 400

    # Units (departments, hospitals, administrations: `Actor.part_of`) count for their parent legal entity
    # in analyses, views, exports and the partner finder; INNOGRAPH_UNITS_APART=1 shows them apart.
    units_apart: bool = False

    @property
    def db_path(self) -> Path:
        return self.db if self.db is not None else self.data_dir / "innograph.db"
