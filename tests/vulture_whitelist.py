"""Names vulture cannot see used (read by `vulture`, see `[tool.vulture]` in pyproject.toml; never
imported). Each entry says who uses it; anything else vulture reports is dead and goes."""

# ruff: noqa

# Attributes the frameworks read: Textual (widgets, screens, inputs), Rich, sqlite3
_.border_title
_.border_subtitle
_.virtual_size
_.cursor_position
_.cursor_blink
_.no_wrap
_.markup
_.row_factory
_.text_factory

# Overrides whose callers are the standard library or click: the metrics HTTP server and the
# command group's help
_.readable
_.readinto
_.rfile
_.close_connection
_.get_stderr
_.log_message
_.handle_error
daemon_threads
block_on_close
request_queue_size
_.format_commands

# Module `__getattr__`: lazy attributes of `sessionscope.cli` and `sessionscope.store`
__getattr__

# Arguments an override must accept (Textual's check_action, App.notify)
parameters
markup

# Public API for library users and agents: the OpenAI Agents SDK session protocol, stored
# messages' tool blocks, what a save deleted
_.get_items
_.add_items
_.pop_item
_.clear_session
_.tool_uses
_.tool_results
deleted

# Seams the tests assert through: the sanitiser's predicate, the store's change marker, the
# session list's selected row
is_inert
_.change_marker
_.selected_row

# Record fields filled from rows or read by name: a lock holder's expiry, a demo project's
# feature list (read through prose.Filler's slot table)
expires_at
features

# CopyResult.via: which way the text went (a tool's name, "osc52" or ""), part of the result the
# browser and tests read
via

# KeyFooter.bindings_changed overrides Textual's Footer method of that name, which the screen's
# `bindings_updated_signal` calls (subscribed in Footer.on_mount)
_.bindings_changed

# Input.selection: a Textual reactive the search pane sets (the query selected when the search
# reopens); Textual reads it when drawing and editing the input
_.selection
