#!/usr/bin/env python
"""Kept for Django habit; `kangyang` is the same thing."""
from kangyang.__main__ import main

if __name__ == "__main__":
    main()
