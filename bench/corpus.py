"""A realistic synthetic corpus of agent sessions for the store benchmarks.

Zipf-distributed vocabulary (programming words, English function words and generated identifiers),
prose with fenced code blocks, tool calls with plausible inputs, long tool outputs (logs, test runs,
stack traces), sessions of 10 to 5,000 messages. Deterministic for a seed.

    python bench/corpus.py --messages 100000 --jsonl bench/out/corpus.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

COMMON = (
    "the to of and a in is it that for you this with on be as are not can we if or have at "
    "but by from will so do an use all there one what which was would when should need also "
    "now just then more here like make sure into first other new only our some out up how"
).split()
CODE = (
    "function return import class def self const let var async await error test tests file "
    "files path config value values type types string number list dict json api request "
    "response server client database query index table column row user users login password "
    "session token cache build deploy docker npm pytest python typescript react component "
    "props state hook render module package version install update fix bug issue branch "
    "commit merge diff patch lint format schema migration endpoint route handler middleware "
    "timeout retry queue worker thread lock async event stream buffer parse validate "
    "exception traceback assert expected actual failed passed skipped coverage fixture mock"
).split()
TOOLS = ("Bash", "Read", "Edit", "Grep", "Write", "Glob", "Task", "WebFetch")


class Vocabulary:
    """Words ranked by frequency: a Zipf law over common words, code words and identifiers."""

    def __init__(self, rng: random.Random, size: int = 60_000, exponent: float = 1.07) -> None:
        generated: set[str] = set()
        consonants, vowels = "bcdfghklmnprstvz", "aeiou"
        while len(generated) < size - len(COMMON) - len(CODE):
            syllables = rng.randint(2, 4)
            word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
            if rng.random() < 0.15:
                word += rng.choice(("_id", "Handler", "Config", "Error", "s", "ed", "ing"))
            generated.add(word)
        self.words = COMMON + CODE + sorted(generated)
        rng.shuffle(self.words[len(COMMON) + len(CODE) :])
        weights = [1.0 / math.pow(rank, exponent) for rank in range(1, len(self.words) + 1)]
        self.cumulative = list(itertools.accumulate(weights))
        self.rng = rng

    def sample(self, count: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cumulative, k=count)

    def sentence(self, count: int) -> str:
        words = self.sample(count)
        words[0] = words[0].capitalize()
        return " ".join(words) + "."


class Corpus:
    """Generates sessions as lists of message dicts in the store's append format."""

    def __init__(self, seed: int = 42) -> None:
        self.rng = random.Random(seed)
        self.vocab = Vocabulary(self.rng)
        self._call = 0

    def session_length(self) -> int:
        # log-uniform from 10 to 5,000: many short sessions, a few very long ones
        return int(math.exp(self.rng.uniform(math.log(10), math.log(5000))))

    def prose(self, sentences: int) -> str:
        parts = [self.vocab.sentence(self.rng.randint(6, 22)) for _ in range(sentences)]
        if self.rng.random() < 0.3:
            code = "\n".join(
                "    " * self.rng.randint(0, 2)
                + " ".join(self.vocab.sample(self.rng.randint(2, 8)))
                for _ in range(self.rng.randint(3, 15))
            )
            parts.append(f"\n```python\n{code}\n```\n")
        return " ".join(parts)

    def tool_output(self) -> str:
        lines = self.rng.choice((5, 10, 20, 40, 80, 200))
        out = []
        for n in range(lines):
            kind = self.rng.random()
            words = " ".join(self.vocab.sample(self.rng.randint(3, 12)))
            if kind < 0.2:
                out.append(
                    f'  File "src/{self.vocab.sample(1)[0]}.py", line {n + 1}, in {words.split()[0]}'
                )
            elif kind < 0.4:
                out.append(
                    f"PASSED tests/test_{self.vocab.sample(1)[0]}.py::{words.replace(' ', '_')}"
                )
            else:
                out.append(f"[{n:04d}] {words}")
        return "\n".join(out)

    def messages(self, count: int) -> Iterator[dict[str, Any]]:
        """`count` messages of one session: prompts, replies, tool calls and their results."""
        produced = 0
        while produced < count:
            phase = produced % 4
            if phase == 0 or produced == 0:
                yield {"role": "user", "content": self.prose(self.rng.randint(1, 3))}
            elif phase == 1:
                self._call += 1
                tool = self.rng.choice(TOOLS)
                arg = " ".join(self.vocab.sample(self.rng.randint(1, 6)))
                yield {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": self.prose(self.rng.randint(1, 4))},
                        {
                            "type": "tool_use",
                            "id": f"toolu_{self._call}",
                            "name": tool,
                            "input": {"command": arg, "description": self.vocab.sentence(5)},
                        },
                    ],
                    "input_tokens": self.rng.randint(100, 30_000),
                    "output_tokens": self.rng.randint(10, 800),
                    "model": "claude-sonnet-4-5",
                }
            elif phase == 2:
                yield {
                    "role": "tool",
                    "content": [
                        {
                            "type": "tool_result",
                            "tool_use_id": f"toolu_{self._call}",
                            "content": self.tool_output(),
                            "is_error": self.rng.random() < 0.08,
                        }
                    ],
                }
            else:
                yield {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": self.vocab.sentence(12)},
                        {"type": "text", "text": self.prose(self.rng.randint(1, 6))},
                    ],
                    "output_tokens": self.rng.randint(10, 800),
                    "model": "claude-sonnet-4-5",
                }
            produced += 1

    def sessions(
        self, total_messages: int
    ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """(session fields, messages) until `total_messages` messages have been produced."""
        made = 0
        number = 0
        projects = [
            f"/home/dev/{name}"
            for name in ("webapp", "api-server", "data-pipeline", "infra", "mobile", "docs")
        ]
        while made < total_messages:
            length = min(self.session_length(), total_messages - made)
            number += 1
            fields = {
                "id": f"bench-{number:07d}",
                "title": self.vocab.sentence(self.rng.randint(3, 8))[:80],
                "source": self.rng.choice(("claude-code", "codex", "api")),
                "project": self.rng.choice(projects),
            }
            yield fields, list(self.messages(length))
            made += length


def raw_text_bytes(messages: list[dict[str, Any]]) -> int:
    """UTF-8 size of the text a message list holds (prose, tool inputs and outputs)."""
    total = 0
    for message in messages:
        content = message["content"]
        if isinstance(content, str):
            total += len(content.encode())
            continue
        for block in content:
            for key in ("text", "thinking", "content"):
                if isinstance(block.get(key), str):
                    total += len(block[key].encode())
            if block.get("type") == "tool_use":
                total += len(block["name"]) + len(
                    json.dumps(block["input"], ensure_ascii=False).encode()
                )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--jsonl", type=Path, required=True)
    args = parser.parse_args()
    args.jsonl.parent.mkdir(parents=True, exist_ok=True)
    with args.jsonl.open("w", encoding="utf-8") as out:
        for fields, messages in Corpus(args.seed).sessions(args.messages):
            for message in messages:
                out.write(
                    json.dumps({"session": fields["id"], **message}, ensure_ascii=False) + "\n"
                )


if __name__ == "__main__":
    main()
