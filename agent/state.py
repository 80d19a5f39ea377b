"""What the agent did for each job, kept in a JSON file so that a restart never starts a print twice and picks up
progress reporting for a print that is running.

One record per job id: ``uploaded`` (the file is on the printer), ``started`` (the agent told the printer to start:
written *before* the start command goes out), ``finished`` / ``failed`` (reported), the last progress seen. Every
change is written atomically (a temporary file in the same folder, then ``os.replace``), so a crash leaves either
the old or the new file, never half of one.
"""

import json
import os
import tempfile
from pathlib import Path


class StateStore:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.jobs: dict[str, dict] = {}
        if self.path.exists():
            data = json.loads(self.path.read_text() or "{}")
            self.jobs = {str(key): value for key, value in data.get("jobs", {}).items()}

    def job(self, job_id) -> dict:
        """The record of a job (a new empty one the first time); change it, then ``save()``."""
        return self.jobs.setdefault(str(job_id), {})

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(descriptor, "w") as handle:
                json.dump({"jobs": self.jobs}, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
