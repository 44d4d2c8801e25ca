"""Practice eval: shipped scenarios score strong, average and weak transcripts in order."""
