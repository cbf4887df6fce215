"""What the transcript widget (`tui/widgets/transcript.py`) shows, and how it is read.

- `window.TranscriptWindow`: what is loaded of the open session (messages, rendered lines,
  heights, tool-call pairing, subagents); no Textual.
- `matches.MatchCursor`: the search matches of the session and n/N over them; no Textual.
- `loader.TranscriptLoader`: the widget's thread workers, one store read each (`Store.window`).
"""
