#!/bin/sh
# List, describe, reset and delete consumer groups.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
