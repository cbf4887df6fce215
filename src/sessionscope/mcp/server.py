"""The MCP server: `Recall`'s tools and the session resource on the official SDK's `MCPServer`.

Tool failures the caller can fix (`ToolFailure`) and store errors become MCP tool errors (a
result with `isError`), so a bad query or a missing session never takes the server down.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import ToolAnnotations
from pydantic import Field

from ..store import StoreError
from .tools import MAX_LIMIT, MAX_WINDOW, Recall, ToolFailure

INSTRUCTIONS = (
    "Recall over a local archive of past AI-agent sessions (Claude Code, Codex and others). Use "
    "search to ask 'have I solved this before?', then read_session with a hit's session id and "
    "seq to read the messages around it. Every answer cites messages as session_id#seq; cite "
    "them when you rely on them. Pass exclude_session with your own session id so you do not "
    "find yourself. Answers are capped (max_chars) and secrets are redacted."
)

F = TypeVar("F", bound=Callable[..., Any])

MaxChars = Annotated[
    int | None,
    Field(description="Answer budget in characters (default: the server's, about 12,000)."),
]
Exclude = Annotated[
    str | None,
    Field(description="A session id to leave out of the answer, usually your own session's."),
]
Limit = Annotated[int, Field(description=f"How many results at most (1 to {MAX_LIMIT}).")]
Project = Annotated[
    str | None, Field(description="Only sessions whose project path contains this text.")
]
Source = Annotated[
    str | None, Field(description="Only sessions from this agent: claude-code, codex, ...")
]
Since = Annotated[
    str | None,
    Field(description="Only activity since then: an age like 7d, 12h, 2w, or an ISO date."),
]


def _tool_errors(fn: F) -> F:
    """Re-raise what the caller can fix as the SDK's ToolError (an MCP tool error)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ToolFailure as exc:
            raise ToolError(str(exc)) from None
        except StoreError as exc:
            raise ToolError(f"the store refused: {exc}") from None

    return wrapper  # type: ignore[return-value]


def build_server(recall: Recall) -> MCPServer:
    """An MCPServer exposing `recall`'s tools (record_signal only when it allows writes)."""
    server = MCPServer(name="sessionscope", instructions=INSTRUCTIONS, log_level="WARNING")
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=read_only, structured_output=False)
    @_tool_errors
    def search(
        query: Annotated[
            str,
            Field(
                description='Words (all must match, any order), "a phrase", -excluded, OR, '
                "and filters: role:user, tool:Bash, project:NAME, source:codex, model:opus, "
                "since:7d, until:DATE, session:ID, in:tools|text, is:error."
            ),
        ],
        limit: Limit = 20,
        project: Project = None,
        source: Source = None,
        since: Since = None,
        exclude_session: Exclude = None,
        max_chars: MaxChars = None,
    ) -> str:
        """Search every past session's messages (full text, ranked best first).

        Use this first to find whether a problem, error message, file or decision came up before.
        Each hit is cited session_id#seq with the session's title, project, agent, time, role and
        a snippet with matches in «». Follow up with read_session(session_id, around=seq).
        """
        return recall.search(query, limit, project, source, since, exclude_session, max_chars)

    @server.tool(annotations=read_only, structured_output=False)
    @_tool_errors
    def list_sessions(
        project: Project = None,
        source: Source = None,
        since: Since = None,
        limit: Limit = 20,
        exclude_session: Exclude = None,
        max_chars: MaxChars = None,
    ) -> str:
        """List past sessions, newest activity first, with title, project, agent and size.

        Use it to browse what was worked on recently or in one project; read one with
        read_session(session_id).
        """
        return recall.list_sessions(project, source, since, limit, exclude_session, max_chars)

    @server.tool(annotations=read_only, structured_output=False)
    @_tool_errors
    def read_session(
        session_id: Annotated[
            str,
            Field(description="A session id, a unique prefix of one, or a citation id#seq."),
        ],
        around: Annotated[
            int | None,
            Field(description="The seq to centre on (from a citation); None: from the start."),
        ] = None,
        before: Annotated[
            int, Field(description=f"Messages before `around` (0 to {MAX_WINDOW}).")
        ] = 10,
        after: Annotated[
            int, Field(description=f"Messages after `around` (0 to {MAX_WINDOW}).")
        ] = 10,
        max_chars: MaxChars = None,
    ) -> str:
        """Read a window of one session's messages as text, each cited session_id#seq.

        Tool calls are summarised (name and input), long tool outputs are cut with a marker
        saying how much was cut. The last line says how to read further.
        """
        return recall.read_session(session_id, around, before, after, max_chars)

    @server.tool(annotations=read_only, structured_output=False)
    @_tool_errors
    def recent_prompts(
        limit: Limit = 20, exclude_session: Exclude = None, max_chars: MaxChars = None
    ) -> str:
        """The user's recent prompts across all sessions (distinct, newest first), cited."""
        return recall.recent_prompts(limit, exclude_session, max_chars)

    @server.tool(annotations=read_only, structured_output=False)
    @_tool_errors
    def usage(
        since: Annotated[
            str, Field(description="An age like 30d, 12h, 2w, or an ISO date.")
        ] = "30d",
        by: Annotated[
            Literal["day", "project", "model"], Field(description="How to group the totals.")
        ] = "day",
        max_chars: MaxChars = None,
    ) -> str:
        """Sessions, messages, input/output tokens and cost since a time, grouped by day,
        project or model."""
        return recall.usage(since, by, max_chars)

    if recall.allow_writes:

        @server.tool(
            annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False),
            structured_output=False,
        )
        @_tool_errors
        def record_signal(
            session_id: Annotated[str, Field(description="The session the outcome is about.")],
            value: Annotated[
                float, Field(description="The outcome, 0 (bad) to 1 (good).", ge=0, le=1)
            ],
            kind: Annotated[
                Literal["explicit", "implicit"],
                Field(description="explicit: a person said so; implicit: inferred (tests passed)."),
            ] = "explicit",
            source: Annotated[
                str, Field(description="Who reports it, e.g. your agent's name.")
            ] = "agent",
        ) -> str:
            """Report how a session turned out, for the experiments layer (champion/challenger
            comparisons of agent configurations)."""
            return recall.record_signal(session_id, value, kind, source)

    @server.resource(
        "sessionscope://session/{session_id}",
        name="session",
        description="A past session's opening messages as text (read_session reads further).",
        mime_type="text/plain",
    )
    def session_resource(session_id: str) -> str:
        try:
            return recall.session_resource(session_id)
        except ToolFailure as exc:
            raise ResourceNotFoundError(str(exc)) from None

    return server


def serve(recall: Recall, http: tuple[str, int] | None = None) -> None:
    """Run until the client goes away (stdio) or the process is stopped (HTTP)."""
    server = build_server(recall)
    if http is None:
        server.run("stdio")
    else:
        server.run("streamable-http", host=http[0], port=http[1])
