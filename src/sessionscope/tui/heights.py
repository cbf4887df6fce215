"""Line offsets of a long transcript: a Fenwick tree over per-message heights.

The transcript knows the real height of the messages it has rendered and estimates the rest, so
`offset(seq)` (first line of a message) and `locate(y)` (message at a line) stay O(log n) for a
session of any length, and appending a message costs O(log n). The tree holds each height's
difference from a base estimate, so (re)starting at a session of 100,000 messages is two list
allocations, not a Python loop.
"""

from __future__ import annotations


class Heights:
    """Heights of `count` messages (index = seq), with prefix sums in O(log n)."""

    __slots__ = ("_base", "_capacity", "_count", "_tree", "_values")

    def __init__(self, count: int = 0, estimate: int = 3) -> None:
        self._count = 0
        self._capacity = 0
        self._base = estimate
        self._values: list[int] = []
        self._tree: list[int] = [0]
        self.reset(count, estimate)

    def reset(self, count: int, estimate: int) -> None:
        """`count` messages, each `estimate` lines high."""
        self._count = max(0, count)
        self._base = estimate
        self._values = [estimate] * self._count
        self._capacity = max(1024, self._count + self._count // 2)
        self._tree = [0] * (self._capacity + 1)

    def __len__(self) -> int:
        return self._count

    @property
    def total(self) -> int:
        """Height of the whole transcript."""
        return self.offset(self._count)

    def __getitem__(self, seq: int) -> int:
        return self._values[seq]

    def _add(self, seq: int, delta: int) -> None:
        i = seq + 1
        tree = self._tree
        capacity = self._capacity
        while i <= capacity:
            tree[i] += delta
            i += i & -i

    def set(self, seq: int, height: int) -> int:
        """Set the height of message `seq`; returns the change."""
        delta = height - self._values[seq]
        if delta:
            self._values[seq] = height
            self._add(seq, delta)
        return delta

    def extend(self, count: int, estimate: int) -> None:
        """Grow to `count` messages; the new ones are `estimate` lines high."""
        if count <= self._count:
            return
        old = self._count
        if count > self._capacity:
            values = self._values + [estimate] * (count - old)
            self.reset(count, self._base)
            for seq, value in enumerate(values):
                if value != self._base:
                    self.set(seq, value)
            return
        self._values.extend([self._base] * (count - old))
        self._count = count
        if estimate != self._base:
            for seq in range(old, count):
                self.set(seq, estimate)

    def offset(self, seq: int) -> int:
        """First line of message `seq` (the sum of the heights before it)."""
        seq = min(max(0, seq), self._count)
        total = self._base * seq
        i = seq
        tree = self._tree
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def locate(self, y: int) -> tuple[int, int]:
        """(seq, line within it) of transcript line `y`; seq == len(self) past the end."""
        if y < 0:
            return 0, 0
        position = 0
        remaining = y
        tree = self._tree
        base = self._base
        count = self._count
        step = 1 << count.bit_length() if count else 0
        while step:
            nxt = position + step
            if nxt <= count:
                span = tree[nxt] + base * step
                if span <= remaining:
                    position = nxt
                    remaining -= span
            step >>= 1
        if position >= count:
            return count, 0
        return position, remaining
