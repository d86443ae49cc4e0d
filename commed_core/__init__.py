"""Pure-Python core of commed: no Django import is allowed anywhere below this package.

Subpackages: allocation (the solver), agreement (inter-coder statistics), refiqda (the exchange
format), transcripts (document reading, speaker turns, pseudonymisation), indicators (public-health
statistics) and healthdata (readers for the publishers' official file layouts).
"""
