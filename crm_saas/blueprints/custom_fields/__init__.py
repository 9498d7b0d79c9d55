"""Custom field definitions (C4): the fields a company adds to its customers and deals."""
