#!/bin/sh
# Create, alter, list and describe topics.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
