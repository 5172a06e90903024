"""moderato's background worker: RQ jobs that classify comments and deliver webhooks."""
