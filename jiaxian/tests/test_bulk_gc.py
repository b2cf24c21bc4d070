"""``bulk.cyclic_gc_paused``: the import's batches run without the cyclic collector, which is
given back as it was."""

import gc

import pytest

from jiaxian import bulk


@pytest.fixture
def collector():
    enabled = gc.isenabled()
    yield
    gc.enable() if enabled else gc.disable()


def test_the_collector_is_paused_inside_the_block_and_running_again_after_it(collector):
    gc.enable()
    with bulk.cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_runs_again_after_a_block_that_raised(collector):
    gc.enable()
    with pytest.raises(RuntimeError), bulk.cyclic_gc_paused():
        raise RuntimeError("a row's write failed")
    assert gc.isenabled()


def test_a_collector_paused_before_the_block_stays_paused_after_it(collector):
    gc.disable()
    with bulk.cyclic_gc_paused():
        pass
    assert not gc.isenabled()
