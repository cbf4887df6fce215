"""Projects, agent configs, champion/challenger experiments and their decision rule."""

from __future__ import annotations


class ExperimentsMixin:
    """Experiment API mixed into `Store` (see DESIGN.md, "Experiments and metrics")."""
