"""The projects synthetic sessions happen in: paths, languages, files, commands and task prompts.

Each `Project` is a small, self-consistent world (a React web app, a Go API server, a Terraform
repo, ...) so that a generated session reads like work on one real codebase. Prompt templates use
`{slots}` filled from the project's own pools (see `prose.Filler`).
"""

from __future__ import annotations

from .apps import API_SERVER, BILLING_SERVICE, MOBILE, WEBAPP
from .model import Project
from .tooling import DATA_PIPELINE, INFRA, ML_TRAINING, RUSTCLI

__all__ = ["PROJECTS", "Project"]

PROJECTS: tuple[Project, ...] = (
    WEBAPP,
    DATA_PIPELINE,
    API_SERVER,
    INFRA,
    MOBILE,
    ML_TRAINING,
    RUSTCLI,
    BILLING_SERVICE,
)
"""Every project, in the order the generator draws from (the order is part of the output)."""
