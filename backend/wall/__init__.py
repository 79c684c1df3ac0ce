"""The supervisor wall: queues, agents, live calls and today's figures; force presence; listen in."""
