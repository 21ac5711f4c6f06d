"""A second, independent corpus of realistic mail to the division, with ground truth.

Written without reading the classifier or the first corpus, to measure how the classifier
generalises to mail composed by someone else. `make_corpus.build()` returns the mails;
`tests/test_corpus2.py` runs them through `baocao poll` and scores the result.
"""
