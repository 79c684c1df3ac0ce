"""Speech recognition of recorded calls (Vosk, Mandarin).

engine: legs to timed words (`transcribe_leg`, `transcribe_call`, async variants); dialogue: the merged,
speaker-labelled dialogue; metrics: character error rate; model_fetch and cli: `songda asr fetch-model`.
Kept import-free so that `songda` commands do not load Vosk unless they recognise speech.
"""
