"""(to be written)"""
REPORTS = []
MEASURES = {}
