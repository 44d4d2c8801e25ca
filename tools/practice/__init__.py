"""Practice tools: start a role-play (`start_practice`) and see progress by skill."""
