"""The agent's tools: small typed functions over member data and knowledge.

Each tool lands here with its own module and is registered in one list; see README
("Architecture"). Member-data tools build on `copilot.data` and `copilot.analytics`.
"""
