"""Figures for the dashboard and the report centre, all counted through ``base`` over one ``scope``."""
