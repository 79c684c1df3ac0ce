"""Service by public notice (公告送达): the last resort, deemed served 30 days after publication."""
