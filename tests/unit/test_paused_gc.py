"""The collector paused while large, long-lived graphs are built, and what it leaves behind."""

from __future__ import annotations

import gc
import weakref

from cron_adapter._gc import paused_gc


class Node:
    other: Node | None = None


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():  # re-entrant: the inner block does not switch it back on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_what_was_built_is_not_rescanned_at_once_but_a_cycle_is_still_collected() -> None:
    with paused_gc():
        kept = [Node() for _ in range(5_000)]
        cycle = Node()
        cycle.other = cycle
        ref = weakref.ref(cycle)
        del cycle
    # Moved to the oldest generation unscanned, not left for a young collection to walk.
    assert all(id(node) in {id(o) for o in gc.get_objects(generation=2)} for node in (kept[0], kept[-1]))
    assert ref() is not None
    gc.collect()
    assert ref() is None and len(kept) == 5_000
