"""The `copilot` command line: one module per feature, assembled in `main`."""
