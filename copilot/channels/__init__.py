"""Where people talk to the copilot: Slack, WeCom and the web console.

Adapters are thin translators (platform payload → `Inbound` → `Gate` → `Outbound` →
platform reply). Everything a channel must not get wrong lives once, in `gate.py`: who the
person is, how often they may ask, that a retried event is answered once, and the record of
each turn with its feedback. Masking by audience happens in the agent (a group never sees a
full mobile number) and in the data layer (personal data only one-to-one with the owner).
"""
