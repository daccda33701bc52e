"""Understand: rollups of the mentions, metric definitions, dashboards, reports and alerts."""
