"""cirrostack plugin: S3-compatible object stores as secondary (image) storage."""
