"""Usage metering commands: generateUsageRecords, listUsageRecords, listUsageTypes."""
