"""Language utilities: numbers, dates, times and names as people type them, in Chinese or English.

Pure functions with no I/O, shared by the tools and the offline intent parser so that both
read "最近九十天" or "朝阳店" the same way.
"""
