# -*- coding: utf-8 -*-
"""Filters for playbooks/migrate.yml: is every consumer group's checkpoint up to date?"""

from __future__ import annotations

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError


def _offsets(value, name):
    if not isinstance(value, Mapping):
        raise AnsibleFilterError("checkpoint_lag: %s must be a dict of topic -> partition -> offsets, got %s"
                                 % (name, type(value).__name__))
    return value


def checkpoint_lag(translated, source_offsets, rename=None):
    """Partitions whose latest checkpoint is older than the group's last commit on the source.

    translated:     kafka_consumer_group (translate) `translated`: target topic -> partition -> {upstream_offset}
    source_offsets: kafka_consumer_group (describe, on the source) `offsets`: topic -> partition -> {committed}
    rename:         source topic -> target topic (identity when omitted, as in a migration)
    Returns one "topic[partition]: checkpoint at X, committed Y" line per stale or missing checkpoint,
    so an `until:` can wait for an empty list and a failure can say what is behind.
    """
    translated = _offsets(translated, "translated")
    source_offsets = _offsets(source_offsets, "source_offsets")
    rename = rename or {}
    behind = []
    for topic in sorted(source_offsets):
        for partition in sorted(source_offsets[topic], key=lambda p: int(p)):
            committed = (source_offsets[topic][partition] or {}).get("committed")
            if committed is None or committed < 0:
                continue  # nothing committed there: nothing to carry over
            target_topic = rename.get(topic, topic)
            checkpoint = translated.get(target_topic, {}).get(str(partition))
            upstream = None if checkpoint is None else checkpoint.get("upstream_offset")
            if upstream is None or upstream < committed:
                behind.append("%s[%s]: checkpoint at %s, committed %s"
                              % (target_topic, partition, "none" if upstream is None else upstream, committed))
    return behind


class FilterModule:
    def filters(self):
        return {"checkpoint_lag": checkpoint_lag}
