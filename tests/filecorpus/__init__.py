"""Red-team corpus of report files as units really send them, with ground truth (see make_files)."""
