#!/bin/sh
# Describe and alter broker/topic/client/user configs.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
