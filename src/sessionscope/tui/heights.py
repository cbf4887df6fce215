"""Line offsets of a long transcript: a Fenwick tree over per-message heights.

The transcript knows the real height of the messages it has rendered and estimates the rest, so
`offset(seq)` (first line of a message) and `locate(y)` (message at a line) stay O(log n) for a
session of any length, and appending a message costs O(log n).
"""

from __future__ import annotations


class Heights:
    """Heights of `count` messages (index = seq), with prefix sums in O(log n)."""

    __slots__ = ("_capacity", "_count", "_tree", "_values")

    def __init__(self, count: int = 0, estimate: int = 3) -> None:
        self._count = 0
        self._capacity = 0
        self._values: list[int] = []
        self._tree: list[int] = [0]
        self.reset(count, estimate)

    def reset(self, count: int, estimate: int) -> None:
        """`count` messages, each `estimate` lines high."""
        self._count = max(0, count)
        self._values = [estimate] * self._count
        self._rebuild(max(1024, self._count * 2))

    def _rebuild(self, capacity: int) -> None:
        self._capacity = capacity
        tree = [0] * (capacity + 1)
        for i, value in enumerate(self._values):
            tree[i + 1] = value
        for i in range(1, capacity + 1):
            parent = i + (i & -i)
            if parent <= capacity:
                tree[parent] += tree[i]
        self._tree = tree

    def __len__(self) -> int:
        return self._count

    @property
    def total(self) -> int:
        """Height of the whole transcript."""
        return self.offset(self._count)

    def __getitem__(self, seq: int) -> int:
        return self._values[seq]

    def set(self, seq: int, height: int) -> int:
        """Set the height of message `seq`; returns the change."""
        delta = height - self._values[seq]
        if delta:
            self._values[seq] = height
            i = seq + 1
            tree = self._tree
            while i <= self._capacity:
                tree[i] += delta
                i += i & -i
        return delta

    def extend(self, count: int, estimate: int) -> None:
        """Grow to `count` messages; the new ones are `estimate` lines high."""
        if count <= self._count:
            return
        old = self._count
        self._values.extend([0] * (count - old))
        self._count = count
        if count > self._capacity:
            for seq in range(old, count):
                self._values[seq] = estimate
            self._rebuild(count * 2)
            return
        for seq in range(old, count):
            self.set(seq, estimate)

    def offset(self, seq: int) -> int:
        """First line of message `seq` (the sum of the heights before it)."""
        seq = min(max(0, seq), self._count)
        total = 0
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
        step = 1 << (self._capacity.bit_length() - 1) if self._capacity else 0
        while step:
            nxt = position + step
            if nxt <= self._capacity and tree[nxt] <= remaining:
                position = nxt
                remaining -= tree[nxt]
            step >>= 1
        if position >= self._count:
            return self._count, 0
        return position, remaining
