"""Topic creation on the real broker: created topics are usable when the call returns."""

from __future__ import annotations

import pytest
from confluent_kafka.admin import AdminClient

from shopflow.runtime.settings import Settings
from shopflow.topics import all_topics, create_topics

pytestmark = pytest.mark.integration


def test_created_topics_have_a_leader_for_every_partition_on_return(
        settings: Settings, kafka_bootstrap: str) -> None:
    # Creation is acknowledged before the partitions have leaders; a producer started at
    # once met NOT_LEADER (decision 0084), and a fresh metadata request saw no replicas.
    wanted = all_topics(settings)[:8]
    assert sorted(create_topics(settings, wanted)) == sorted(wanted)
    topics = AdminClient({"bootstrap.servers": kafka_bootstrap}).list_topics(timeout=10).topics
    for name in wanted:
        partitions = topics[name].partitions
        assert len(partitions) == settings.topic_partitions, name
        assert all(p.leader >= 0 and p.replicas for p in partitions.values()), name
    assert create_topics(settings, wanted) == []  # existing topics are left alone
