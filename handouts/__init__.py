"""Printed output of a workshop: handouts, the facilitator's summary, takeaways and exports."""
from __future__ import annotations

from .export import export_csv, export_json
from .handout import build_handouts
from .results import SessionResults, load_results
from .summary import build_summary
from .takeaway import build_takeaway

__all__ = ["load_results", "SessionResults", "build_handouts", "build_summary",
           "build_takeaway", "export_csv", "export_json"]
