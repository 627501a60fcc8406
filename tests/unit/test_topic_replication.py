"""Replication of new topics follows the cluster size unless the settings say otherwise."""

from __future__ import annotations

import pytest

from shopflow.runtime.settings import Settings
from shopflow.topics import replication


@pytest.mark.parametrize(("brokers", "expected"), [(1, (1, 1)), (2, (1, 1)), (3, (3, 2)),
                                                   (5, (3, 2))])
def test_defaults_follow_the_cluster(brokers: int, expected: tuple[int, int]) -> None:
    assert replication(Settings(), brokers) == expected


def test_settings_win_and_an_impossible_pair_is_refused() -> None:
    assert replication(Settings(topic_replication=2), 3) == (2, 1)
    assert replication(Settings(topic_replication=3, topic_min_insync_replicas=3), 3) == (3, 3)
    with pytest.raises(ValueError, match=r"min\.insync\.replicas 3 > replication factor 1"):
        replication(Settings(topic_min_insync_replicas=3), 1)
