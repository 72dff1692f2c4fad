#!/bin/sh
# Describe, upgrade and downgrade feature levels (metadata.version, ...).
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.FeatureCommand "$@"
