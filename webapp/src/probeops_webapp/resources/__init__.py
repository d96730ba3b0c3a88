"""One flask-smorest blueprint per API resource."""
