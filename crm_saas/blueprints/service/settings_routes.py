"""Service settings: due times per priority and the request number pattern (hung on ``bp``)."""
