#!/bin/sh
# Describe the KRaft metadata quorum; add/remove controllers.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.MetadataQuorumCommand "$@"
