#!/bin/sh
# Consume and report events as JSON (system tests).
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.VerifiableConsumer "$@"
