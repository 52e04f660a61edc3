"""What passes of every level share: the pattern-pass base, the tolerance each pass
declares for property tests, legality checks, and the pass applying given patterns."""
