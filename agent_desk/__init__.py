"""The agent desk's live channel: the websocket endpoint (/ws) and the hub that fans desk and call events
out to connected desks and walls. The browser front end lives in agent_desk/frontend."""
