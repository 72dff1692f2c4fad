#!/bin/sh
# Produce sequential values and report acks as JSON (system tests).
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.VerifiableProducer "$@"
