"""The party portal (当事人门户): a phone-sized page set where a party logs in by a one-time code or WeChat,
views the documents served on them, signs the 送达回证, asks for paper and confirms their addresses."""
