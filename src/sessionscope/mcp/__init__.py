"""`sessionscope mcp`: the archive as a Model Context Protocol server, so agents recall their past.

`tools` holds the tools as plain functions over a store (testable without the SDK), `format`
turns store records into capped, redacted text with citations, `server` registers them on the
official `mcp` SDK, and `config` prints the snippet each MCP client needs.
"""
