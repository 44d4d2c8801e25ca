"""Campaigns: a segment, a text, channels and a send time, from draft to done.

`lifecycle` holds the states and who may move a campaign between them; the preview,
the sending rules, dispatch through a queue and the holdout review build on it.
"""
