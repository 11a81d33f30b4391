#!/bin/sh
# Waits for the Temporal frontend, then creates the platform's namespace if it is missing.
# The platform registers its own search attributes at start (lib/temporal/connect.ts).
set -eu
for i in $(seq 1 60); do
  temporal operator cluster health --address "$TEMPORAL_ADDRESS" && break
  echo "waiting for Temporal ($i)"; sleep 5
done
temporal operator namespace describe -n "$NAMESPACE" --address "$TEMPORAL_ADDRESS" \
  || temporal operator namespace create -n "$NAMESPACE" --retention 30d --address "$TEMPORAL_ADDRESS"
