"""Call transcripts: recognition of recorded calls, Chinese full-text search, key-phrase flags for review.

service/tasks: the pipeline (both legs -> merged dialogue -> evidence + Transcript row), run by Celery or
in-process; ngrams/index/search: character n-gram search; flags: key-phrase hints; views: the API.
"""
