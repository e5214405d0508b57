"""Where a job's upload and result files live: ``<data dir>/bulk/<job id>/``."""

from __future__ import annotations

import shutil
from pathlib import Path


class JobFiles:
    def __init__(self, root: Path, job_id: str) -> None:
        self.dir = root / "bulk" / job_id

    @property
    def upload(self) -> Path:
        return self.dir / "upload.csv"

    @property
    def success(self) -> Path:
        return self.dir / "success.csv"

    @property
    def failed(self) -> Path:
        return self.dir / "failed.csv"

    @property
    def query(self) -> Path:
        return self.dir / "query.csv"

    def ensure(self) -> JobFiles:
        self.dir.mkdir(parents=True, exist_ok=True)
        return self

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


__all__ = ["JobFiles"]
