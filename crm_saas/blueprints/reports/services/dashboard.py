"""(to be written)"""
MEASURES = {}
